import { describe, expect, it } from 'vitest';
import { environment, external, files, replaceOnce } from './fixtures/platform.js';
import { lineOf, only, validate } from './helpers.js';

/**
 * The mistakes the issue names, injected one at a time into an environment that is otherwise
 * clean: each must be found with the right rule, in the right file, at the line that holds it.
 */
describe('injected mistakes are found with the right rule and source line', () => {
  const run = (edit: Parameters<typeof environment>[0]) =>
    validate(environment(edit), { externalResources: external }).filter((f) => f.severity === 'error');

  it('an unknown field in a NodePool', () => {
    const findings = run({
      karpenter: (t) =>
        replaceOnce(
          t,
          '      nodeClassRef:\n        group: karpenter.k8s.aws\n        kind: EC2NodeClass\n        name: spark\n      requirements:\n        - key: karpenter.sh/capacity-type\n          operator: In\n          values: ["on-demand"]',
          '      nodeClassRef:\n        group: karpenter.k8s.aws\n        kind: EC2NodeClass\n        name: spark\n      expireAftr: 720h\n      requirements:\n        - key: karpenter.sh/capacity-type\n          operator: In\n          values: ["on-demand"]',
        ),
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'schema/unknown-field',
      file: 'apps/karpenter/manifests/nodepools.yaml',
      // The injected line takes the place of the pool's first `requirements:` line.
      line: lineOf(files.karpenter.text, 'requirements:'),
      resource: 'NodePool/spark-driver',
      app: 'karpenter',
    });
    expect(findings[0]?.message).toContain('Did you mean "expireAfter"?');
  });

  it('a SparkApplication whose driver nodeSelector matches no NodePool', () => {
    const findings = run({
      sparkJob: (t) => replaceOnce(t, 'NodeGroupType: spark-driver', 'NodeGroupType: spark-drivers'),
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'xref/spark-placement',
      file: 'apps/spark-jobs/pi.yaml',
      line: lineOf(files.sparkJob.text, 'NodeGroupType: spark-driver'),
    });
    expect(findings[0]?.message).toContain('NodeGroupType in {spark-drivers}');
  });

  it('an image tagged latest', () => {
    const findings = run({ livy: (t) => replaceOnce(t, 'livy:0.9.0-spark3.5.6-r1', 'livy:latest') });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'policy/pinned-image',
      file: 'apps/livy/templates/livy.yaml',
      line: lineOf(files.livy.text, 'image: 111111111111'),
    });
  });

  it('a Secret with data', () => {
    const secret =
      '---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: db\n  namespace: livy\ndata:\n  password: aHVudGVyMg==\n';
    const findings = run({ livy: (t) => t + secret });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'policy/plaintext-secret',
      file: 'apps/livy/templates/livy.yaml',
      line: lineOf(files.livy.text + secret, 'password: aHVudGVyMg=='),
    });
  });

  it('a removed API version', () => {
    const findings = run({
      livy: (t) =>
        replaceOnce(
          t,
          'apiVersion: apps/v1\nkind: Deployment',
          'apiVersion: extensions/v1beta1\nkind: Deployment',
        ),
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'api/removed',
      file: 'apps/livy/templates/livy.yaml',
      line: lineOf(files.livy.text, 'apiVersion: apps/v1'),
    });
    expect(findings[0]?.message).toContain('removed in Kubernetes 1.16');
    expect(findings[0]?.message).toContain('apps/v1');
  });

  it('a ServiceAccount that does not exist', () => {
    const findings = run({
      livy: (t) => replaceOnce(t, 'serviceAccountName: livy', 'serviceAccountName: livy-server'),
    });
    expect(findings).toHaveLength(1);
    expect(findings[0]).toMatchObject({
      rule: 'xref/service-account',
      file: 'apps/livy/templates/livy.yaml',
      line: lineOf(files.livy.text, 'serviceAccountName: livy'),
    });
  });

  it('reports several mistakes at once, each once', () => {
    const findings = run({
      livy: (t) =>
        replaceOnce(
          replaceOnce(t, 'livy:0.9.0-spark3.5.6-r1', 'livy'),
          'serviceAccountName: livy',
          'serviceAccountName: nobody',
        ),
      sparkJob: (t) => replaceOnce(t, 'NodeGroupType: spark-executor', 'NodeGroupType: gpu'),
    });
    expect(findings.map((f) => f.rule).sort()).toEqual([
      'policy/pinned-image',
      'xref/service-account',
      'xref/spark-placement',
    ]);
    expect(only(findings, 'xref/spark-placement')[0]?.message).toContain('executor');
  });
});
