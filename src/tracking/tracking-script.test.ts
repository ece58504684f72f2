import { gzipSync } from 'node:zlib';
import type { Site } from '../sites/site-store';
import { TrackingScripts } from './tracking-script';

const SITE: Site = {
  id: '00000000-0000-4000-8000-000000000001',
  clientId: '00000000-0000-4000-8000-000000000002',
  name: 'Acme',
  siteKey: 'sk_budgetcheck0',
  domains: ['shop.example'],
  trackingEnabled: true,
  // The most a site may have (POST /v1/sites allows 20 swap targets).
  swapTargets: Array.from({ length: 20 }, (_, i) => `+4420794600${String(i).padStart(2, '0')}`),
  consent: 'required',
  honorDnt: true,
  honorGpc: true,
  createdAt: new Date(0),
};

/** The budget for what a page downloads. */
const BUDGET_GZIPPED_BYTES = 6 * 1024;

describe('TrackingScripts', () => {
  const scripts = new TrackingScripts('https://calls.example.test', 60);

  it('when a site with the most swap targets gets its script, then it is at most 6 KB gzipped', async () => {
    const script = await scripts.forSite(SITE);

    expect(gzipSync(script.body, { level: 9 }).length).toBeLessThanOrEqual(BUDGET_GZIPPED_BYTES);
    expect(script.gzipped.length).toBeLessThanOrEqual(BUDGET_GZIPPED_BYTES);
  });

  it('when the script is built, then it carries the site settings in place of the placeholder', async () => {
    const { body } = await scripts.forSite(SITE);

    expect(body).not.toContain('__CT_CONFIG__');
    expect(body).toContain('"siteKey":"sk_budgetcheck0"');
    expect(body).toContain('"consent":"required"');
    expect(body).toContain('"nationalNumber":"2079460000"');
  });

  it('when the settings are unchanged, then the cached script is served; when they change, then a new one with a new ETag', async () => {
    const first = await scripts.forSite(SITE);
    const again = await scripts.forSite({ ...SITE });
    const changed = await scripts.forSite({ ...SITE, consent: 'not-required' });

    expect(again).toBe(first);
    expect(changed.etag).not.toBe(first.etag);
  });

  it('when a setting holds characters that could end a script element, then they are escaped', async () => {
    const { body } = await new TrackingScripts('https://calls.example.test/</script><script>alert(1)//', 60).forSite(SITE);

    expect(body).not.toContain('</script>');
  });
});
