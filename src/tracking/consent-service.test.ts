import type { SiteWithPools } from '../sites/site-directory';
import type { Site } from '../sites/site-store';
import { NotFoundError } from '../shared/errors';
import { ConsentService } from './consent-service';
import type { ConsentRecord, ConsentStore } from './consent-store';

class FakeConsentStore implements ConsentStore {
  readonly stored: ConsentRecord[] = [];

  async insert(record: ConsentRecord): Promise<void> {
    this.stored.push(record);
  }
}

const SITE = { id: 'site-1', siteKey: 'sk_consentSite0001', trackingEnabled: true, consent: 'required' } as Site;
const AT = Date.UTC(2026, 10, 30, 10, 0, 0);

function serviceWith(site: Site | null) {
  const store = new FakeConsentStore();
  const siteFor = async (siteKey: string): Promise<SiteWithPools> => {
    if (!site || siteKey !== site.siteKey) throw new NotFoundError('No site with this site key.');
    return { site, pools: [] };
  };
  return { store, service: new ConsentService(siteFor, store) };
}

describe('ConsentService', () => {
  it('when a visitor gives consent on a tracking site, then one record is stored for that site and visitor', async () => {
    const { store, service } = serviceWith(SITE);

    await service.recordConsent(SITE.siteKey, 'vr_visitor0001', 'given', AT);

    expect(store.stored).toEqual([{ siteId: 'site-1', visitorId: 'vr_visitor0001', state: 'given', at: AT }]);
  });

  it('when the site has tracking disabled, then nothing is stored', async () => {
    const { store, service } = serviceWith({ ...SITE, trackingEnabled: false });

    await service.recordConsent(SITE.siteKey, 'vr_visitor0001', 'withdrawn', AT);

    expect(store.stored).toEqual([]);
  });

  it('when the site key is unknown, then NotFoundError and nothing is stored', async () => {
    const { store, service } = serviceWith(SITE);

    await expect(service.recordConsent('sk_somebodyElse01', 'vr_visitor0001', 'given', AT)).rejects.toBeInstanceOf(NotFoundError);
    expect(store.stored).toEqual([]);
  });
});
