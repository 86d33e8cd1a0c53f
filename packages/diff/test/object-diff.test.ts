import { describe, expect, it } from 'vitest';
import {
  type DiffReport,
  diffFields,
  diffRenders,
  formatMarkdown,
  formatPath,
  formatText,
  REDACTED,
  type RenderedObject,
} from '../src/index.js';

const deployment = (image: string, extra: Record<string, unknown> = {}) => ({
  apiVersion: 'apps/v1',
  kind: 'Deployment',
  metadata: { name: 'livy', namespace: 'livy', labels: { 'app.kubernetes.io/name': 'livy' } },
  spec: {
    replicas: 1,
    template: {
      spec: {
        containers: [
          { name: 'livy', image, ports: [{ name: 'http', containerPort: 8998 }] },
          { name: 'sidecar', image: 'busybox:1.37' },
        ],
      },
    },
  },
  ...extra,
});

const rendered = (object: Record<string, unknown>, app = 'livy'): RenderedObject => ({
  env: 'staging',
  app,
  object,
  source: { file: 'apps/livy/chart/templates/deployment.yaml', line: 1, column: 1 },
});

describe('field diff', () => {
  it('names the changed fields by path, list items by name', () => {
    const before = deployment('livy:r1');
    const after = deployment('livy:r2');
    after.spec.replicas = 2;
    after.spec.template.spec.containers.unshift({ name: 'init', image: 'alpine:3.22' } as never);
    (after.metadata.labels as Record<string, string>)['airspark.dev/env'] = 'staging';
    expect(diffFields(before, after)).toEqual([
      { path: 'metadata.labels["airspark.dev/env"]', change: 'added', after: 'staging' },
      { path: 'spec.replicas', change: 'changed', before: 1, after: 2 },
      {
        path: 'spec.template.spec.containers[name=init]',
        change: 'added',
        after: { name: 'init', image: 'alpine:3.22' },
      },
      {
        path: 'spec.template.spec.containers[name=livy].image',
        change: 'changed',
        before: 'livy:r1',
        after: 'livy:r2',
      },
    ]);
  });

  it('compares lists without unique names by position', () => {
    expect(diffFields({ args: ['a', 'b'] }, { args: ['a', 'c', 'd'] })).toEqual([
      { path: 'args[1]', change: 'changed', before: 'b', after: 'c' },
      { path: 'args[2]', change: 'added', after: 'd' },
    ]);
  });

  it('shows a changed multi-line string (a config file) as a line diff', () => {
    const [field] = diffFields(
      { data: { 'livy.conf': 'livy.server.port = 8998\nlivy.spark.master = k8s://a\n' } },
      { data: { 'livy.conf': 'livy.server.port = 8998\nlivy.spark.master = k8s://b\n' } },
    );
    expect(field?.path).toBe('data["livy.conf"]');
    expect(field?.lines).toEqual([
      '@@ -1,2 +1,2 @@',
      ' livy.server.port = 8998',
      '-livy.spark.master = k8s://a',
      '+livy.spark.master = k8s://b',
    ]);
  });

  it('formats paths readably', () => {
    expect(formatPath(['spec', 'template', 0, '[name=x]', 'a.b/c', 'ok-key'])).toBe(
      'spec.template[0][name=x]["a.b/c"].ok-key',
    );
  });
});

describe('Secret values', () => {
  const secret = (data: Record<string, string>, stringData?: Record<string, string>) => ({
    apiVersion: 'v1',
    kind: 'Secret',
    metadata: { name: 'db', namespace: 'airflow' },
    type: 'Opaque',
    data,
    ...(stringData ? { stringData } : {}),
  });

  it('are redacted in changed, added and removed keys, and say so', () => {
    const fields = diffFields(
      secret({ password: 'c2VjcmV0MQ==', user: 'YWRtaW4=' }, { token: 'plain-token-1' }),
      secret({ password: 'c2VjcmV0Mg==', host: 'aG9zdA==' }, { token: 'plain-token-2' }),
    );
    expect(fields).toEqual([
      { path: 'data.host', change: 'added', after: REDACTED, redacted: true },
      { path: 'data.password', change: 'changed', before: REDACTED, after: REDACTED, redacted: true },
      { path: 'data.user', change: 'removed', before: REDACTED, redacted: true },
      { path: 'stringData.token', change: 'changed', before: REDACTED, after: REDACTED, redacted: true },
    ]);
    expect(JSON.stringify(fields)).not.toMatch(/c2VjcmV0|YWRtaW4|aG9zdA|plain-token/);
  });

  it('never appear in any output format, for added, removed or changed Secrets', () => {
    const diffs = [
      ...diffRenders(
        [rendered(secret({ a: 'T0xEU0VDUkVU' }), 'airflow')],
        [rendered(secret({ a: 'TkVXU0VDUkVU' }), 'airflow')],
      ),
      ...diffRenders([], [rendered(secret({ b: 'QURERURTRUNSRVQ=' }), 'added')]),
      ...diffRenders([rendered(secret({ c: 'R09ORVNFQ1JFVA==' }), 'gone')], []),
    ];
    const report: DiffReport = {
      base: { ref: 'HEAD', commit: 'a'.repeat(40) },
      changedFiles: [],
      environments: [
        { env: 'staging', status: 'changed', pins: [], objects: diffs, problems: [], skipped: [] },
      ],
    };
    for (const out of [
      formatText(report, { color: false }),
      formatMarkdown(report),
      JSON.stringify(report),
    ]) {
      expect(out).not.toMatch(/T0xEU0VDUkVU|TkVXU0VDUkVU|QURERURTRUNSRVQ|R09ORVNFQ1JFVA/);
      expect(out).toContain(REDACTED);
    }
  });
});

describe('credentials outside Secrets', () => {
  // Assembled at run time so that no scanner flags this file.
  const keyId = ['AKIA', 'IOSFODNN7', 'EXAMPLE'].join('');
  const secretKey = ['wJalrXUtnFEMI', '/K7MDENG/bPxRfiCY', 'EXAMPLEKEY'].join('');
  const configMap = (conf: string, env: Record<string, string> = {}) => ({
    apiVersion: 'v1',
    kind: 'ConfigMap',
    metadata: { name: 'livy-spark-defaults', namespace: 'livy' },
    data: { 'spark-defaults.conf': conf, ...env },
  });

  it('never appear in any output format: an access key in spark-defaults.conf, a literal password', () => {
    const before = configMap('spark.master k8s://x\n');
    const after = configMap(
      `spark.master k8s://x\nspark.hadoop.fs.s3a.access.key ${keyId}\nspark.hadoop.fs.s3a.secret.key ${secretKey}\n`,
      { DB_PASSWORD: 'Hunter2Hunter2' },
    );
    const diffs = [
      ...diffRenders([rendered(before, 'livy')], [rendered(after, 'livy')]),
      ...diffRenders([], [rendered(after, 'added')]),
      ...diffRenders([rendered(after, 'gone')], []),
    ];
    const report: DiffReport = {
      base: { ref: 'HEAD', commit: 'a'.repeat(40) },
      changedFiles: [],
      environments: [{ env: 'dev', status: 'changed', pins: [], objects: diffs, problems: [], skipped: [] }],
    };
    for (const out of [
      formatText(report, { color: false }),
      formatMarkdown(report),
      JSON.stringify(report),
    ]) {
      expect(out).not.toContain(keyId);
      expect(out).not.toContain(secretKey);
      expect(out).not.toContain('Hunter2Hunter2');
      expect(out).toContain(REDACTED);
      expect(out).toContain('spark.master k8s://x'); // the rest of the text is still shown
    }
  });

  it('leave legitimate references alone (a secret name is not a credential)', () => {
    const fields = diffFields(
      configMap('x 1\n', { secretName: 'airflow-db' }),
      configMap('x 1\n', { secretName: 'airflow-db-2' }),
    );
    expect(fields).toEqual([
      { path: 'data.secretName', change: 'changed', before: 'airflow-db', after: 'airflow-db-2' },
    ]);
  });
});

describe('object diff of two renders', () => {
  it('reports exactly the added, removed and changed objects; identical ones are left out', () => {
    const same = {
      apiVersion: 'v1',
      kind: 'Service',
      metadata: { name: 'livy', namespace: 'livy' },
      spec: { ports: [{ port: 8998 }] },
    };
    const before = [
      rendered(deployment('livy:r1')),
      rendered(same),
      rendered({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'old', namespace: 'livy' } }),
    ];
    const after = [
      rendered(same),
      rendered(deployment('livy:r2')),
      rendered({ apiVersion: 'v1', kind: 'ConfigMap', metadata: { name: 'new', namespace: 'livy' } }),
    ];
    const diffs = diffRenders(before, after);
    expect(diffs.map((d) => [d.change, d.id.kind, d.id.name, d.fields.map((f) => f.path)])).toEqual([
      ['added', 'ConfigMap', 'new', []],
      ['removed', 'ConfigMap', 'old', []],
      ['changed', 'Deployment', 'livy', ['spec.template.spec.containers[name=livy].image']],
    ]);
  });

  it('treats an apiVersion bump of one group as a change, and a move between Applications as remove + add', () => {
    const v1beta1 = {
      apiVersion: 'policy/v1beta1',
      kind: 'PodDisruptionBudget',
      metadata: { name: 'p', namespace: 'n' },
    };
    const v1 = { ...v1beta1, apiVersion: 'policy/v1' };
    expect(
      diffRenders([rendered(v1beta1)], [rendered(v1)]).map((d) => [d.change, d.fields.map((f) => f.path)]),
    ).toEqual([['changed', ['apiVersion']]]);
    expect(diffRenders([rendered(v1, 'a')], [rendered(v1, 'b')]).map((d) => [d.change, d.id.app])).toEqual([
      ['removed', 'a'],
      ['added', 'b'],
    ]);
  });
});

describe('markdown for a pull-request comment', () => {
  const big = (n: number, valueSize: number): DiffReport => ({
    base: { ref: 'origin/main', commit: 'b'.repeat(40) },
    changedFiles: ['clusters/dev/environment.yaml'],
    environments: [
      {
        env: 'dev',
        status: 'changed',
        pins: [{ pin: 'components.airflow.chartVersion', before: '1.22.0', after: '1.22.1' }],
        problems: [],
        skipped: [],
        objects: Array.from({ length: n }, (_, i) => ({
          change: 'changed' as const,
          id: { app: 'airflow', apiVersion: 'v1', kind: 'ConfigMap', namespace: 'airflow', name: `cm-${i}` },
          object: {},
          fields: [
            {
              path: 'data.big',
              change: 'changed' as const,
              before: 'x'.repeat(valueSize),
              after: 'y'.repeat(valueSize),
            },
          ],
        })),
      },
    ],
  });

  it('is complete when it fits, starting with the marker the workflow updates', () => {
    const out = formatMarkdown(big(3, 10));
    expect(out.startsWith('<!-- airspark-diff -->\n')).toBe(true);
    expect(out).toContain('| dev | changed | 3 | 0 | 0 | 1 |');
    expect(out).toContain('**Pins:** `components.airflow.chartVersion` 1.22.0 → 1.22.1');
    expect(out).toContain('- data.big: "xxxxxxxxxx"\n+ data.big: "yyyyyyyyyy"');
    expect(out).not.toContain('Not shown');
  });

  it('stays under 60,000 characters and lists what it left out', () => {
    const out = formatMarkdown(big(400, 400));
    expect(out.length).toBeLessThanOrEqual(60_000);
    const shown = (out.match(/<details>/g) ?? []).length;
    expect(shown).toBeGreaterThan(10);
    const note = /\*\*Not shown: (\d+) items\*\*/.exec(out);
    expect(Number(note?.[1])).toBe(400 - shown);
    expect(out).toContain(`- dev: ConfigMap airflow/cm-${shown} (airflow)`);
    expect(out).toContain('pnpm diff --base origin/main');
  });

  it('when even the list of omissions does not fit, counts the rest', () => {
    const out = formatMarkdown(big(5_000, 400));
    expect(out.length).toBeLessThanOrEqual(60_000);
    expect(out).toMatch(/- … and \d+ more\n/);
  });

  it('cuts a huge value and says by how much', () => {
    const out = formatMarkdown(big(1, 5_000));
    expect(out).toContain(`"${'x'.repeat(999)}… (4002 more characters)`);
  });

  it('cannot be broken out of its code fence by backticks in a value', () => {
    const report = big(1, 1);
    const field = report.environments[0]?.objects[0]?.fields[0];
    if (field) field.after = '```\n<script>';
    const out = formatMarkdown(report);
    expect(out).toContain('````diff\n');
  });
});
