// The host programs the image builder runs, and making sure they are there.
import { installDebianPackages, missingDebianPackages } from '../node-cluster/host.js';

/** Debian packages behind umoci, skopeo, mmdebstrap and unzip (tar, chroot, cp are always there). */
export const IMAGE_BUILD_PACKAGES = ['umoci', 'skopeo', 'mmdebstrap', 'unzip'] as const;

/** Installs the missing build tools (as root), or says which to install. */
export async function ensureImageBuildTools(log: (line: string) => void): Promise<void> {
  const missing = await missingDebianPackages(IMAGE_BUILD_PACKAGES);
  if (missing.length === 0) return;
  if (process.getuid?.() !== 0)
    throw new Error(
      `building images needs ${missing.join(', ')} (Debian packages) and root; run as root, or install them: apt-get install ${missing.join(' ')}`,
    );
  await installDebianPackages(missing, log);
}
