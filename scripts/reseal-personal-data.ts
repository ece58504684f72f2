// Re-seals personal data under the first key of PII_ENCRYPTION_KEYS (after adding a new key in front),
// and seals values stored in clear by versions before encryption. Safe to stop and run again.
import { loadConfig } from '../config';
import { configureLogging } from '../src/shared/logging/logger';
import { openDatabase } from '../src/container';
import { migrate } from '../src/db/migrate';
import { PersonalDataCipher } from '../src/privacy/personal-data-cipher';
import { resealPersonalData } from '../src/privacy/reseal-personal-data';

async function main(): Promise<void> {
  const config = loadConfig();
  configureLogging(config.logLevel);
  const db = await openDatabase(config);
  try {
    await migrate(db);
    const cipher = new PersonalDataCipher(config.personalData.encryptionKeys, config.personalData.indexKey);
    const counts = await resealPersonalData(db, cipher);
    console.log(`re-sealed under key ${cipher.activeKeyId}: ${Object.entries(counts).map(([k, n]) => `${k} ${n}`).join(', ')}`);
  } finally {
    await db.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
