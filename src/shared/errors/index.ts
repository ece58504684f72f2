import { AppError } from './app-error';

export { AppError };

export class ValidationError extends AppError {
  readonly statusCode = 400;
  readonly title = 'Invalid request';
}
export class UnauthorizedError extends AppError {
  readonly statusCode = 401;
  readonly title = 'Unauthorized';
}
export class ForbiddenError extends AppError {
  readonly statusCode = 403;
  readonly title = 'Forbidden';
}
export class NotFoundError extends AppError {
  readonly statusCode = 404;
  readonly title = 'Not found';
}
export class ConflictError extends AppError {
  readonly statusCode = 409;
  readonly title = 'Conflict';
}
export class PayloadTooLargeError extends AppError {
  readonly statusCode = 413;
  readonly title = 'Payload too large';
}
export class UnsupportedMediaTypeError extends AppError {
  readonly statusCode = 415;
  readonly title = 'Unsupported media type';
}
/** A backend (Postgres, Redis, carrier) could not answer; distinct from "nothing found". */
export class ServiceUnavailableError extends AppError {
  readonly statusCode = 503;
  readonly title = 'Service unavailable';
}
