import net from 'node:net';

/**
 * A TCP port on 127.0.0.1 that is free right now. Another process may take it before we bind
 * it; the cluster start-up retries with fresh ports when a bind fails.
 */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() => {
        if (address && typeof address === 'object') resolve(address.port);
        else reject(new Error('could not obtain a free loopback port'));
      });
    });
  });
}
