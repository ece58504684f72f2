import type { Database } from '../db/database';
import { PersonalDataCipher } from './personal-data-cipher';

/** Every sealed column, and for caller numbers the index kept beside them. */
const SEALED_COLUMNS: { table: string; key: string; column: string; indexColumn?: string }[] = [
  { table: 'calls', key: 'id', column: 'from_number', indexColumn: 'from_index' },
  { table: 'calls', key: 'id', column: 'caller_name' },
  { table: 'calls', key: 'id', column: 'forwarded_from' },
  { table: 'visits', key: 'id', column: 'ip_address' },
  { table: 'privacy_requests', key: 'id', column: 'subject_sealed' },
  { table: 'sites', key: 'id', column: 'ga4_api_secret_sealed' },
  { table: 'webhook_endpoints', key: 'id', column: 'secret_sealed' },
  { table: 'deliveries', key: 'id', column: 'body_sealed' },
];

/**
 * Key rotation and upgrade: re-seals every value that is not sealed under the active key (sealed under
 * an older key, or stored in clear before encryption existed), in batches, each its own statement, so
 * it can be stopped and run again. The old key must stay in PII_ENCRYPTION_KEYS until this has run.
 */
export async function resealPersonalData(db: Database, cipher: PersonalDataCipher, batchSize = 500): Promise<Record<string, number>> {
  const counts: Record<string, number> = {};
  const activePrefix = `pd1.${cipher.activeKeyId}.`;
  for (const c of SEALED_COLUMNS) {
    let done = 0;
    for (;;) {
      const { rows } = await db.query<{ k: string; v: string }>(
        `SELECT ${c.key}::text AS k, ${c.column} AS v FROM ${c.table} WHERE ${c.column} IS NOT NULL AND left(${c.column}, $1) <> $2 LIMIT $3`,
        [activePrefix.length, activePrefix, batchSize],
      );
      if (!rows.length) break;
      const updates = rows.map((r) => {
        const plain = PersonalDataCipher.isSealed(r.v) ? cipher.open(r.v) : r.v;
        return { k: r.k, v: cipher.seal(plain), i: c.indexColumn ? cipher.index('phone', plain) : null };
      });
      const setIndex = c.indexColumn ? `, ${c.indexColumn} = COALESCE(t.${c.indexColumn}, u.i)` : '';
      await db.query(
        `UPDATE ${c.table} t SET ${c.column} = u.v${setIndex}
           FROM jsonb_to_recordset($1::jsonb) AS u(k text, v text, i text) WHERE t.${c.key}::text = u.k`,
        [JSON.stringify(updates)],
      );
      done += rows.length;
    }
    counts[`${c.table}.${c.column}`] = done;
  }
  return counts;
}
