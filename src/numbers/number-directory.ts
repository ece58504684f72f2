import { TtlCache } from '../shared/ttl-cache';
import type { NumberRoute, NumberStore } from './number-store';

/**
 * Number lookups on the hot paths, served from memory. A number id never changes its E.164, so that
 * map is kept for good; routes (pool, forward target) are refreshed every `routeTtlMs`, and the last
 * known route is still used when the database does not answer, so a call can be forwarded.
 */
export class NumberDirectory {
  private readonly e164ById = new Map<string, string>();
  private readonly routes: TtlCache<NumberRoute | null>;

  constructor(
    private readonly store: NumberStore,
    routeTtlMs = 30_000,
  ) {
    this.routes = new TtlCache(routeTtlMs);
  }

  async e164Of(numberId: string): Promise<string> {
    const known = this.e164ById.get(numberId);
    if (known) return known;
    const [n] = await this.store.findByIds([numberId]);
    if (!n) throw new Error(`tracking number ${numberId} is leased but not in the database`);
    this.e164ById.set(numberId, n.e164);
    return n.e164;
  }

  async routeFor(e164: string): Promise<NumberRoute | null> {
    try {
      return await this.routes.get(e164, () => this.store.findRoute(e164));
    } catch (err) {
      const stale = this.routes.peek(e164);
      if (stale) return stale;
      throw err;
    }
  }

  forgetRoute(e164: string): void {
    this.routes.delete(e164);
  }
}
