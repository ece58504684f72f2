import { PersonalDataCipher } from '../../src/privacy/personal-data-cipher';

/** Fixed test-only keys (never used outside tests), so a service restarted on the same data reads it back. */
const ENCRYPTION_KEY = Buffer.alloc(32, 7).toString('base64');
const INDEX_KEY = Buffer.alloc(32, 11).toString('base64');

export const TEST_PERSONAL_DATA_ENV = { PII_ENCRYPTION_KEYS: `test1:${ENCRYPTION_KEY}`, PII_INDEX_KEY: INDEX_KEY };

/** The cipher a test app built with TEST_PERSONAL_DATA_ENV uses: to read sealed columns back in assertions. */
export function testCipher(): PersonalDataCipher {
  return new PersonalDataCipher([{ id: 'test1', key: Buffer.from(ENCRYPTION_KEY, 'base64') }], Buffer.from(INDEX_KEY, 'base64'));
}
