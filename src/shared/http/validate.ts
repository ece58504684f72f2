import { z } from 'zod';
import { ValidationError } from '../errors';

/** Parses input with a zod schema; a failure becomes a 400 problem listing each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) {
    // Postgres text cannot hold U+0000: refused here, not as a 500 from the database (or a call write queued for ever).
    const withNul = pathToNul(result.data);
    if (withNul !== undefined) {
      const issue = { path: withNul || '(root)', message: 'must not contain the NUL character (U+0000)' };
      throw new ValidationError(`Invalid ${what}: ${issue.path}: ${issue.message}`, { issues: [issue] });
    }
    return result.data;
  }
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  throw new ValidationError(`Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}

/** The dotted path to the first string (or key) holding U+0000, '' for the value itself; undefined if none does. */
function pathToNul(value: unknown, path = ''): string | undefined {
  if (typeof value === 'string') return value.includes('\u0000') ? path : undefined;
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    if (key.includes('\u0000')) return at;
    const found = pathToNul(v, at);
    if (found !== undefined) return found;
  }
  return undefined;
}
