import { Writable } from 'node:stream';
import winston from 'winston';
import { configureLogging } from '../../src/shared/logging/logger';

export interface LogCapture {
  /** Every line written so far, exactly as the JSON transport would print it. */
  readonly lines: string[];
  /** The lines parsed back into objects. */
  entries(): Record<string, unknown>[];
  /** Puts the silent test logger back. */
  restore(): void;
}

/**
 * Routes the service's logs into memory at `level`, through the same redaction and JSON format as
 * production, so a test can read exactly what an operator would see.
 */
export function captureLogs(level = 'debug'): LogCapture {
  const lines: string[] = [];
  const sink = new Writable({
    write(chunk: Buffer | string, _encoding, done) {
      lines.push(...chunk.toString().split('\n').filter(Boolean));
      done();
    },
  });
  configureLogging(level, [new winston.transports.Stream({ stream: sink })]);
  return {
    lines,
    entries: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>),
    restore: () => void configureLogging('silent'),
  };
}
