import { type ChildProcess, spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdir, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { cacheDir, run } from '@airspark/tools';

/**
 * A real OCI registry on loopback for the OCI chart path: go-containerregistry's `registry`
 * (an in-memory OCI distribution server), built from its Go module with `go install` into the
 * airspark cache the first time. Charts are pushed with the real `helm push`.
 */
const MODULE = 'github.com/google/go-containerregistry/cmd/registry@v0.20.6';

async function registryBinary(): Promise<string> {
  const dir = path.join(cacheDir(), 'tools', 'ggcr-registry-v0.20.6');
  const binary = path.join(dir, 'registry');
  if (existsSync(binary)) return binary;
  const r = await run('go', ['install', MODULE], { env: { ...process.env, GOBIN: dir } });
  if (r.code !== 0)
    throw new Error(`go install ${MODULE} failed (Go is needed for the OCI tests): ${r.stderr}`);
  return binary;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export interface OciRegistry {
  /** `oci://127.0.0.1:<port>` */
  url: string;
  /** Packages a chart and pushes it to `<url>/<repository>/<chart>:<version>`. */
  publish(
    repository: string,
    chart: string,
    version: string,
    templates: Record<string, string>,
  ): Promise<void>;
  close(): Promise<void>;
}

export async function startOciRegistry(helm: string): Promise<OciRegistry> {
  const binary = await registryBinary();
  const port = await freePort();
  const child: ChildProcess = spawn(binary, ['-port', String(port)], { stdio: 'ignore' });
  const work = await mkdtemp(path.join(os.tmpdir(), 'airspark-oci-'));
  const deadline = Date.now() + 20_000;
  for (;;) {
    const ok = await fetch(`http://127.0.0.1:${port}/v2/`).then(
      (r) => r.ok,
      () => false,
    );
    if (ok) break;
    if (Date.now() > deadline) {
      child.kill();
      throw new Error(`the OCI registry on port ${port} did not start within 20 s`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  const helmEnv = {
    PATH: process.env.PATH ?? '',
    HOME: work,
    HELM_CACHE_HOME: work,
    HELM_CONFIG_HOME: work,
    HELM_DATA_HOME: work,
  };
  return {
    url: `oci://127.0.0.1:${port}`,
    async publish(repository, chart, version, templates) {
      const src = path.join(work, `${chart}-${version}-${Date.now()}`, chart);
      await mkdir(path.join(src, 'templates'), { recursive: true });
      await writeFile(path.join(src, 'Chart.yaml'), `apiVersion: v2\nname: ${chart}\nversion: ${version}\n`);
      for (const [file, text] of Object.entries(templates))
        await writeFile(path.join(src, 'templates', file), text);
      const pkg = await run(helm, ['package', src, '--destination', path.dirname(src)], { env: helmEnv });
      if (pkg.code !== 0) throw new Error(pkg.stderr);
      const tgz = path.join(path.dirname(src), `${chart}-${version}.tgz`);
      const push = await run(helm, ['push', tgz, `oci://127.0.0.1:${port}/${repository}`, '--plain-http'], {
        env: helmEnv,
      });
      if (push.code !== 0) throw new Error(push.stderr);
    },
    async close() {
      child.kill();
      await rm(work, { recursive: true, force: true });
    },
  };
}
