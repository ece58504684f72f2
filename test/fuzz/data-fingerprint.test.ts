import { poolSettings } from '../../src/pool/pool-config-store';
import { BACKENDS, createTrackedSite, visitWithNumber } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { DataWatch, type DataState } from './data-fingerprint';

describe.each(BACKENDS)('DataWatch on %s backends', (backend, available) => {
  const maybe = available ? it : it.skip;
  let t: TestApp;
  let watch: DataWatch;
  let site: Awaited<ReturnType<typeof createTrackedSite>>;
  let before: DataState;

  beforeAll(async () => {
    if (!available) return;
    t = await startTestApp(backend);
    site = await createTrackedSite(t, { numbers: 2 });
    watch = await DataWatch.install(t, site.poolId as string);
  });
  beforeEach(async () => {
    if (available) before = await watch.settle();
  });
  afterAll(async () => {
    await t?.close();
  });

  maybe('when nothing is written, then no change is reported', async () => {
    expect((await watch.changesSince(before)).changes).toEqual([]);
  });

  maybe('when a row is inserted, then its table is reported', async () => {
    // Act
    await t.container.db.query("INSERT INTO clients (name) VALUES ('Fuzz Watch Ltd')");

    // Assert
    const { changes } = await watch.changesSince(before);
    expect(changes).toEqual([expect.stringMatching(/^table clients: 1:\w+ -> 2:\w+$/)]);
  });

  maybe('when a value changes in place, then its table is reported though the row count is the same', async () => {
    // Act
    await t.container.db.query('UPDATE sites SET name = $1 WHERE id = $2', ['Renamed', site.siteId]);

    // Assert
    expect((await watch.changesSince(before)).changes).toEqual([expect.stringMatching(/^table sites: 1:(\w+) -> 1:(?!\1)\w+$/)]);
  });

  maybe('when a statement writes the values that were there, then it is noticed but no change is reported', async () => {
    // Act
    await t.container.db.query('UPDATE sites SET name = name');

    // Assert
    const { changes, now } = await watch.changesSince(before);
    expect(now.writes).not.toBe(before.writes);
    expect(changes).toEqual([]);
  });

  maybe('when a page view waits in the write buffer, then it is flushed and reported', async () => {
    // Act
    const visit = await visitWithNumber(t, site.siteKey);
    const settled = await watch.settle();
    await t.container.services.visits.recordPageView(site.siteKey, visit.visitId, { url: 'https://shop.example/next', kind: 'view' }, t.clock.now());

    // Assert: the table (and the partition the row went to, if it is partitioned)
    const { changes } = await watch.changesSince(settled);
    expect(changes).toContainEqual(expect.stringMatching(/^table page_views: 1:\w+ -> 2:\w+$/));
    expect(changes.filter((c) => !c.startsWith('table page_views'))).toEqual([]);
  });

  maybe('when a lease is renewed in the pool store only, then its number is reported', async () => {
    // Arrange
    const visit = await visitWithNumber(t, site.siteKey);
    const settled = await watch.settle();
    const pool = await t.container.stores.pools.findById(site.poolId as string);

    // Act
    await t.container.poolStore.heartbeat(poolSettings(pool!), visit.visitId, Number(visit.leaseToken), t.clock.now() + 1000);

    // Assert
    expect((await watch.changesSince(settled)).changes).toEqual([expect.stringMatching(/^number [0-9a-f-]{36}: .*"renewedAt"/)]);
  });

  maybe('when an audit entry is still being written as the watch settles, then it is waited for, not blamed on the next request', async () => {
    // Arrange: as auditAdminWrites does once the response has gone
    void t.container.privacy.audit.record({ actor: 'operator', clientId: null, action: 'PATCH /v1/clients/:clientId', targetType: 'client', targetId: null });

    // Act
    const settled = await watch.settle(before);

    // Assert
    expect(settled.tables['table audit_log']).not.toBe(before.tables['table audit_log']);
    expect((await watch.changesSince(settled)).changes).toEqual([]);
  });
});
