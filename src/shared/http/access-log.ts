import type { RequestHandler } from 'express';
import { getLogger } from '../logging/logger';

const log = getLogger('access');

/** One line per request: method, route path (no query string: it may carry personal data), status, time. */
export const accessLog: RequestHandler = (req, res, next) => {
  const started = performance.now();
  res.on('finish', () => {
    log.debug('request', { method: req.method, path: req.path, status: res.statusCode, ms: Math.round(performance.now() - started) });
  });
  next();
};
