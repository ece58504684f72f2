import type { Container } from '../container';
import { getLogger } from '../shared/logging/logger';

const log = getLogger('demo');

/** Fixed so the README, the sample page and simulate-call can find the demo site without a lookup. */
export const DEMO_SITE_KEY = 'sk_demo_localhost';
export const DEMO_SWAP_TARGET = '+441134960000';
export const DEMO_FORWARD_TO = '+441134960999';

/**
 * A demo client, site (tracking on, served on localhost) and pool of five fictional numbers, created
 * once per database so a fresh clone shows the whole path straight away.
 */
export async function seedDemo(c: Container): Promise<{ siteKey: string; created: boolean }> {
  if (await c.stores.sites.findByKey(DEMO_SITE_KEY)) return { siteKey: DEMO_SITE_KEY, created: false };
  const client = await c.stores.clients.create('Demo Client');
  const site = await c.stores.sites.create({
    clientId: client.id,
    name: 'Demo site',
    siteKey: DEMO_SITE_KEY,
    domains: ['localhost', '127.0.0.1'],
    trackingEnabled: true,
    swapTargets: [DEMO_SWAP_TARGET],
  });
  const pool = await c.services.pools.createPool({ siteId: site.id, name: 'Demo pool', forwardTo: DEMO_FORWARD_TO });
  const { numbers } = await c.services.pools.provisionNumbers({ poolId: pool.id, count: 5, country: 'GB', areaCode: '20' });
  c.siteDirectory.forget(DEMO_SITE_KEY);
  log.info('demo data seeded', { siteKey: DEMO_SITE_KEY, poolId: pool.id, numbers: numbers.length });
  return { siteKey: DEMO_SITE_KEY, created: true };
}
