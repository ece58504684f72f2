/**
 * Builds the bench's world through the service's own admin and tracking APIs, as an operator and
 * visitors would: one client, one site per pool (a site leases from its first pool), numbers bought
 * from the simulated carrier, and visits that already hold a lease for the heartbeat and call scenarios.
 */
export const BENCH_DOMAIN = 'bench.example';
export const FORWARD_TO = '+442079460999';

/** Area codes of the simulated carrier's UK drama ranges, 1,000 numbers each (src/telephony/simulated-provider.ts). */
const UK_AREAS = ['20', '113', '114', '115', '116', '117', '118', '121', '131', '141', '151', '161'];
const NUMBERS_PER_AREA = 1000;
/** The admin API's cap per provisioning call. */
const PROVISION_BATCH = 100;

export interface BenchPool {
  label: string;
  siteKey: string;
  poolId: string;
  size: number;
}

export interface LeasedVisit {
  visitId: string;
  leaseToken: string;
  e164: string;
}

export class AdminApi {
  constructor(
    readonly baseUrl: string,
    private readonly apiKey: string,
  ) {}

  async post<T>(path: string, body: unknown): Promise<T> {
    return this.send<T>('POST', path, body);
  }

  async get<T>(path: string): Promise<T> {
    return this.send<T>('GET', path);
  }

  private async send<T>(method: string, path: string, body?: unknown): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { authorization: `Bearer ${this.apiKey}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok) throw new Error(`${method} ${path} -> ${res.status}: ${text}`);
    return JSON.parse(text) as T;
  }
}

/**
 * Hands out the carrier's area codes in order, so no two pools ask for the same range. Provisioning
 * runs one request at a time per area code (two at once would be offered the same numbers) and
 * several area codes in parallel: it buys and stores numbers one by one, 11,000 of them take a while.
 */
export class NumberRanges {
  private area = 0;
  private usedInArea = 0;

  async provision(api: AdminApi, poolId: string, count: number): Promise<void> {
    const perArea = new Map<string, number[]>();
    for (let left = count; left > 0; ) {
      if (this.usedInArea === NUMBERS_PER_AREA) {
        this.area += 1;
        this.usedInArea = 0;
      }
      const areaCode = UK_AREAS[this.area];
      if (!areaCode) throw new Error(`the simulated carrier has only ${UK_AREAS.length * NUMBERS_PER_AREA} UK numbers`);
      const batch = Math.min(left, PROVISION_BATCH, NUMBERS_PER_AREA - this.usedInArea);
      perArea.set(areaCode, [...(perArea.get(areaCode) ?? []), batch]);
      this.usedInArea += batch;
      left -= batch;
    }
    await Promise.all(
      [...perArea].map(async ([areaCode, batches]) => {
        for (const batch of batches) {
          const res = await api.post<{ numbers: unknown[]; failed: unknown[] }>(`/v1/pools/${poolId}/numbers`, { count: batch, country: 'GB', areaCode });
          if (res.numbers.length !== batch) throw new Error(`asked for ${batch} numbers in area ${areaCode}, got ${res.numbers.length}: ${JSON.stringify(res.failed)}`);
        }
      }),
    );
  }
}

/** A pool's lease lifetime, grace window and rest time (POST /v1/pools); unset = the service's defaults. */
export interface PoolTiming {
  leaseSeconds?: number;
  graceSeconds?: number;
  cooldownSeconds?: number;
}

export async function createClient(api: AdminApi): Promise<string> {
  return (await api.post<{ id: string }>('/v1/clients', { name: 'bench' })).id;
}

/** A tracking-enabled site with one pool of `size` numbers; the pool must exist before the site's first visit (the site directory caches). */
export async function createPool(
  api: AdminApi,
  ranges: NumberRanges,
  o: { clientId: string; label: string; size: number; exhaustionPolicy: 'overflow' | 'recycle'; timing?: PoolTiming },
): Promise<BenchPool> {
  const site = await api.post<{ id: string; siteKey: string }>('/v1/sites', { clientId: o.clientId, name: `bench ${o.label}`, domains: [BENCH_DOMAIN], trackingEnabled: true });
  const pool = await api.post<{ id: string }>('/v1/pools', { siteId: site.id, name: `bench ${o.label}`, forwardTo: FORWARD_TO, exhaustionPolicy: o.exhaustionPolicy, ...o.timing });
  await ranges.provision(api, pool.id, o.size);
  return { label: o.label, siteKey: site.siteKey, poolId: pool.id, size: o.size };
}

export interface PoolStatsView {
  total: number;
  leased: number;
  available: number;
  coolingDown: number;
  exhaustedCount: number;
}

export async function poolStats(api: AdminApi, poolId: string): Promise<PoolStatsView> {
  return (await api.get<{ stats: PoolStatsView }>(`/v1/pools/${poolId}`)).stats;
}

/**
 * What the tracking script sends for a new visit from an ad click; the bare route gets the same body.
 * No visitId: the service issues visit ids itself (tagged with the site), so a new visit sends none.
 */
export const NEW_VISIT_BODY = JSON.stringify({
  url: `https://${BENCH_DOMAIN}/landing?utm_source=google&utm_medium=cpc&utm_campaign=bench&gclid=bench123`,
  referrer: 'https://www.google.com/',
  title: 'Bench landing page',
});

// A browser's user agent: the tracking API shows scripts and bots (fetch's 'node' included) no tracking number.
export const trackingHeaders = {
  'content-type': 'application/json',
  origin: `https://${BENCH_DOMAIN}`,
  'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
};

/** Opens `count` new visits through the public tracking API, a few at a time; every one must get a number. */
export async function leaseVisits(baseUrl: string, siteKey: string, count: number, concurrency = 32): Promise<LeasedVisit[]> {
  const leased: LeasedVisit[] = [];
  let started = 0;
  const worker = async () => {
    while (started++ < count) {
      const res = await fetch(`${baseUrl}/t/${siteKey}/visits`, { method: 'POST', headers: trackingHeaders, body: NEW_VISIT_BODY });
      const body = (await res.json()) as { visitId: string | null; leaseToken: string | null; number: { e164: string } | null };
      if (!res.ok || !body.visitId || !body.leaseToken || !body.number) throw new Error(`a new visit got no lease (${res.status}): ${JSON.stringify(body)}`);
      leased.push({ visitId: body.visitId, leaseToken: body.leaseToken, e164: body.number.e164 });
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, count) }, worker));
  return leased;
}
