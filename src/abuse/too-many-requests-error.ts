import { AppError } from '../shared/errors';

/** 429: a rate limit of the public endpoints; the response carries Retry-After. */
export class TooManyRequestsError extends AppError {
  readonly statusCode = 429;
  readonly title = 'Too many requests';
}
