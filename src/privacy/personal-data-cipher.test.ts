import { PersonalDataCipher, PersonalDataError } from './personal-data-cipher';

const key = (fill: number) => Buffer.alloc(32, fill);
const INDEX_KEY = key(11);
const CALLER = '+442079460123';

/** Flips one character of the sealed body (not the prefix or key id), as a corrupted or forged value would. */
function tamper(sealed: string, at = -5): string {
  const i = sealed.length + at;
  return `${sealed.slice(0, i)}${sealed[i] === 'A' ? 'B' : 'A'}${sealed.slice(i + 1)}`;
}

describe('PersonalDataCipher: sealing', () => {
  it('when a value is sealed and opened, then the same text comes back, under the active key id', () => {
    const cipher = new PersonalDataCipher([{ id: 'k1', key: key(1) }], INDEX_KEY);

    const sealed = cipher.seal(CALLER);

    expect(sealed).toMatch(/^pd1\.k1\.[A-Za-z0-9_-]+$/);
    expect(sealed).not.toContain(CALLER.slice(1));
    expect(cipher.open(sealed)).toBe(CALLER);
    expect(PersonalDataCipher.isSealed(sealed)).toBe(true);
    expect(PersonalDataCipher.keyIdOf(sealed)).toBe('k1');
  });

  it('when the same value is sealed twice, then the two sealed values differ (a fresh IV each time)', () => {
    const cipher = new PersonalDataCipher([{ id: 'k1', key: key(1) }], INDEX_KEY);

    expect(cipher.seal(CALLER)).not.toBe(cipher.seal(CALLER));
  });

  it('when text outside ASCII is sealed, then it opens unchanged', () => {
    const cipher = new PersonalDataCipher([{ id: 'k1', key: key(1) }], INDEX_KEY);

    expect(cipher.open(cipher.seal('Zoë Ångström-Ñúñez'))).toBe('Zoë Ångström-Ñúñez');
    expect(cipher.open(cipher.seal(''))).toBe('');
  });

  it('when null or undefined is sealed or opened, then null comes back', () => {
    const cipher = new PersonalDataCipher([{ id: 'k1', key: key(1) }], INDEX_KEY);

    expect(cipher.sealNullable(null)).toBeNull();
    expect(cipher.sealNullable(undefined)).toBeNull();
    expect(cipher.openNullable(null)).toBeNull();
    expect(cipher.openNullable(cipher.sealNullable(CALLER))).toBe(CALLER);
  });

  it('when a sealed value is altered, then opening it throws', () => {
    const cipher = new PersonalDataCipher([{ id: 'k1', key: key(1) }], INDEX_KEY);
    const sealed = cipher.seal(CALLER);

    expect(() => cipher.open(tamper(sealed))).toThrow(PersonalDataError);
    expect(() => cipher.open(tamper(sealed, -30))).toThrow(PersonalDataError);
    expect(() => cipher.open(sealed.slice(0, 20))).toThrow(PersonalDataError);
  });

  it('when a value was sealed under another key with the same id, then opening it throws', () => {
    const ours = new PersonalDataCipher([{ id: 'k1', key: key(1) }], INDEX_KEY);
    const theirs = new PersonalDataCipher([{ id: 'k1', key: key(2) }], INDEX_KEY);

    expect(() => ours.open(theirs.seal(CALLER))).toThrow(/failed authentication/);
  });

  it('when a value names a key id that is not configured, then opening it throws naming the key id', () => {
    const old = new PersonalDataCipher([{ id: 'old', key: key(1) }], INDEX_KEY);
    const current = new PersonalDataCipher([{ id: 'new', key: key(2) }], INDEX_KEY);

    expect(() => current.open(old.seal(CALLER))).toThrow(/key old, which is not configured/);
  });

  it.each([
    ['a clear number', CALLER],
    ['an empty string', ''],
    ['another version prefix', 'pd2.k1.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA'],
    ['a key id that is too long', `pd1.${'k'.repeat(17)}.AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA`],
  ])('when %s is opened, then it throws as not sealed', (_label, value) => {
    const cipher = new PersonalDataCipher([{ id: 'k1', key: key(1) }], INDEX_KEY);

    expect(PersonalDataCipher.isSealed(value)).toBe(false);
    expect(PersonalDataCipher.keyIdOf(value)).toBeNull();
    expect(() => cipher.open(value)).toThrow(PersonalDataError);
  });
});

describe('PersonalDataCipher: key rotation', () => {
  it('when a new key is listed first and the old one second, then old values still open and new values use the new key', () => {
    const before = new PersonalDataCipher([{ id: '2025', key: key(1) }], INDEX_KEY);
    const sealedBefore = before.seal(CALLER);
    const after = new PersonalDataCipher([{ id: '2026', key: key(2) }, { id: '2025', key: key(1) }], INDEX_KEY);

    const sealedAfter = after.seal(CALLER);

    expect(after.activeKeyId).toBe('2026');
    expect(after.open(sealedBefore)).toBe(CALLER);
    expect(PersonalDataCipher.keyIdOf(sealedAfter)).toBe('2026');
    expect(after.open(sealedAfter)).toBe(CALLER);
    expect(() => before.open(sealedAfter)).toThrow(PersonalDataError);
  });

  it('when the keys rotate, then the index does not change (it has a key of its own)', () => {
    const before = new PersonalDataCipher([{ id: '2025', key: key(1) }], INDEX_KEY);
    const after = new PersonalDataCipher([{ id: '2026', key: key(2) }, { id: '2025', key: key(1) }], INDEX_KEY);

    expect(after.index('phone', CALLER)).toBe(before.index('phone', CALLER));
  });
});

describe('PersonalDataCipher: lookup index', () => {
  const cipher = new PersonalDataCipher([{ id: 'k1', key: key(1) }], INDEX_KEY);

  it('when the same subject is indexed twice, then the index is the same and reveals nothing of the number', () => {
    const index = cipher.index('phone', CALLER);

    expect(cipher.index('phone', CALLER)).toBe(index);
    expect(index).toMatch(/^[A-Za-z0-9_-]{43}$/);
    expect(index).not.toContain('2079460123');
  });

  it('when two numbers are indexed, then their indexes differ', () => {
    expect(cipher.index('phone', CALLER)).not.toBe(cipher.index('phone', '+442079460124'));
  });

  it('when the same value is indexed as a phone and as a visitor, then the indexes differ', () => {
    expect(cipher.index('phone', 'vr_abcdefgh')).not.toBe(cipher.index('visitor', 'vr_abcdefgh'));
  });

  it('when another index key is used, then the same number gets another index (an index is useless without its key)', () => {
    const other = new PersonalDataCipher([{ id: 'k1', key: key(1) }], key(12));

    expect(other.index('phone', CALLER)).not.toBe(cipher.index('phone', CALLER));
  });

  it('when there is no value, then there is no index', () => {
    expect(cipher.indexNullable('phone', null)).toBeNull();
    expect(cipher.indexNullable('phone', undefined)).toBeNull();
    expect(cipher.indexNullable('phone', '')).toBeNull();
    expect(cipher.indexNullable('phone', CALLER)).toBe(cipher.index('phone', CALLER));
  });
});

describe('PersonalDataCipher: configuration', () => {
  it.each([
    ['no encryption key', [], INDEX_KEY, /at least one encryption key/],
    ['an encryption key of 31 bytes', [{ id: 'k1', key: Buffer.alloc(31, 1) }], INDEX_KEY, /key k1 is not 32 bytes/],
    ['an index key of 16 bytes', [{ id: 'k1', key: key(1) }], Buffer.alloc(16, 1), /index key must be at least 32 bytes/],
  ])('when built with %s, then it refuses to start', (_label, keys, indexKey, message) => {
    expect(() => new PersonalDataCipher(keys, indexKey)).toThrow(message);
  });
});
