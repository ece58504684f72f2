import type { ErrorRequestHandler, RequestHandler } from 'express';
import { AppError, NotFoundError, PayloadTooLargeError, ServiceUnavailableError, UnsupportedMediaTypeError, ValidationError } from '../errors';
import { getLogger } from '../logging/logger';
import { isBackendFailure } from '../backend-failure';

const log = getLogger('http');

/** Translates body-parser and other framework errors into our own error types. */
function toAppError(err: unknown): AppError | undefined {
  if (err instanceof AppError) return err;
  const e = err as { type?: string; status?: number; message?: string };
  if (e?.type === 'entity.too.large') return new PayloadTooLargeError('The request body is larger than this endpoint accepts.');
  if (e?.type === 'entity.parse.failed') return new ValidationError('The request body is not valid JSON.');
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported') return new UnsupportedMediaTypeError('Unsupported body encoding.');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new ValidationError(e.message ?? 'Bad request');
  if (isBackendFailure(err)) return new ServiceUnavailableError('A backend (database or pool store) did not answer; please retry.');
  return undefined;
}

/** The one error handler: problem+json for known errors, a logged generic 500 for the rest. */
export const errorHandler: ErrorRequestHandler = (err, req, res, _next) => {
  const known = toAppError(err);
  const problem = known
    ? known.toProblem(req.originalUrl.split('?')[0])
    : { type: 'about:blank', title: 'Internal server error', status: 500, detail: 'An unexpected error occurred.', instance: req.originalUrl.split('?')[0] };
  if (!known || known instanceof ServiceUnavailableError) log.error(known ? 'backend unavailable' : 'unhandled error', { error: err instanceof Error ? { name: err.name, message: err.message, stack: err.stack } : String(err) });
  if (res.headersSent) return;
  res.status(problem.status as number).type('application/problem+json').send(JSON.stringify(problem));
};

export const notFoundHandler: RequestHandler = (req, _res, next) => {
  next(new NotFoundError(`No route for ${req.method} ${req.path}`));
};
