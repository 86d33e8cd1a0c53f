// A read-only Git server (smart HTTP, which Argo CD's go-git client needs) over a folder of bare
// repositories. The e2e pushes into those repositories through the file system, never over HTTP.
import { createServer } from 'node:http';
import { Git } from 'node-git-server';
import { listen, type RunningServer } from './chart-server.js';

export async function serveGitRepositories(folder: string, host: string): Promise<RunningServer> {
  const repos = new Git(folder, { autoCreate: false });
  repos.on('push', (push) => push.reject(403, 'this mirror is read-only'));
  repos.on('fetch', (fetch) => fetch.accept());
  repos.on('info', (info) => info.accept());
  return listen(
    createServer((req, res) => repos.handle(req, res)),
    host,
  );
}
