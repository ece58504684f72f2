import { z } from 'zod';
import { ValidationError } from '../errors';
import { parseInput } from './validate';

function errorOf(fn: () => unknown): unknown {
  try {
    fn();
  } catch (err) {
    return err;
  }
  throw new Error('expected a throw');
}

describe('parseInput', () => {
  const schema = z.looseObject({ name: z.string(), tags: z.array(z.string()).optional() });

  it('when the input fits the schema, then the parsed value is returned', () => {
    expect(parseInput(schema, { name: 'Acme', tags: ['a'] })).toEqual({ name: 'Acme', tags: ['a'] });
  });

  it.each([
    ['a field', { name: 'Ac\u0000me' }, 'name'],
    ['an array item', { name: 'Acme', tags: ['ok', '\u0000'] }, 'tags.1'],
    ['a passed-through key', { name: 'Acme', 'x\u0000': 'y' }, 'x\u0000'],
  ])('when %s holds U+0000 (which Postgres text cannot store), then a 400 names where', (_label, input, path) => {
    // Act
    const err = errorOf(() => parseInput(schema, input));

    // Assert
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).extensions).toEqual({ issues: [{ path, message: 'must not contain the NUL character (U+0000)' }] });
  });
});
