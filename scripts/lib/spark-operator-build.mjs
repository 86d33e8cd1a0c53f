// The Spark Operator controller (github.com/kubeflow/spark-operator/v2/cmd/operator) built from the
// Go module proxy at the version the environments pin (components.sparkOperator.chartVersion: the
// chart and the image share one version). Used for the locally built Spark Operator image.
import { execFile } from 'node:child_process';
import path from 'node:path';
import { promisify } from 'node:util';
import {
  buildInWrapperModule,
  downloadModule,
  goDirective,
  readGoMod,
  versionReplaces,
  wrapperGoMod,
} from './go-module-build.mjs';

const execFileAsync = promisify(execFile);

export const SPARK_OPERATOR_MODULE = 'github.com/kubeflow/spark-operator/v2';
export const SPARK_OPERATOR_PKG = `${SPARK_OPERATOR_MODULE}/cmd/operator`;

/**
 * `<cache>/spark-operator/<version>`: one folder per version, holding `spark-operator`.
 * @param {string} cacheDir
 * @param {string} version  without the leading v ("2.5.2")
 */
export function sparkOperatorDir(cacheDir, version) {
  return path.join(cacheDir, 'spark-operator', version);
}

/**
 * The version a built controller reports (`spark-operator version --short` prints
 * "Git Version: v2.5.2"), or null when the file is absent or does not run.
 * @param {string} binary
 * @returns {Promise<string | null>}
 */
export async function probeSparkOperatorVersion(binary) {
  try {
    const { stdout } = await execFileAsync(binary, ['version', '--short'], { timeout: 60_000 });
    return /Git Version: v?(\S+)/.exec(stdout)?.[1] ?? null;
  } catch {
    return null;
  }
}

/**
 * Builds the controller as upstream's `make build-operator` does (static, CGO off), in a wrapper
 * module: the operator's go.mod pins every k8s.io module with `replace`, which `go install
 * pkg@version` refuses and which a dependent module ignores, so the wrapper repeats those pins.
 * The ldflags are the ones upstream's Makefile stamps into k8s.io/component-base/version.
 * @param {{ version: string, outFile: string, workDir: string }} spec
 */
export async function buildSparkOperator({ version, outFile, workDir }) {
  const tag = `v${version}`;
  const operator = await downloadModule(SPARK_OPERATOR_MODULE, tag, path.dirname(workDir));
  const upstreamGoMod = await readGoMod(operator.goMod);
  const pkg = 'k8s.io/component-base/version';
  await buildInWrapperModule({
    label: 'spark-operator',
    workDir,
    goMod: wrapperGoMod({
      name: 'spark-operator',
      goVersion: goDirective(upstreamGoMod),
      requires: [{ path: SPARK_OPERATOR_MODULE, version: tag }],
      replaces: versionReplaces(upstreamGoMod),
    }),
    pkg: SPARK_OPERATOR_PKG,
    outFile,
    ldflags: [
      `-X ${pkg}.gitVersion=${tag}`,
      `-X ${pkg}.gitCommit=module-proxy`,
      `-X ${pkg}.gitTreeState=clean`,
      // The release's publication time stands in for the build date: reproducible and meaningful.
      `-X ${pkg}.buildDate=${operator.time ?? '1970-01-01T00:00:00Z'}`,
    ],
  });
}
