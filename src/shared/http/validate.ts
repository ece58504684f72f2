import { z } from 'zod';
import { ValidationError } from '../errors';

/** Parses input with a zod schema; a failure becomes a 400 problem listing each bad field. */
export function parseInput<S extends z.ZodType>(schema: S, input: unknown, what = 'request body'): z.infer<S> {
  const result = schema.safeParse(input);
  if (result.success) {
    const unstorable = findUnstorableText(result.data);
    if (unstorable) throw new ValidationError(`Invalid ${what}: ${unstorable.path}: ${unstorable.message}`, { issues: [unstorable] });
    return result.data;
  }
  const issues = result.error.issues.map((i) => ({ path: i.path.join('.') || '(root)', message: i.message }));
  throw new ValidationError(`Invalid ${what}: ${issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`, { issues });
}

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

/** Why Postgres could not store a string: text refuses U+0000, and jsonb (the batch writes) unpaired surrogates. */
function unstorable(s: string): string | undefined {
  if (s.includes('\u0000')) return 'must not contain the NUL character (U+0000)';
  if (LONE_SURROGATE.test(s)) return 'must be well-formed Unicode (it holds an unpaired surrogate)';
  return undefined;
}

/**
 * The first string (or key) of the parsed input that Postgres cannot store. Refused here as a 400:
 * further in, it fails as a 500, or worse, poisons a write buffer (page views, visits) that then
 * retries the same batch for ever.
 */
function findUnstorableText(value: unknown, path = ''): { path: string; message: string } | undefined {
  if (typeof value === 'string') {
    const message = unstorable(value);
    return message ? { path: path || '(root)', message } : undefined;
  }
  if (value === null || typeof value !== 'object') return undefined;
  for (const [key, v] of Object.entries(value)) {
    const at = path ? `${path}.${key}` : key;
    const message = unstorable(key);
    if (message) return { path: at, message };
    const found = findUnstorableText(v, at);
    if (found) return found;
  }
  return undefined;
}
