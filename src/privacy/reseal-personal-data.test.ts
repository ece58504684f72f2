import { randomBytes } from 'node:crypto';
import { describeWithPostgres } from '../../test/support/conditional';
import { createPgliteTestDatabase, createPostgresTestDatabase, type TestDatabase } from '../../test/support/databases';
import { seedSite } from '../../test/support/sql-seed';
import { PersonalDataCipher } from './personal-data-cipher';
import { resealPersonalData } from './reseal-personal-data';

const INDEX_KEY = randomBytes(32);
const OLD = { id: 'old', key: randomBytes(32) };
const NEW = { id: 'new', key: randomBytes(32) };
const CALLER = '+442079460123';

function runResealTests(createDatabase: () => Promise<TestDatabase>): void {
  let testDb: TestDatabase;
  beforeAll(async () => {
    testDb = await createDatabase();
  });
  afterAll(async () => {
    await testDb?.drop();
  });

  it('when a new key is put first, then clear rows and rows sealed under the old key end up sealed under the new one, and opening gives the same values', async () => {
    // Arrange: one call stored in clear (before encryption existed), one sealed under the old key.
    const { db } = testDb;
    const siteId = await seedSite(db);
    const oldCipher = new PersonalDataCipher([OLD], INDEX_KEY);
    await db.query("INSERT INTO calls (call_sid, site_id, status, status_rank, started_at, from_number, caller_name) VALUES ('CAclear', $1, 'completed', 3, now(), $2, 'Ada Lovelace')", [siteId, CALLER]);
    await db.query("INSERT INTO calls (call_sid, site_id, status, status_rank, started_at, from_number, from_index) VALUES ('CAold', $1, 'completed', 3, now(), $2, $3)", [siteId, oldCipher.seal(CALLER), oldCipher.index('phone', CALLER)]);
    await db.query("INSERT INTO visits (id, site_id, visitor_id, landing_page, source, medium, ip_address) VALUES ('vs_reseal', $1, 'vr_reseal', 'https://shop.example/', 'direct', 'none', $2)", [siteId, oldCipher.seal('198.51.100.7')]);
    const rotated = new PersonalDataCipher([NEW, OLD], INDEX_KEY);

    // Act: twice, as after an interrupted run.
    const first = await resealPersonalData(db, rotated, 1);
    const second = await resealPersonalData(db, rotated, 1);

    // Assert
    expect(first).toMatchObject({ 'calls.from_number': 2, 'calls.caller_name': 1, 'visits.ip_address': 1 });
    expect(Object.values(second).every((n) => n === 0)).toBe(true);
    const calls = await db.query<{ call_sid: string; from_number: string; caller_name: string | null; from_index: string }>("SELECT call_sid, from_number, caller_name, from_index FROM calls WHERE call_sid IN ('CAclear', 'CAold') ORDER BY call_sid");
    for (const c of calls.rows) {
      expect(PersonalDataCipher.keyIdOf(c.from_number)).toBe('new');
      expect(rotated.open(c.from_number)).toBe(CALLER);
      expect(c.from_index).toBe(rotated.index('phone', CALLER));
    }
    expect(rotated.open(calls.rows[0].caller_name as string)).toBe('Ada Lovelace');
    const visit = await db.query<{ ip_address: string }>("SELECT ip_address FROM visits WHERE id = 'vs_reseal'");
    expect(new PersonalDataCipher([NEW], INDEX_KEY).open(visit.rows[0].ip_address)).toBe('198.51.100.7');
  });
}

describe('re-sealing personal data on embedded Postgres', () => runResealTests(createPgliteTestDatabase));
describeWithPostgres('re-sealing personal data on Postgres', () => runResealTests(createPostgresTestDatabase));
