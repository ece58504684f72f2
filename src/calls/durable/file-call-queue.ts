import { mkdir, open, readdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import { getLogger } from '../../shared/logging/logger';
import { drainEntry, type CallQueue, type DrainResult } from './call-queue';
import { serializeCallWrite, type CallWrite } from './call-write';

const log = getLogger('call-queue');
const PENDING = 'pending.jsonl';
const DEAD = 'dead.jsonl';

/**
 * The last resort when neither Postgres nor Redis takes a call write (and the only queue in embedded
 * mode): JSON lines appended to `pending.jsonl` and fsync'd before the webhook answers. A drain first
 * renames the file to `draining-*.jsonl` (new writes start a fresh file), applies its lines, and deletes
 * it; a drain cut short rewrites the file with the lines still to apply. A line cut short by a crash
 * is unreadable and goes to `dead.jsonl`. One process per folder: instances must not share it.
 */
export class FileCallQueue implements CallQueue {
  readonly name = 'file';
  /** Appends and the rename that starts a drain take turns, so no append lands in a file being read. */
  private turn: Promise<unknown> = Promise.resolve();
  private draining?: Promise<DrainResult>;

  constructor(private readonly dir: string) {}

  append(w: CallWrite): Promise<void> {
    return this.exclusive(async () => {
      await mkdir(this.dir, { recursive: true });
      const file = await open(path.join(this.dir, PENDING), 'a', 0o600);
      try {
        await file.write(`${serializeCallWrite(w)}\n`);
        await file.sync();
      } finally {
        await file.close();
      }
    });
  }

  /** Concurrent calls share one run. */
  drain(apply: (w: CallWrite) => Promise<void>): Promise<DrainResult> {
    this.draining ??= this.drainFiles(apply).finally(() => (this.draining = undefined));
    return this.draining;
  }

  async size(): Promise<number> {
    let n = 0;
    for (const f of await this.queueFiles(true)) n += (await readFile(path.join(this.dir, f), 'utf8')).split('\n').filter(Boolean).length;
    return n;
  }

  private async drainFiles(apply: (w: CallWrite) => Promise<void>): Promise<DrainResult> {
    const result: DrainResult = { applied: 0, deadLettered: 0, interrupted: false };
    await this.exclusive(async () => {
      const pending = path.join(this.dir, PENDING);
      await rename(pending, path.join(this.dir, `draining-${Date.now()}-${randomBytes(4).toString('hex')}.jsonl`)).catch((err: NodeJS.ErrnoException) => {
        if (err.code !== 'ENOENT') throw err;
      });
    });
    for (const name of await this.queueFiles(false)) {
      const file = path.join(this.dir, name);
      const lines = (await readFile(file, 'utf8')).split('\n').filter(Boolean);
      for (let i = 0; i < lines.length; i += 1) {
        const outcome = await drainEntry(lines[i], apply, (err, callSid) => this.deadLetter(lines[i], err, callSid), result);
        if (outcome === 'interrupted') {
          // Keep what is left, this entry first, for the next drain.
          await this.rewrite(file, lines.slice(i));
          return result;
        }
      }
      await unlink(file);
    }
    return result;
  }

  /** Files holding writes, oldest first: drains cut short, then (when asked) the one being appended to. */
  private async queueFiles(includePending: boolean): Promise<string[]> {
    const names = await readdir(this.dir).catch((err: NodeJS.ErrnoException) => {
      if (err.code === 'ENOENT') return [] as string[];
      throw err;
    });
    const draining = names.filter((n) => n.startsWith('draining-') && n.endsWith('.jsonl')).sort();
    return includePending && names.includes(PENDING) ? [...draining, PENDING] : draining;
  }

  /** Replaces a file atomically: a crash leaves either the old lines or the new ones, never half. */
  private async rewrite(file: string, lines: string[]): Promise<void> {
    const tmp = `${file}.tmp`;
    await writeFile(tmp, lines.map((l) => `${l}\n`).join(''), { mode: 0o600, flush: true });
    await rename(tmp, file);
  }

  private async deadLetter(line: string, err: unknown, callSid?: string): Promise<void> {
    log.error('queued call write refused; moved to dead.jsonl', { callSid, error: err });
    await writeFile(path.join(this.dir, DEAD), `${JSON.stringify({ error: (err as Error)?.message ?? String(err), line })}\n`, { flag: 'a', mode: 0o600, flush: true });
  }

  private exclusive<T>(fn: () => Promise<T>): Promise<T> {
    const run = this.turn.then(fn, fn);
    this.turn = run.catch(() => undefined);
    return run;
  }
}
