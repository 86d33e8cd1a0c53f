import { describe, expect, it } from 'vitest';
import { parse, stringify } from 'yaml';
import { applyInput } from '../src/bootstrap/bootstrap.js';
import { type CrdProbe, CrdWaitError, probeCrdWithKubectl, waitForCrds } from '../src/bootstrap/crd-wait.js';
import { splitManifests } from '../src/render/manifests.js';

/** A scripted API server (stand-in for the discovery lag after a large CRD apply): answers in order. */
function scripted(answers: Record<string, CrdProbe[]>) {
  const asked: string[] = [];
  return {
    asked,
    probe: async (name: string) => {
      asked.push(name);
      const queue = answers[name] ?? [];
      return queue.length > 1 ? (queue.shift() as CrdProbe) : (queue[0] as CrdProbe);
    },
  };
}

function clock() {
  let t = 0;
  const sleep = async (ms: number) => {
    t += ms;
  };
  return { now: () => t, sleep, elapsed: () => t };
}

describe('waiting for CRDs (stand-in API server: scripted answers)', () => {
  it('keeps asking through NotFound, not-Established and not-yet-served answers', async () => {
    const api = scripted({
      'applicationsets.argoproj.io': [
        { state: 'pending', detail: 'Error from server (NotFound)' },
        { state: 'pending', detail: 'not Established yet (Installing)' },
        {
          state: 'pending',
          detail:
            'Established, but not served yet: the server doesn\'t have a resource type "applicationsets"',
        },
        { state: 'ready' },
      ],
      'applications.argoproj.io': [{ state: 'ready' }],
    });
    const c = clock();
    await waitForCrds({
      names: ['applicationsets.argoproj.io', 'applications.argoproj.io'],
      probe: api.probe,
      timeoutMs: 60_000,
      ...c,
    });
    expect(api.asked).toEqual([
      'applicationsets.argoproj.io',
      'applicationsets.argoproj.io',
      'applicationsets.argoproj.io',
      'applicationsets.argoproj.io',
      'applications.argoproj.io',
    ]);
    expect(c.elapsed()).toBe(250 + 500 + 1000); // backoff doubles
  });

  it('gives up at the deadline naming the CRD and the last answer', async () => {
    const api = scripted({
      'x.example.com': [{ state: 'pending', detail: 'not Established yet (Installing)' }],
    });
    await expect(
      waitForCrds({ names: ['x.example.com'], probe: api.probe, timeoutMs: 10_000, ...clock() }),
    ).rejects.toThrow(
      /CustomResourceDefinition x\.example\.com did not become Established and served within 10 s \(\d+ checks\); last answer: not Established yet \(Installing\)/,
    );
  });

  it('stops at once when the API server rejected the CRD', async () => {
    const api = scripted({ 'x.example.com': [{ state: 'failed', detail: 'names not accepted: taken' }] });
    await expect(
      waitForCrds({ names: ['x.example.com'], probe: api.probe, timeoutMs: 10_000, ...clock() }),
    ).rejects.toThrow(CrdWaitError);
    expect(api.asked).toHaveLength(1);
  });

  it('reads kubectl: Established is not enough until the kind is served', async () => {
    const crd = {
      spec: { group: 'argoproj.io', names: { plural: 'applications' } },
      status: {
        conditions: [
          { type: 'NamesAccepted', status: 'True' },
          { type: 'Established', status: 'True' },
        ],
      },
    };
    let served = false;
    const kubectl = async (args: string[]) =>
      args[0] === 'get' && args[1] === 'customresourcedefinitions.apiextensions.k8s.io'
        ? { code: 0, stdout: JSON.stringify(crd), stderr: '' }
        : served
          ? { code: 0, stdout: '', stderr: '' }
          : {
              code: 1,
              stdout: '',
              stderr: 'error: the server doesn\'t have a resource type "applications"\n',
            };
    expect(await probeCrdWithKubectl('applications.argoproj.io', kubectl)).toEqual({
      state: 'pending',
      detail:
        'Established, but not served yet: error: the server doesn\'t have a resource type "applications"',
    });
    served = true;
    expect(await probeCrdWithKubectl('applications.argoproj.io', kubectl)).toEqual({ state: 'ready' });
  });
});

describe('what bootstrap hands kubectl', () => {
  it('is the text helm wrote, byte for byte, not a re-serialisation', () => {
    const helmOutput = `---
# Source: argo-cd/templates/cm.yaml
apiVersion: v1
kind: ConfigMap
metadata:
  name: argocd-cm
data:
  exec.enabled: "no"
  mode: 0755
---
# Source: argo-cd/templates/sa.yaml
apiVersion: v1
kind: ServiceAccount
metadata: { name: argocd-server }
`;
    const split = splitManifests(helmOutput).objects;
    const texts = new Map(split.map((o) => [o.object, o.text as string]));
    const input = applyInput(
      split.map((o) => o.object),
      texts,
    );
    expect(input).toContain('  exec.enabled: "no"\n  mode: 0755\n');
    expect(input).toContain('metadata: { name: argocd-server }\n');
    // The same objects re-serialised would lose exactly what kubectl's YAML 1.1 needs.
    expect(stringify(split[0]?.object)).toContain('exec.enabled: no\n');
    expect(stringify(split[0]?.object)).not.toContain('mode: 0755\n');
    expect(parse(input.split('---\n')[0] as string).data['exec.enabled']).toBe('no');
  });
});

describe('how rendered YAML is read', () => {
  it('reads scalars as kubectl and Argo CD do (YAML 1.1 of go-yaml v2), not as YAML 1.2', () => {
    const [o] = splitManifests(
      'a: 0755\nb: no\nc: "no"\nd: 2026-01-01\ne: 1:20\nf: 0x1F\ng: "0755"\n',
    ).objects;
    expect(o?.object).toEqual({ a: 0o755, b: false, c: 'no', d: '2026-01-01', e: '1:20', f: 31, g: '0755' });
  });
});
