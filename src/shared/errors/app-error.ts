/**
 * The one error base class. Domain code throws subclasses; the HTTP error handler turns them into
 * application/problem+json (RFC 9457) and logs only errors that are not AppErrors.
 */
export abstract class AppError extends Error {
  abstract readonly statusCode: number;
  abstract readonly title: string;
  /** Extra members of the problem document (for example validation issues). */
  readonly extensions: Record<string, unknown>;

  constructor(detail: string, extensions: Record<string, unknown> = {}) {
    super(detail);
    this.name = new.target.name;
    this.extensions = extensions;
  }

  get type(): string {
    return `https://call-tracking.dev/problems/${this.title.toLowerCase().replace(/[^a-z0-9]+/g, '-')}`;
  }

  toProblem(instance?: string): Record<string, unknown> {
    return { type: this.type, title: this.title, status: this.statusCode, detail: this.message, instance, ...this.extensions };
  }
}
