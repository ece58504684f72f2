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

  const NUL = 'must not contain the NUL character (U+0000)';
  const SURROGATE = 'must be well-formed Unicode (it holds an unpaired surrogate)';

  it.each([
    ['a field holds U+0000', { name: 'Ac\u0000me' }, 'name', NUL],
    ['an array item holds U+0000', { name: 'Acme', tags: ['ok', '\u0000'] }, 'tags.1', NUL],
    ['a passed-through key holds U+0000', { name: 'Acme', 'x\u0000': 'y' }, 'x\u0000', NUL],
    ['a field holds a lone high surrogate', { name: 'Acme \ud83d' }, 'name', SURROGATE],
    ['a field holds a lone low surrogate', { name: '\ude00 Acme' }, 'name', SURROGATE],
  ])('when %s (which Postgres cannot store), then a 400 names where', (_label, input, path, message) => {
    // Act
    const err = errorOf(() => parseInput(schema, input));

    // Assert
    expect(err).toBeInstanceOf(ValidationError);
    expect((err as ValidationError).extensions).toEqual({ issues: [{ path, message }] });
  });

  it('when a field holds emoji and other characters beyond the BMP (surrogate pairs), then it is accepted', () => {
    expect(parseInput(schema, { name: 'Acme 📞 ℌ𝔢𝔩𝔩𝔬' })).toEqual({ name: 'Acme 📞 ℌ𝔢𝔩𝔩𝔬' });
  });
});
