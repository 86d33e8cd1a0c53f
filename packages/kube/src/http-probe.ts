import http from 'node:http';
import https from 'node:https';

export interface ProbeAnswer {
  readonly status: number;
  readonly body: string;
}

/**
 * One GET with a short timeout; undefined when nothing answers (connection refused, TLS not
 * ready yet...). Used only to wait for local servers to come up.
 */
export function probe(
  url: string,
  options: { ca?: string | Buffer; bearerToken?: string; timeoutMs?: number } = {},
): Promise<ProbeAnswer | undefined> {
  const target = new URL(url);
  const client = target.protocol === 'https:' ? https : http;
  return new Promise((resolve) => {
    const request = client.get(
      target,
      {
        timeout: options.timeoutMs ?? 2000,
        ...(options.ca ? { ca: options.ca } : {}),
        headers: options.bearerToken ? { Authorization: `Bearer ${options.bearerToken}` } : {},
      },
      (response) => {
        let body = '';
        response.setEncoding('utf8');
        response.on('data', (chunk: string) => {
          body += chunk;
        });
        response.on('end', () => resolve({ status: response.statusCode ?? 0, body }));
        response.on('error', () => resolve(undefined));
      },
    );
    request.on('timeout', () => request.destroy());
    request.on('error', () => resolve(undefined));
  });
}
