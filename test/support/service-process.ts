import { spawn } from 'node:child_process';
import { createServer } from 'node:net';
import path from 'node:path';

const ROOT = path.resolve(__dirname, '..', '..');

/** The service running as its own OS process (src/server.ts, compiled on the fly by swc-register.js). */
export interface ServiceProcess {
  baseUrl: string;
  pid: number;
  /** Everything the process wrote to stdout and stderr so far, for failure messages. */
  output(): string;
  /** Sends SIGTERM (the service drains requests and flushes lease history) and resolves with the exit code. */
  stop(timeoutMs?: number): Promise<number | null>;
  /** SIGKILL, for cleanup after a failure; does nothing once the process has exited. */
  kill(): void;
}

/** A port nobody listens on right now (the kernel's choice), for a child that must be told its port. */
export async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve, reject) => server.once('error', reject).listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

/**
 * Starts `node src/server.ts` with exactly `env` (plus PATH, HOST=127.0.0.1 and a free PORT) and
 * resolves once /readyz answers 200, i.e. its database and pool store answer too.
 */
export async function startServiceProcess(env: Record<string, string>, readyTimeoutMs = 20_000): Promise<ServiceProcess> {
  const port = await freePort();
  const child = spawn(process.execPath, ['-r', './scripts/swc-register.js', 'src/server.ts'], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', ...env, HOST: '127.0.0.1', PORT: String(port) },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  let hasExited = false;
  void exited.then(() => (hasExited = true));

  const baseUrl = `http://127.0.0.1:${port}`;
  const service: ServiceProcess = {
    baseUrl,
    pid: child.pid as number,
    output: () => output,
    async stop(timeoutMs = 15_000) {
      if (hasExited) return exited;
      child.kill('SIGTERM');
      const timer = new Promise<'timeout'>((resolve) => setTimeout(() => resolve('timeout'), timeoutMs).unref());
      const result = await Promise.race([exited, timer]);
      if (result === 'timeout') {
        child.kill('SIGKILL');
        throw new Error(`service process ${child.pid} did not exit within ${timeoutMs} ms of SIGTERM\n${output}`);
      }
      return result;
    },
    kill() {
      if (!hasExited) child.kill('SIGKILL');
    },
  };

  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (hasExited) throw new Error(`service process exited before it was ready (code ${await exited})\n${output}`);
    if (Date.now() > deadline) {
      service.kill();
      throw new Error(`service process was not ready within ${readyTimeoutMs} ms\n${output}`);
    }
    const ready = await fetch(`${baseUrl}/readyz`).then(
      (res) => res.ok,
      () => false,
    );
    if (ready) return service;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
