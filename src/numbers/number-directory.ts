import { getLogger } from '../shared/logging/logger';
import { TtlCache } from '../shared/ttl-cache';
import { withTimeout } from '../shared/with-timeout';
import type { NumberRoute, NumberStore } from './number-store';

const log = getLogger('number-directory');
/** A route not in the table is asked of Postgres for at most this long: the caller is waiting. */
const ROUTE_LOOKUP_BUDGET_MS = 1000;

/**
 * Number lookups on the hot paths, served from memory. A number id never changes its E.164, so that
 * map is kept for good. Routes come from a table of every number's route, loaded at start and
 * reloaded in the background (`warm`), so a call is routed even when Postgres is down; a number the
 * table does not know (bought on another instance since the last load) is looked up one by one, and
 * the last known route is still used when the database does not answer.
 */
export class NumberDirectory {
  private readonly e164ById = new Map<string, string>();
  private readonly routes: TtlCache<NumberRoute | null>;
  private table = new Map<string, NumberRoute>();
  /** Set by invalidate(): the table may be out of date until the next complete load. */
  private stale = false;
  private generation = 0;

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

  /** Loads every route into memory; a failure keeps the table it had (and is the caller's to log). */
  async warm(): Promise<number> {
    const generation = this.generation;
    const routes = await this.store.listRoutes();
    this.table = new Map(routes.map((r) => [r.e164, r]));
    if (generation === this.generation) {
      this.stale = false;
      this.routes.clear();
    }
    return routes.length;
  }

  async routeFor(e164: string): Promise<NumberRoute | null> {
    const known = this.table.get(e164);
    if (known && !this.stale) return known;
    try {
      return await withTimeout(
        this.routes.get(e164, () => this.store.findRoute(e164)),
        ROUTE_LOOKUP_BUDGET_MS,
        'route lookup',
      );
    } catch (err) {
      const last = this.routes.peek(e164) ?? known;
      if (last) return last;
      throw err;
    }
  }

  /** Numbers or pools changed here: look routes up afresh until the table has been reloaded. */
  invalidate(): void {
    this.generation += 1;
    this.stale = true;
    this.routes.clear();
    this.warm().catch((err) => log.warn('route table reload failed; routes are looked up one by one', { error: err }));
  }

  forgetRoute(e164: string): void {
    this.routes.delete(e164);
  }
}
