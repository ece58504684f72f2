import { execFile, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, realpathSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import type { Cluster } from 'ioredis';

/**
 * A throwaway Redis Cluster of this test file's own: masters on random spare ports, data in a temp
 * folder, no persistence. It never touches the shared Redis on 6379, and stop() ends only the
 * processes it started (checked by their data folder, ended by their pid as a last resort).
 */

const run = promisify(execFile);
const HOST = '127.0.0.1';
/** Redis listens for the cluster bus on port + 10000; both must be free. */
const BUS_PORT_OFFSET = 10_000;
const READY_TIMEOUT_MS = 20_000;
const POLL_MS = 50;

export interface ClusterNodeAddress {
  host: string;
  port: number;
}

/** Which of the binaries the private cluster needs are missing from PATH (empty when none). */
export function missingRedisBinaries(): string[] {
  return ['redis-server', 'redis-cli'].filter((bin) => spawnSync(bin, ['--version'], { stdio: 'ignore' }).error !== undefined);
}

export class PrivateRedisCluster {
  /** Made by start(), not here: a skipped suite still constructs this. Real path: CONFIG GET dir answers one. */
  private dir = '';
  /** Ports of nodes we started, so stop() also cleans up after a start that failed halfway. */
  private readonly started: number[] = [];

  constructor(private readonly masters = 3) {}

  get nodes(): ClusterNodeAddress[] {
    return this.started.map((port) => ({ host: HOST, port }));
  }

  async start(): Promise<void> {
    this.dir = realpathSync(mkdtempSync(path.join(tmpdir(), 'ct-redis-cluster-')));
    const ports = await findFreePorts(this.masters);
    for (const port of ports) await this.startNode(port);
    await this.cli(ports[0], '--cluster', 'create', ...ports.map((p) => `${HOST}:${p}`), '--cluster-replicas', '0', '--cluster-yes');
    await this.waitFor('cluster_state:ok on every node', async () => {
      const infos = await Promise.all(ports.map((p) => this.cli(p, 'cluster', 'info')));
      return infos.every((info) => info.includes('cluster_state:ok'));
    });
  }

  async stop(): Promise<void> {
    for (const port of this.started) {
      // Checked again: SHUTDOWN goes only to a server that is still ours.
      if (await this.isOurs(port)) await this.cli(port, 'shutdown', 'nosave').catch(() => undefined);
      await this.waitForExit(port);
    }
    this.started.length = 0;
    if (this.dir) rmSync(this.dir, { recursive: true, force: true });
  }

  /** Runs redis-cli against one of our nodes and returns its output. */
  async cli(port: number, ...args: string[]): Promise<string> {
    const { stdout } = await run('redis-cli', ['-h', HOST, '-p', String(port), ...args], { timeout: READY_TIMEOUT_MS });
    return stdout;
  }

  private async startNode(port: number): Promise<void> {
    await run('redis-server', [
      '--port', String(port), '--bind', HOST,
      '--cluster-enabled', 'yes', '--cluster-config-file', `nodes-${port}.conf`, '--cluster-node-timeout', '2000',
      '--dir', this.dir, '--save', '', '--appendonly', 'no',
      '--daemonize', 'yes', '--pidfile', this.pidFile(port), '--logfile', path.join(this.dir, `redis-${port}.log`),
    ]);
    try {
      await this.waitFor(`redis-server on port ${port} (log: ${this.dir}/redis-${port}.log)`, () => this.isOurs(port));
    } catch (err) {
      this.killByPidFile(port);
      throw err;
    }
    this.started.push(port);
  }

  /** The port answering is not enough: it must be our node (our data folder), not a server that raced us to the port. */
  private async isOurs(port: number): Promise<boolean> {
    const reply = await this.cli(port, 'config', 'get', 'dir').catch(() => '');
    return reply.split('\n').some((line) => line.trim() === this.dir);
  }

  private pidFile(port: number): string {
    return path.join(this.dir, `redis-${port}.pid`);
  }

  /**
   * Redis deletes its pid file as the last step of a clean shutdown. (Polling the pid itself would
   * wait for whoever reaps the daemon: a zombie still answers kill(pid, 0).) A node that does not
   * go is killed by its pid, after checking the pid is still that redis-server.
   */
  private async waitForExit(port: number): Promise<void> {
    const file = this.pidFile(port);
    try {
      await this.waitFor(`redis-server on port ${port} to shut down`, async () => !existsSync(file), 5_000);
    } catch {
      this.killByPidFile(port);
    }
  }

  /** Kills the node whose pid file is in our folder, if that pid is still a redis-server on this port. */
  private killByPidFile(port: number): void {
    const pid = Number(readIfExists(this.pidFile(port)).trim());
    const cmdline = readIfExists(`/proc/${pid}/cmdline`);
    if (pid > 0 && cmdline.includes('redis-server') && cmdline.includes(`:${port}`)) process.kill(pid, 'SIGKILL');
  }

  /** Polls `check` until it holds: no event tells us when a node or the cluster is ready. */
  private async waitFor(what: string, check: () => Promise<boolean>, timeoutMs = READY_TIMEOUT_MS): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    while (!(await check())) {
      if (Date.now() > deadline) throw new Error(`Timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    }
  }
}

function readIfExists(file: string): string {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return '';
  }
}

/** `count` ports p (with p + 10000 for the cluster bus) that nothing listens on, from a random start. */
async function findFreePorts(count: number): Promise<number[]> {
  const ports: number[] = [];
  let candidate = 7100 + Math.floor(Math.random() * 2000);
  while (ports.length < count) {
    if ((await isFree(candidate)) && (await isFree(candidate + BUS_PORT_OFFSET))) ports.push(candidate);
    candidate += 1;
    if (candidate > 9999) throw new Error('No free ports for a private Redis Cluster between 7100 and 9999');
  }
  return ports;
}

function isFree(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, HOST, () => server.close(() => resolve(true)));
  });
}

/** Deletes the keys under `prefix` on every master (a key lives on exactly one). */
export async function deleteClusterKeysWithPrefix(cluster: Cluster, prefix: string): Promise<void> {
  for (const node of cluster.nodes('master')) {
    let cursor = '0';
    do {
      const [next, keys] = await node.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 500);
      cursor = next;
      // One DEL per key: a multi-key DEL must stay within one slot, even on a single node.
      if (keys.length) await Promise.all(keys.map((key) => node.del(key)));
    } while (cursor !== '0');
  }
}
