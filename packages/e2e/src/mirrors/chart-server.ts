// The chart mirror (a folder with index.yaml and chart archives, as ../shared/charts) served as a
// Helm repository over HTTP, for Argo CD's repo-server in the cluster. Read-only static files.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import sirv from 'sirv';

export interface RunningServer {
  readonly url: string;
  readonly port: number;
  close(): Promise<void>;
}

/** Listens on `host` (the node's address, so pods reach it and nothing outside the machine does). */
export async function serveChartMirror(folder: string, host: string): Promise<RunningServer> {
  const files = sirv(folder, { dev: false, etag: true, dotfiles: false });
  const server = createServer((req, res) => {
    if (req.method !== 'GET' && req.method !== 'HEAD') {
      res.writeHead(405, { allow: 'GET, HEAD' }).end();
      return;
    }
    files(req, res, () => {
      res.writeHead(404).end('not in the chart mirror\n');
    });
  });
  return listen(server, host);
}

export function listen(server: Server, host: string): Promise<RunningServer> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, host, () => {
      const { port } = server.address() as AddressInfo;
      resolve({
        url: `http://${host}:${port}`,
        port,
        close: () =>
          new Promise((done) => {
            server.closeAllConnections();
            server.close(() => done());
          }),
      });
    });
  });
}
