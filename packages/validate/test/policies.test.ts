import { describe, expect, it } from 'vitest';
import { parseImage, unpinnedReason } from '../src/policies/images.js';
import { parseSuppressions } from '../src/suppress.js';
import { environment, external, files, replaceOnce } from './fixtures/platform.js';
import { lineOf, only, ruleIds, validate } from './helpers.js';

const run = (edit: Parameters<typeof environment>[0]) =>
  validate(environment(edit), { externalResources: external });
const livy = (from: string, to: string) => run({ livy: (t) => replaceOnce(t, from, to) });

describe('policy/pinned-image', () => {
  it('parses references with registry ports, tags and digests', () => {
    expect(parseImage('registry:5000/team/app:1.2@sha256:abc')).toEqual({
      repository: 'registry:5000/team/app',
      tag: '1.2',
      digest: 'sha256:abc',
    });
    expect(parseImage('registry:5000/team/app')).toEqual({ repository: 'registry:5000/team/app' });
    expect(unpinnedReason('apache/spark:4.0.4')).toBeUndefined();
    expect(unpinnedReason('apache/spark@sha256:0123')).toBeUndefined();
    expect(unpinnedReason('apache/spark')).toMatch(/no tag/);
    expect(unpinnedReason('apache/spark:latest')).toMatch(/latest/);
  });
  it('fires for an untagged image and for SparkApplication images', () => {
    expect(ruleIds(livy('livy:0.9.0-spark3.5.6-r1', 'livy'))).toEqual(['policy/pinned-image']);
    const spark = run({
      sparkJob: (t) => replaceOnce(t, 'image: apache/spark:4.0.4', 'image: apache/spark:latest'),
    });
    expect(only(spark, 'policy/pinned-image')).toHaveLength(1);
  });
});

describe('container policies', () => {
  it('policy/resources fires when requests or the memory limit are missing', () => {
    const findings = livy('            limits:\n              memory: 2Gi\n', '');
    expect(ruleIds(findings)).toEqual(['policy/resources']);
    expect(findings[0]?.message).toContain('limits.memory');
  });
  it('policy/run-as-non-root fires without runAsNonRoot or a non-root user, and for user 0', () => {
    expect(ruleIds(livy('        runAsNonRoot: true\n        runAsUser: 185\n', ''))).toEqual([
      'policy/run-as-non-root',
    ]);
    expect(ruleIds(livy('runAsUser: 185', 'runAsUser: 0'))).toEqual(['policy/run-as-non-root']);
    // A non-zero user alone passes.
    expect(livy('        runAsNonRoot: true\n', '')).toEqual([]);
  });
  it('policy/privileged fires for privileged containers', () => {
    expect(
      ruleIds(
        livy(
          'allowPrivilegeEscalation: false',
          'allowPrivilegeEscalation: false\n            privileged: true',
        ),
      ),
    ).toEqual(['policy/privileged']);
  });
  it('policy/privilege-escalation fires unless allowPrivilegeEscalation is false', () => {
    expect(ruleIds(livy('allowPrivilegeEscalation: false', 'allowPrivilegeEscalation: true'))).toEqual([
      'policy/privilege-escalation',
    ]);
  });
  it('policy/read-only-root-fs fires for a writable root filesystem', () => {
    const findings = livy('readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false');
    expect(ruleIds(findings)).toEqual(['policy/read-only-root-fs']);
    expect(findings[0]?.line).toBe(lineOf(files.livy.text, 'allowPrivilegeEscalation: false'));
  });
  it('policy/host-namespaces and policy/host-path fire', () => {
    const findings = livy(
      '      serviceAccountName: livy\n',
      '      serviceAccountName: livy\n      hostNetwork: true\n      hostPID: true\n',
    );
    expect(only(findings, 'policy/host-namespaces')).toHaveLength(2);
    const hostPath = livy('          emptyDir: {}', '          hostPath:\n            path: /var/run');
    expect(ruleIds(hostPath)).toEqual(['policy/host-path']);
  });
});

describe('policy/plaintext-secret', () => {
  const secret = (body: string) =>
    run({
      livy: (t) => `${t}---\napiVersion: v1\nkind: Secret\nmetadata:\n  name: s\n  namespace: livy\n${body}`,
    });
  it('fires for data and for stringData', () => {
    expect(only(secret('stringData:\n  token: abc\n'), 'policy/plaintext-secret')).toHaveLength(1);
  });
  it('passes a Secret without data (e.g. one a controller fills)', () => {
    expect(secret('type: Opaque\n')).toEqual([]);
  });
});

describe('suppressions (airspark.dev/suppress)', () => {
  const annotate = (value: string) =>
    run({
      livy: (t) =>
        replaceOnce(
          replaceOnce(t, 'readOnlyRootFilesystem: true', 'readOnlyRootFilesystem: false'),
          '  name: livy\n  namespace: livy\nspec:',
          `  name: livy\n  namespace: livy\n  annotations:\n    airspark.dev/suppress: |\n${value
            .split('\n')
            .map((l) => `      ${l}`)
            .join('\n')}\nspec:`,
        ),
    });

  it('suppresses a policy on the object when a reason is given', () => {
    expect(
      annotate('policy/read-only-root-fs: Livy unpacks session jars into its working directory'),
    ).toEqual([]);
  });
  it('rejects a suppression without a reason, and keeps the finding', () => {
    const findings = annotate('policy/read-only-root-fs: ok');
    expect(ruleIds(findings)).toEqual(['policy/read-only-root-fs', 'suppress/invalid']);
  });
  it('rejects unknown and unsuppressible rules, and reports unused ones', () => {
    const findings = annotate(
      'policy/read-only-root-fs: Livy unpacks session jars into its working directory\npolicy/nope: whatever the reason is\nxref/secret: the secret is made by hand\npolicy/privileged: nothing is privileged here at all',
    );
    expect(only(findings, 'suppress/invalid')).toHaveLength(2);
    expect(only(findings, 'suppress/unused')).toHaveLength(1);
    expect(only(findings, 'policy/read-only-root-fs')).toHaveLength(0);
  });
  it('parses one rule per line', () => {
    expect(parseSuppressions('policy/host-path: the node exporter reads /proc\n\n').suppressions).toEqual([
      { rule: 'policy/host-path', reason: 'the node exporter reads /proc' },
    ]);
    expect(parseSuppressions('read-only please').problems[0]).toMatch(/not of the form/);
  });
});
