import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';

/** A port the kernel just handed out on loopback; free unless someone grabs it in the next moment. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      probe.close(() => resolve(port));
    });
  });
}

/** How a child ended: its exit code, or the signal that killed it (SIGKILL: it did not stop in time). */
export interface ChildExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface ChildServer {
  name: string;
  baseUrl: string;
  pid: number | undefined;
  /** SIGTERM, then SIGKILL after `stopTimeoutMs` (default 5 s); safe to call twice. */
  stop(): Promise<ChildExit>;
  /** The last few KB of its stdout and stderr. */
  output(): string;
}

export interface StartChildOptions {
  name: string;
  script: string;
  args?: string[];
  nodeArgs?: string[];
  env: Record<string, string>;
  port: number;
  /** Resolves true once the child answers like a started server. */
  isReady(baseUrl: string): Promise<boolean>;
  readyTimeoutMs?: number;
  /** How long SIGTERM may take before SIGKILL (default 5 s). */
  stopTimeoutMs?: number;
}

const OUTPUT_KEPT = 8_000;

/** Starts a node server as a child process and waits until it answers; its output is kept for errors. */
export async function startChild(o: StartChildOptions): Promise<ChildServer> {
  const child = spawn(process.execPath, [...(o.nodeArgs ?? []), o.script, ...(o.args ?? [])], { env: o.env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  const keep = (chunk: Buffer) => {
    output = (output + chunk.toString()).slice(-OUTPUT_KEPT);
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  const exited = new Promise<ChildExit>((resolve) => child.once('exit', (code, signal) => resolve({ code, signal })));
  const baseUrl = `http://127.0.0.1:${o.port}`;
  const server: ChildServer = { name: o.name, baseUrl, pid: child.pid, stop: () => stopChild(child, exited, o.stopTimeoutMs ?? 5_000), output: () => output };

  const deadline = Date.now() + (o.readyTimeoutMs ?? 60_000);
  while (Date.now() < deadline) {
    if (child.exitCode !== null || child.signalCode !== null) {
      throw new Error(`${o.name} exited before it was ready (code ${child.exitCode ?? child.signalCode}):\n${output}`);
    }
    if (await o.isReady(baseUrl).catch(() => false)) return server;
    await new Promise((r) => setTimeout(r, 200));
  }
  await server.stop();
  throw new Error(`${o.name} was not ready within ${o.readyTimeoutMs ?? 60_000} ms:\n${output}`);
}

async function stopChild(child: ChildProcess, exited: Promise<ChildExit>, timeoutMs: number): Promise<ChildExit> {
  if (child.exitCode !== null || child.signalCode !== null) return exited;
  child.kill('SIGTERM');
  // The service drains in-flight requests and flushes lease history first.
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exit = await exited;
  clearTimeout(timer);
  return exit;
}
