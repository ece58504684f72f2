import { connect, createServer, type Server, type Socket } from 'node:net';

/**
 * A loopback TCP proxy a test puts between the service and Postgres or Redis, to cut the connection
 * mid-test and restore it. `cut('refuse')` drops every connection and hangs up on new ones at once
 * (a server that went away); `cut('blackhole')` keeps sockets open but passes nothing either way (a
 * network that silently lost its route), so requests hang until the caller's own timeouts fire.
 * `restore()` forwards again; black-holed sockets are dropped then, so clients reconnect.
 */
export class TcpProxy {
  private mode: 'open' | 'refuse' | 'blackhole' = 'open';
  private readonly pairs = new Set<{ client: Socket; upstream?: Socket }>();

  private constructor(
    private readonly server: Server,
    readonly port: number,
    private readonly target: { host: string; port: number },
  ) {
    server.on('connection', (client) => this.accept(client));
  }

  static async start(target: { host: string; port: number }): Promise<TcpProxy> {
    const server = createServer();
    await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
    return new TcpProxy(server, (server.address() as { port: number }).port, target);
  }

  cut(mode: 'refuse' | 'blackhole' = 'refuse'): void {
    this.mode = mode;
    for (const pair of this.pairs) {
      if (mode === 'refuse') {
        pair.client.destroy();
        pair.upstream?.destroy();
        continue;
      }
      // Freeze: the upstream goes away, the client keeps a socket that never answers.
      pair.client.unpipe();
      pair.upstream?.unpipe();
      pair.upstream?.destroy();
      pair.upstream = undefined;
      pair.client.on('data', () => undefined);
    }
  }

  restore(): void {
    this.mode = 'open';
    for (const pair of this.pairs) if (!pair.upstream) pair.client.destroy();
  }

  /** Connections currently open through the proxy (or held by the black hole). */
  get connections(): number {
    return this.pairs.size;
  }

  async close(): Promise<void> {
    for (const pair of this.pairs) {
      pair.client.destroy();
      pair.upstream?.destroy();
    }
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private accept(client: Socket): void {
    client.on('error', () => undefined);
    if (this.mode === 'refuse') {
      client.destroy();
      return;
    }
    const pair: { client: Socket; upstream?: Socket } = { client };
    this.pairs.add(pair);
    client.once('close', () => {
      pair.upstream?.destroy();
      this.pairs.delete(pair);
    });
    if (this.mode === 'blackhole') {
      client.on('data', () => undefined);
      return;
    }
    const upstream = connect(this.target.port, this.target.host);
    pair.upstream = upstream;
    upstream.on('error', () => client.destroy());
    upstream.once('close', () => {
      // Closed by the proxy itself when black-holing: keep the client's socket hanging.
      if (pair.upstream === upstream) client.destroy();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }
}
