// S3 for the Spark pods and the host's tasks: versitygw (a real S3-compatible server, built from the
// Go module proxy by scripts/setup-versitygw.mjs) on the node's address, keys made up per run and
// handed to the pods in a Secret, never written to git.
import { type ChildProcess, spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdir, mkdtemp } from 'node:fs/promises';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { run } from '@airspark/tools';

function freePort(address: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, address, () => {
      const { port } = server.address() as { port: number };
      server.close(() => resolve(port));
    });
  });
}

export interface S3Server {
  readonly endpoint: string;
  readonly port: number;
  readonly accessKey: string;
  readonly secretKey: string;
  /** The posix backend's folder: bucket `b`'s object `k` is the file `<dataDir>/b/k`. */
  readonly dataDir: string;
  /** A bucket is a folder of versitygw's posix backend. */
  makeBucket(name: string): Promise<void>;
  stop(): void;
}

export async function startVersitygw(root: string, address: string): Promise<S3Server> {
  const port = await freePort(address);
  const built = await run('node', [path.join(root, 'scripts', 'setup-versitygw.mjs')], { cwd: root });
  const binary = built.stdout.trim().split('\n').at(-1) ?? '';
  if (built.code !== 0 || !binary)
    throw new Error(`scripts/setup-versitygw.mjs failed:\n${(built.stderr || built.stdout).slice(-2000)}`);
  const data = await mkdtemp(path.join(os.tmpdir(), 'airspark-e2e-s3-'));
  const accessKey = `e2e-${randomBytes(6).toString('hex')}`;
  const secretKey = randomBytes(24).toString('hex');
  const endpoint = `http://${address}:${port}`;
  const child: ChildProcess = spawn(
    binary,
    [
      '--access',
      accessKey,
      '--secret',
      secretKey,
      '--region',
      'us-east-1',
      '--port',
      `${address}:${port}`,
      'posix',
      data,
    ],
    { stdio: 'ignore' },
  );
  // Not what keeps this process alive: the run ends, and the server with it (stop, or exit).
  child.unref();
  process.once('exit', () => child.kill('SIGTERM'));
  let exited: number | null = null;
  child.on('exit', (code) => {
    exited = code ?? 1;
  });
  for (let i = 0; ; i++) {
    if (exited !== null)
      throw new Error(`versitygw exited ${exited} at start (is ${address}:${port} in use?)`);
    const answer = await fetch(endpoint).then(
      (r) => r.status,
      () => 0,
    );
    if (answer > 0) break; // it answers (403 without a signature): up
    if (i > 120) throw new Error(`versitygw did not answer on ${endpoint} within a minute`);
    await sleep(500);
  }
  return {
    endpoint,
    port,
    accessKey,
    secretKey,
    dataDir: data,
    makeBucket: async (name) => {
      await mkdir(path.join(data, name), { recursive: true });
    },
    stop: () => {
      child.kill('SIGTERM');
    },
  };
}
