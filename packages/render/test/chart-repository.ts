import { mkdir, mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { run } from '@airspark/tools';

/**
 * A real Helm chart repository on loopback: charts packaged by the real `helm package`, the index
 * written by the real `helm repo index`, served over HTTP by a node server. `requests` records
 * what was asked for, so tests can prove that an offline render made no request.
 */
export interface ChartRepository {
  url: string;
  dir: string;
  requests: string[];
  /** Packages a chart with the given templates and re-indexes the repository. */
  publish(chart: string, version: string, templates: Record<string, string>, values?: string): Promise<void>;
  /** Replaces a file's bytes as served (a tampered package or index). */
  override(file: string, body: string | Buffer | undefined): void;
  close(): Promise<void>;
}

export async function startChartRepository(helm: string): Promise<ChartRepository> {
  const dir = await mkdtemp(path.join(os.tmpdir(), 'airspark-chartrepo-'));
  const work = path.join(dir, '.work');
  const overrides = new Map<string, string | Buffer>();
  const requests: string[] = [];
  const server: Server = createServer(async (req, res) => {
    const name = decodeURIComponent(new URL(req.url ?? '/', 'http://x').pathname.slice(1));
    requests.push(name);
    const body =
      overrides.get(name) ?? (await readFile(path.join(dir, path.basename(name))).catch(() => undefined));
    if (body === undefined || name.startsWith('.')) {
      res.writeHead(404).end('not found');
      return;
    }
    res
      .writeHead(200, { 'content-type': name.endsWith('.yaml') ? 'text/yaml' : 'application/gzip' })
      .end(body);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const helmEnv = {
    PATH: process.env.PATH ?? '',
    HOME: work,
    HELM_CACHE_HOME: work,
    HELM_CONFIG_HOME: work,
    HELM_DATA_HOME: work,
  };
  return {
    url,
    dir,
    requests,
    async publish(chart, version, templates, values = '') {
      const src = path.join(work, `${chart}-${version}`, chart);
      await rm(src, { recursive: true, force: true });
      await mkdir(path.join(src, 'templates'), { recursive: true });
      await writeFile(path.join(src, 'Chart.yaml'), `apiVersion: v2\nname: ${chart}\nversion: ${version}\n`);
      await writeFile(path.join(src, 'values.yaml'), values);
      for (const [file, text] of Object.entries(templates))
        await writeFile(path.join(src, 'templates', file), text);
      const pkg = await run(helm, ['package', src, '--destination', dir], { env: helmEnv });
      if (pkg.code !== 0) throw new Error(pkg.stderr);
      const index = await run(helm, ['repo', 'index', dir, '--url', url], { env: helmEnv });
      if (index.code !== 0) throw new Error(index.stderr);
    },
    override(file, body) {
      if (body === undefined) overrides.delete(file);
      else overrides.set(file, body);
    },
    async close() {
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await rm(dir, { recursive: true, force: true });
    },
  };
}
