import { TtlCache } from '../shared/ttl-cache';
import type { Pool, PoolConfigStore } from '../pool/pool-config-store';
import type { Site, SiteStore } from './site-store';

export interface SiteWithPools {
  site: Site;
  pools: Pool[];
}

/**
 * Site settings by public site key, cached: every tracking request needs them and they change
 * rarely. A change is seen by other instances within the cache lifetime.
 */
export class SiteDirectory {
  private readonly cache: TtlCache<SiteWithPools | null>;

  constructor(
    private readonly sites: SiteStore,
    private readonly pools: PoolConfigStore,
    ttlMs = 30_000,
  ) {
    this.cache = new TtlCache(ttlMs);
  }

  bySiteKey(siteKey: string): Promise<SiteWithPools | null> {
    return this.cache.get(siteKey, async () => {
      const site = await this.sites.findByKey(siteKey);
      return site ? { site, pools: await this.pools.listBySite(site.id) } : null;
    });
  }

  forget(siteKey: string): void {
    this.cache.delete(siteKey);
  }

  forgetAll(): void {
    this.cache.clear();
  }
}
