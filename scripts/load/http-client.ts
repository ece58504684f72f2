import http from 'node:http';

export interface Reply {
  status: number;
  body: string;
  /** From the request's first byte written to the last byte of the answer read, in ms. */
  ms: number;
}

/** One of the service's instances, on loopback. */
export interface Target {
  name: string;
  host: string;
  port: number;
}

export const targetOf = (name: string, baseUrl: string): Target => {
  const url = new URL(baseUrl);
  return { name, host: url.hostname, port: Number(url.port) };
};

/**
 * POSTs over keep-alive connections with node:http, which costs the load generator less CPU per
 * request than fetch: on a 2-core machine every microsecond it spends is taken from the servers.
 * Rejects on a connection error or when no full answer arrives within `timeoutMs`.
 *
 * Idle connections are closed a second before the server's announced keep-alive timeout (Node's 5 s):
 * the agent honours the server's `Keep-Alive: timeout=5` only when it has an idle timeout of its own.
 * Without that, a request sent on a connection the server is just closing fails with ECONNRESET, as
 * a load balancer's would (docs/operations.md).
 */
export class HttpClient {
  private readonly agent = new http.Agent({ keepAlive: true, timeout: 60_000 });

  constructor(private readonly timeoutMs = 15_000) {}

  post(target: Target, path: string, headers: Record<string, string>, body: string): Promise<Reply> {
    return new Promise((resolve, reject) => {
      const started = performance.now();
      const req = http.request(
        { host: target.host, port: target.port, path, method: 'POST', agent: this.agent, headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) } },
        (res) => {
          const chunks: Buffer[] = [];
          res.on('data', (chunk: Buffer) => chunks.push(chunk));
          res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8'), ms: performance.now() - started }));
          res.on('error', reject);
        },
      );
      req.setTimeout(this.timeoutMs, () => req.destroy(new Error(`no answer within ${this.timeoutMs} ms`)));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}
