import type { SiteStore } from '../sites/site-store';
import type { ClientStore } from '../clients/client-store';
import type { NumberDetails, NumberRole, NumberStore, TrackingNumber } from '../numbers/number-store';
import type { NumberType, ProvisionCountry, PurchaseOptions, TelephonyProvider } from '../telephony/telephony-provider';
import { CarrierRequirementError, CarrierUnavailableError } from '../telephony/carrier-errors';
import type { CallRouting } from '../calls/domain/routing';
import { ConflictError, NotFoundError, ValidationError } from '../shared/errors';
import { getLogger } from '../shared/logging/logger';
import type { Pool, PoolChanges, PoolConfigStore } from './pool-config-store';
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
  routing?: Partial<CallRouting>;
}

export interface ProvisionInput {
  poolId: string;
  count: number;
  country: ProvisionCountry;
  /** Default 'local'. */
  numberType?: NumberType;
  areaCode?: string;
  /** Default 'pool' (joins the rotation). 'overflow' replaces the pool's overflow number (count 1). */
  role?: NumberRole;
  /** Required for 'static' numbers: the source their calls are credited to, e.g. "Yellow Pages". */
  staticSource?: string;
}

export interface ProvisionResult {
  numbers: TrackingNumber[];
  /** Numbers tried and not bought, with the carrier's reason; the next candidate was tried instead. */
  failed: { e164: string; reason: string; code?: number }[];
}

export class PoolService {
  constructor(
    private readonly pools: PoolConfigStore,
    private readonly sites: SiteStore,
    private readonly numbers: NumberStore,
    private readonly poolStore: PoolStore,
    private readonly provider: TelephonyProvider,
    private readonly defaults: { leaseSeconds: number; graceSeconds: number },
    /** Called when cached pool settings or routes must be reloaded (a new overflow number, new routing). */
    private readonly onPoolChanged: () => void = () => undefined,
    /** The client's regulatory documents, sent with every purchase (null when there is no client store). */
    private readonly clients: ClientStore | null = null,
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
      routing: input.routing,
    });
  }

  async updatePool(poolId: string, changes: PoolChanges): Promise<Pool> {
    const pool = await this.pools.update(poolId, changes);
    if (!pool) throw new NotFoundError('No pool with this id.');
    this.onPoolChanged();
    return pool;
  }

  async listNumbers(poolId: string): Promise<NumberDetails[]> {
    await this.getPool(poolId);
    return this.numbers.listDetailsByPool(poolId);
  }

  /** A site's pools; an unknown site is a 404 rather than an empty list. */
  async listPools(siteId: string): Promise<Pool[]> {
    if (!(await this.sites.findById(siteId))) throw new NotFoundError('No site with this siteId.');
    return this.pools.listBySite(siteId);
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
    const purchase = await this.purchaseOptions(pool);
    const offered = await this.provider.searchAvailable({ country: input.country, type: input.numberType, areaCode: input.areaCode, limit: input.count * 2 + 10 });
    const owned = await this.numbers.findExisting(offered);
    const candidates = offered.filter((n) => !owned.has(n));
    if (candidates.length < input.count) {
      throw new ConflictError(`Only ${candidates.length} numbers are available for ${input.country}${input.areaCode ? ` area ${input.areaCode}` : ''}; asked for ${input.count}.`);
    }
    const result: ProvisionResult = { numbers: [], failed: [] };
    for (const e164 of candidates) {
      if (result.numbers.length >= input.count) break;
      try {
        const bought = await this.provider.purchase(e164, purchase);
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
        else result.failed.push({ e164: bought.e164, reason: 'Bought, but another pool recorded this number at the same time; reconciliation will report it.' });
      } catch (err) {
        // Missing documents or an unusable carrier fail every purchase alike: stop and say so.
        if (err instanceof CarrierRequirementError || err instanceof CarrierUnavailableError) {
          if (!result.numbers.length) throw err;
          result.failed.push({ e164, reason: err.message });
          break;
        }
        const code = (err as { carrierCode?: number }).carrierCode;
        result.failed.push({ e164, reason: (err as Error).message, ...(code ? { code } : {}) });
        log.warn('number purchase failed', { poolId: pool.id, code });
      }
    }
    if (!result.numbers.length) throw new ConflictError(`None of the ${input.count} numbers could be bought; see failed for the carrier's reasons.`, { failed: result.failed });
    this.onPoolChanged();
    // Only rotation numbers are leased; overflow and static numbers are routed but never handed to a visit.
    if (role === 'pool') await this.poolStore.addNumbers(pool.id, result.numbers.map((n) => n.id));
    if (role === 'overflow' && result.numbers[0]) {
      await this.pools.setOverflowNumber(pool.id, result.numbers[0].id);
      this.onPoolChanged();
    }
    log.info('numbers provisioned', { poolId: pool.id, role, bought: result.numbers.length, failed: result.failed.length });
    return result;
  }

  /** The pool's name for the carrier console and its client's regulatory documents. */
  private async purchaseOptions(pool: Pool): Promise<PurchaseOptions> {
    const site = this.clients ? await this.sites.findById(pool.siteId) : null;
    const client = site && this.clients ? await this.clients.findById(site.clientId) : null;
    return { friendlyName: `ct pool ${pool.name}`, bundleSid: client?.twilioBundleSid ?? null, addressSid: client?.twilioAddressSid ?? null };
  }

  async stats(poolId: string, now: number): Promise<PoolStats> {
    return this.poolStore.stats(poolSettings(await this.getPool(poolId)), now);
  }
}
