import { cp, mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { main } from '../src/index.js';
import { captureContext } from './capture.js';

const repoRoot = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../..');
const SLOW = 180_000;

interface JsonFinding {
  severity: string;
  rule: string;
  file: string;
  line: number;
  message: string;
  resource?: string;
}

async function validate(root: string, ...args: string[]) {
  const { ctx, out } = captureContext(root, { ...process.env, NO_COLOR: '1' });
  const code = await main(['validate', '--format', 'json', '--root', root, ...args], ctx);
  return { code, findings: (JSON.parse(out()) as { findings: JsonFinding[] }).findings };
}

/**
 * The acceptance check of issue 3, end to end through `airspark validate`: a copy of the repository
 * with mistakes injected into the sources that render the environment (chart templates, a DAG
 * template). Each must come back with the right rule and the source file that holds the mistake.
 */
describe('airspark validate on a copy of the repository with injected mistakes', () => {
  let copy: string;
  const edit = async (file: string, from: string | RegExp, to: string) => {
    const absolute = path.join(copy, file);
    const text = await readFile(absolute, 'utf8');
    const changed = text.replace(from, to);
    if (changed === text) throw new Error(`${file}: "${String(from)}" not found; the test needs updating`);
    await writeFile(absolute, changed);
  };

  beforeAll(async () => {
    copy = await mkdtemp(path.join(tmpdir(), 'airspark-injected-'));
    for (const dir of ['clusters', 'apps']) {
      await cp(path.join(repoRoot, dir), path.join(copy, dir), { recursive: true });
    }
    await writeFile(path.join(copy, 'pnpm-workspace.yaml'), 'packages: []\n');
    // With charts in the cache, a copy without the lock would refuse to render them.
    await cp(path.join(repoRoot, 'charts.lock.yaml'), path.join(copy, 'charts.lock.yaml'));
  }, SLOW);
  afterAll(() => rm(copy, { recursive: true, force: true }));

  it(
    'the copy as it is has no errors',
    async () => {
      const { code, findings } = await validate(copy, '--env', 'dev');
      expect(findings.filter((f) => f.severity === 'error')).toEqual([]);
      expect(code).toBe(0);
    },
    SLOW,
  );

  it(
    'finds each injected mistake with its rule and source file',
    async () => {
      // An unknown field in a NodePool.
      await edit(
        'apps/karpenter-nodepools/chart/templates/nodepools.yaml',
        '      expireAfter: {{ $pool.expireAfter }}\n',
        '      expireAfter: {{ $pool.expireAfter }}\n      expireAftr: 720h\n',
      );
      // A Secret with data.
      await writeFile(
        path.join(copy, 'apps/livy/chart/templates/secret.yaml'),
        'apiVersion: v1\nkind: Secret\nmetadata:\n  name: livy-db\n  namespace: {{ .Release.Namespace }}\ndata:\n  password: aHVudGVyMg==\n',
      );
      // An image tagged latest, and a ServiceAccount that does not exist.
      await edit(
        'apps/livy/chart/templates/deployment.yaml',
        /image: \{\{ include "livy\.image" \. \}\}/,
        'image: apache/livy:latest',
      );
      await edit(
        'apps/livy/chart/templates/deployment.yaml',
        'serviceAccountName: {{ .Values.serviceAccount.name }}',
        'serviceAccountName: livy-server',
      );
      // A removed API version.
      await edit(
        'apps/spark-teams/chart/templates/networkpolicy.yaml',
        'apiVersion: networking.k8s.io/v1',
        'apiVersion: extensions/v1beta1',
      );
      // A SparkApplication (a DAG template) whose driver nodeSelector matches no NodePool.
      await mkdir(path.join(copy, 'dags/spark_apps'), { recursive: true });
      const template = [
        'apiVersion: sparkoperator.k8s.io/v1beta2',
        'kind: SparkApplication',
        'metadata:',
        '  name: report',
        '  namespace: spark-team-a',
        'spec:',
        '  type: Python',
        '  mode: cluster',
        '  sparkVersion: 4.0.4',
        '  image: "{{ var.value.spark_job_image }}"',
        '  mainApplicationFile: local:///opt/jobs/report.py',
        '  driver:',
        '    cores: 1',
        '    memory: 1g',
        '    serviceAccount: spark',
        '    securityContext: { runAsNonRoot: true }',
        '    nodeSelector:',
        '      NodeGroupType: spark-drivers',
        '      karpenter.sh/capacity-type: on-demand',
        '  executor:',
        '    instances: 2',
        '    securityContext: { runAsNonRoot: true }',
        '    nodeSelector:',
        '      NodeGroupType: spark-executor',
        '',
      ].join('\n');
      await writeFile(path.join(copy, 'dags/spark_apps/report.yaml'), template);

      const { code, findings } = await validate(copy, '--env', 'dev');
      expect(code).toBe(1);
      const errors = findings.filter((f) => f.severity === 'error').map((f) => `${f.rule} ${f.file}`);
      expect(new Set(errors)).toEqual(
        new Set([
          'schema/unknown-field apps/karpenter-nodepools/chart/templates/nodepools.yaml',
          'policy/plaintext-secret apps/livy/chart/templates/secret.yaml',
          'policy/pinned-image apps/livy/chart/templates/deployment.yaml',
          'xref/service-account apps/livy/chart/templates/deployment.yaml',
          'api/removed apps/spark-teams/chart/templates/networkpolicy.yaml',
          'xref/spark-placement dags/spark_apps/report.yaml',
        ]),
      );
      const placement = findings.find((f) => f.rule === 'xref/spark-placement');
      expect(placement?.line).toBe(template.split('\n').indexOf('      NodeGroupType: spark-drivers') + 1);
    },
    SLOW,
  );

  it(
    'reports a values-file mistake at the values file line, not at the chart template it flows through',
    async () => {
      const file = 'clusters/staging/values/livy.yaml';
      const text = await readFile(path.join(copy, file), 'utf8');
      const changed = `${text}\nnodeSelector:\n  NodeGroupType: nowhere\n`;
      await writeFile(path.join(copy, file), changed);
      const { findings } = await validate(copy, '--env', 'staging');
      const placement = findings.filter((f) => f.rule === 'xref/pod-placement');
      expect(placement.map((f) => `${f.file}:${f.line}`)).toEqual([
        `${file}:${changed.split('\n').indexOf('  NodeGroupType: nowhere') + 1}`,
      ]);
      await writeFile(path.join(copy, file), text);
    },
    SLOW,
  );
});
