import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';

/**
 * Personal data at rest (caller numbers, caller names, IP addresses) is stored sealed:
 * AES-256-GCM under the active key, the key id written into every value so keys can rotate
 * (old keys keep decrypting until scripts/reencrypt-personal-data re-seals their rows).
 *
 *   pd1.<keyId>.<base64url(12-byte IV | ciphertext | 16-byte tag)>
 *
 * Equality lookups (is this caller a repeat caller? which calls belong to this data subject?) use a
 * keyed HMAC-SHA256 index rather than a plain hash: the space of phone numbers is small enough to
 * enumerate, so a hash without a secret key would reveal every number.
 */
export type SubjectKind = 'phone' | 'visitor';

const PREFIX = 'pd1.';
const IV_BYTES = 12;
const TAG_BYTES = 16;
const SEALED = /^pd1\.([A-Za-z0-9_-]{1,16})\.([A-Za-z0-9_-]+)$/;

export class PersonalDataError extends Error {}

export class PersonalDataCipher {
  private readonly keys: Map<string, Buffer>;
  readonly activeKeyId: string;

  constructor(encryptionKeys: readonly { id: string; key: Buffer }[], private readonly indexKey: Buffer) {
    if (!encryptionKeys.length) throw new PersonalDataError('at least one encryption key is required');
    for (const k of encryptionKeys) if (k.key.length !== 32) throw new PersonalDataError(`key ${k.id} is not 32 bytes`);
    if (indexKey.length < 32) throw new PersonalDataError('the index key must be at least 32 bytes');
    this.keys = new Map(encryptionKeys.map((k) => [k.id, k.key]));
    this.activeKeyId = encryptionKeys[0].id;
  }

  seal(plain: string): string {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', this.keys.get(this.activeKeyId) as Buffer, iv);
    const body = Buffer.concat([iv, cipher.update(plain, 'utf8'), cipher.final(), cipher.getAuthTag()]);
    return `${PREFIX}${this.activeKeyId}.${body.toString('base64url')}`;
  }

  /** null in, null out: most personal fields are optional. */
  sealNullable(plain: string | null | undefined): string | null {
    return plain === null || plain === undefined ? null : this.seal(plain);
  }

  /** Throws on a value that is not sealed, was sealed under an unknown key, or was tampered with. */
  open(sealed: string): string {
    const match = SEALED.exec(sealed);
    if (!match) throw new PersonalDataError('value is not sealed personal data');
    const key = this.keys.get(match[1]);
    if (!key) throw new PersonalDataError(`value sealed under key ${match[1]}, which is not configured (PII_ENCRYPTION_KEYS)`);
    const body = Buffer.from(match[2], 'base64url');
    if (body.length < IV_BYTES + TAG_BYTES) throw new PersonalDataError('sealed value is truncated');
    const decipher = createDecipheriv('aes-256-gcm', key, body.subarray(0, IV_BYTES));
    decipher.setAuthTag(body.subarray(body.length - TAG_BYTES));
    try {
      return Buffer.concat([decipher.update(body.subarray(IV_BYTES, body.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new PersonalDataError('sealed value failed authentication (wrong key or altered)');
    }
  }

  openNullable(sealed: string | null | undefined): string | null {
    return sealed === null || sealed === undefined ? null : this.open(sealed);
  }

  /** The key a value was sealed under, or null when it is not sealed (a row written before encryption). */
  static keyIdOf(value: string): string | null {
    return SEALED.exec(value)?.[1] ?? null;
  }

  static isSealed(value: string): boolean {
    return SEALED.test(value);
  }

  /**
   * The lookup index of a subject: the same number gives the same index under one index key, and
   * nothing about the number can be learnt from it without that key. Phone numbers must be E.164.
   */
  index(kind: SubjectKind, value: string): string {
    return createHmac('sha256', this.indexKey).update(`${kind}:${value}`).digest('base64url');
  }

  indexNullable(kind: SubjectKind, value: string | null | undefined): string | null {
    return value === null || value === undefined || value === '' ? null : this.index(kind, value);
  }
}
