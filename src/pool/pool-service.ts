import type { SiteStore } from '../sites/site-store';
import type { NumberRole, NumberStore, TrackingNumber } from '../numbers/number-store';
import type { ProvisionCountry, TelephonyProvider } from '../telephony/telephony-provider';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { getLogger } from '../shared/logging/logger';
import type { Pool, PoolConfigStore } from './pool-config-store';
import { poolSettings } from './pool-config-store';
import type { ExhaustionPolicy, PoolStats, PoolStore } from './pool-store';

const log = getLogger('pool');

export interface CreatePoolInput {
  siteId: string;
  name: string;
  forwardTo: string;
  leaseSeconds?: number;
  graceSeconds?: number;
  cooldownSeconds?: number;
  exhaustionPolicy?: ExhaustionPolicy;
}

export interface ProvisionInput {
  poolId: string;
  count: number;
  country: ProvisionCountry;
  areaCode?: string;
  /** Default 'pool' (joins the rotation). 'overflow' replaces the pool's overflow number (count 1). */
  role?: NumberRole;
  /** Required for 'static' numbers: the source their calls are credited to, e.g. "Yellow Pages". */
  staticSource?: string;
}

export interface ProvisionResult {
  numbers: TrackingNumber[];
  failed: { e164: string; reason: string }[];
}

export class PoolService {
  constructor(
    private readonly pools: PoolConfigStore,
    private readonly sites: SiteStore,
    private readonly numbers: NumberStore,
    private readonly poolStore: PoolStore,
    private readonly provider: TelephonyProvider,
    private readonly defaults: { leaseSeconds: number; graceSeconds: number },
    /** Called when cached pool settings must be reloaded (e.g. a new overflow number). */
    private readonly onPoolChanged: () => void = () => undefined,
  ) {}

  async createPool(input: CreatePoolInput): Promise<Pool> {
    if (!(await this.sites.findById(input.siteId))) throw new NotFoundError('No site with this siteId.');
    const graceSeconds = input.graceSeconds ?? this.defaults.graceSeconds;
    return this.pools.create({
      siteId: input.siteId,
      name: input.name,
      forwardTo: input.forwardTo,
      leaseSeconds: input.leaseSeconds ?? this.defaults.leaseSeconds,
      graceSeconds,
      // Resting a number as long as the grace window means a late caller can never reach a new visitor.
      cooldownSeconds: input.cooldownSeconds ?? graceSeconds,
      exhaustionPolicy: input.exhaustionPolicy ?? 'overflow',
    });
  }

  async getPool(poolId: string): Promise<Pool> {
    const pool = await this.pools.findById(poolId);
    if (!pool) throw new NotFoundError('No pool with this id.');
    return pool;
  }

  /** Buys numbers through the configured carrier and puts them in the pool, reporting partial success. */
  async provisionNumbers(input: ProvisionInput): Promise<ProvisionResult> {
    const pool = await this.getPool(input.poolId);
    const role = input.role ?? 'pool';
    if (role === 'overflow' && input.count !== 1) throw new ValidationError('A pool has one overflow number: provision it with count 1.');
    if (role === 'static' && !input.staticSource) throw new ValidationError('A static number needs staticSource: the advert or listing it is printed in.');
    const offered = await this.provider.searchAvailable({ country: input.country, areaCode: input.areaCode, limit: input.count * 2 + 10 });
    const owned = await this.numbers.findExisting(offered);
    const candidates = offered.filter((n) => !owned.has(n));
    if (candidates.length < input.count) {
      throw new ConflictError(`Only ${candidates.length} numbers are available for ${input.country}${input.areaCode ? ` area ${input.areaCode}` : ''}; asked for ${input.count}.`);
    }
    const result: ProvisionResult = { numbers: [], failed: [] };
    for (const e164 of candidates) {
      if (result.numbers.length >= input.count) break;
      try {
        const bought = await this.provider.purchase(e164, { friendlyName: `ct pool ${pool.name}` });
        const row = await this.numbers.insert({
          poolId: pool.id,
          e164: bought.e164,
          country: input.country,
          provider: this.provider.name,
          providerSid: bought.providerSid,
          role,
          staticSource: role === 'static' ? (input.staticSource ?? null) : null,
        });
        if (row) result.numbers.push(row);
      } catch (err) {
        result.failed.push({ e164, reason: (err as Error).message });
        log.warn('number purchase failed', { poolId: pool.id, error: err });
      }
    }
    // Only rotation numbers are leased; overflow and static numbers are routed but never handed to a visit.
    if (role === 'pool') await this.poolStore.addNumbers(pool.id, result.numbers.map((n) => n.id));
    if (role === 'overflow' && result.numbers[0]) {
      await this.pools.setOverflowNumber(pool.id, result.numbers[0].id);
      this.onPoolChanged();
    }
    log.info('numbers provisioned', { poolId: pool.id, role, bought: result.numbers.length, failed: result.failed.length });
    return result;
  }

  async stats(poolId: string, now: number): Promise<PoolStats> {
    return this.poolStore.stats(poolSettings(await this.getPool(poolId)), now);
  }
}
