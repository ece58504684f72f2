import winston from 'winston';
import { AsyncLocalStorage } from 'node:async_hooks';
import { redactValue } from './redact';

/** Carries the request id to every log line written while serving that request. */
export const requestContext = new AsyncLocalStorage<{ requestId: string }>();

const WINSTON_META = new Set(['level', 'message', 'timestamp', 'module', 'requestId']);

const redactFormat = winston.format((info) => {
  for (const key of Object.keys(info)) {
    if (WINSTON_META.has(key)) continue;
    info[key] = redactValue(key, info[key]);
  }
  if (typeof info.message === 'string') info.message = redactValue('message', info.message) as string;
  const ctx = requestContext.getStore();
  if (ctx && !info.requestId) info.requestId = ctx.requestId;
  return info;
});

let root: winston.Logger | undefined;

export function configureLogging(level: string, transports?: winston.transport[]): winston.Logger {
  root = winston.createLogger({
    level: level === 'silent' ? 'error' : level,
    silent: level === 'silent',
    format: winston.format.combine(redactFormat(), winston.format.timestamp(), winston.format.json()),
    transports: transports ?? [new winston.transports.Console()],
  });
  return root;
}

function rootLogger(): winston.Logger {
  return root ?? configureLogging(process.env.LOG_LEVEL ?? 'info');
}

export interface Logger {
  error(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  debug(message: string, meta?: Record<string, unknown>): void;
}

/** A per-module logger; resolves the root lazily so tests can swap transports after import. */
export function getLogger(module: string): Logger {
  // Checking the level first skips building and formatting entries nobody will see (the access log's
  // debug line runs on every request).
  const log = (level: string) => (message: string, meta: Record<string, unknown> = {}) => {
    const root = rootLogger();
    if (root.isLevelEnabled(level)) root.log(level, message, { module, ...meta });
  };
  return { error: log('error'), warn: log('warn'), info: log('info'), debug: log('debug') };
}
