// The mirrors as Argo CD uses them, with the real clients: git clones over smart HTTP from the Git
// mirror (and may not push), helm pulls a chart from the chart mirror.
import { mkdtemp, readFile, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { ensureTools, run } from '@airspark/tools';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  git,
  mirrorServiceObjects,
  type RunningServer,
  serveChartMirror,
  serveCheckout,
  serveGitRepositories,
} from '../src/index.js';

let work: string;
const servers: RunningServer[] = [];

beforeAll(async () => {
  work = await mkdtemp(path.join(os.tmpdir(), 'e2e-mirrors-'));
});
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

async function checkoutWithOneCommit(): Promise<string> {
  const checkout = path.join(work, 'checkout');
  await git(work, ['init', '--quiet', '--initial-branch=feature', checkout]);
  await writeFile(path.join(checkout, 'README.md'), 'hello\n');
  await git(checkout, ['add', '.']);
  await git(checkout, ['commit', '--quiet', '-m', 'first']);
  return checkout;
}

describe('the Git mirror', () => {
  it('serves the checkout HEAD as main over smart HTTP, takes commits pushed through the clone, refuses pushes over HTTP', async () => {
    const checkout = await checkoutWithOneCommit();
    const repo = await serveCheckout(checkout, path.join(work, 'served'), 'airspark');
    expect(repo.dirty).toEqual([]);
    const server = await serveGitRepositories(repo.servedRoot, '127.0.0.1');
    servers.push(server);
    const url = `${server.url}/airspark.git`;
    const heads = await git(work, ['ls-remote', url]);
    expect(heads).toContain(`${await repo.head()}\trefs/heads/main`);

    await writeFile(path.join(repo.clone, 'README.md'), 'changed\n');
    const pushed = await repo.commitAndPush('change');
    expect(await repo.head()).toBe(pushed);
    const cloned = path.join(work, 'over-http');
    await git(work, ['clone', '--quiet', url, cloned]);
    expect(await readFile(path.join(cloned, 'README.md'), 'utf8')).toBe('changed\n');

    await writeFile(path.join(cloned, 'README.md'), 'from outside\n');
    await git(cloned, ['commit', '--quiet', '-am', 'outside']);
    await expect(git(cloned, ['push', '--quiet', 'origin', 'HEAD:main'])).rejects.toThrow(/403|read-only/);
  });
});

describe('the chart mirror', () => {
  it('serves index.yaml and archives that helm pulls, and nothing but GET and HEAD', async () => {
    const tools = await ensureTools({ log: () => {} });
    const charts = path.join(work, 'charts');
    const chart = path.join(work, 'chart-src', 'demo');
    await run('mkdir', ['-p', path.join(chart, 'templates'), charts, path.join(work, 'pulled')]);
    await writeFile(path.join(chart, 'Chart.yaml'), 'apiVersion: v2\nname: demo\nversion: 0.1.0\n');
    expect((await run(tools.helm, ['package', chart, '-d', charts])).code).toBe(0);
    expect((await run(tools.helm, ['repo', 'index', charts])).code).toBe(0);
    const server = await serveChartMirror(charts, '127.0.0.1');
    servers.push(server);
    const pulled = await run(tools.helm, [
      'pull',
      'demo',
      '--repo',
      server.url,
      '--version',
      '0.1.0',
      '-d',
      path.join(work, 'pulled'),
    ]);
    expect(pulled.stderr).toBe('');
    expect(pulled.code).toBe(0);
    expect((await fetch(`${server.url}/index.yaml`, { method: 'POST' })).status).toBe(405);
    expect((await fetch(`${server.url}/nothing.tgz`)).status).toBe(404);
  });
});

describe('mirrorServiceObjects', () => {
  it('points a selector-less Service per mirror at the host address through an EndpointSlice', () => {
    const objects = mirrorServiceObjects([{ name: 'git', address: '192.0.2.2', port: 41234 }]);
    expect(objects.map((o) => `${o.kind}/${o.metadata?.name}`)).toEqual([
      'Namespace/airspark-mirrors',
      'Service/git',
      'EndpointSlice/git-host',
    ]);
    type Service = { spec: { selector?: unknown; ports: Array<{ port: number; targetPort: number }> } };
    type Slice = {
      metadata: { labels: Record<string, string> };
      endpoints: Array<{ addresses: string[] }>;
      ports: Array<{ port: number }>;
    };
    const [, service, slice] = objects as unknown as [unknown, Service, Slice];
    expect(service.spec.selector).toBeUndefined();
    expect(service.spec.ports[0]).toMatchObject({ port: 80, targetPort: 41234 });
    expect(slice.metadata.labels['kubernetes.io/service-name']).toBe('git');
    expect(slice.endpoints[0]?.addresses).toEqual(['192.0.2.2']);
    expect(slice.ports[0]?.port).toBe(41234);
  });
});
