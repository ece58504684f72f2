import { NotFoundError } from '../shared/errors';
import { getLogger } from '../shared/logging/logger';
import type { PoolConfigStore } from '../pool/pool-config-store';
import type { PoolStore } from '../pool/pool-store';
import type { TelephonyProvider } from '../telephony/telephony-provider';
import type { NumberDetails, NumberStore } from './number-store';

const log = getLogger('number-lifecycle');
const DAY_MS = 86_400_000;
const RELEASE_BATCH = 100;

/**
 * Taking a number out of service happens in two steps. Quarantine takes it out of its pool at once
 * (no visitor is shown it again) but keeps routing its calls, because people still dial a number
 * they saw days ago; after `quarantineDays` the release job gives it back to the carrier.
 */
export class NumberLifecycle {
  constructor(
    private readonly numbers: NumberStore,
    private readonly pools: PoolConfigStore,
    private readonly poolStore: PoolStore,
    private readonly provider: TelephonyProvider,
    private readonly quarantineDays: number,
    /** Routes and cached pool settings must be reloaded. */
    private readonly onNumbersChanged: () => void = () => undefined,
  ) {}

  /** Idempotent: quarantining a quarantined or released number returns it unchanged. */
  async quarantine(numberId: string, now: number): Promise<NumberDetails> {
    const before = await this.numbers.findDetails(numberId);
    if (!before) throw new NotFoundError('No tracking number with this id.');
    if (before.status !== 'active') return before;
    const after = (await this.numbers.quarantine(numberId, new Date(now), new Date(now + this.quarantineDays * DAY_MS))) as NumberDetails;
    if (before.poolId && before.role === 'pool') await this.poolStore.removeNumbers(before.poolId, [numberId], now);
    if (before.role === 'overflow') await this.pools.clearOverflowNumber(numberId);
    this.onNumbersChanged();
    log.info('number quarantined', { numberId, releaseAfter: after.releaseAfter?.toISOString() });
    return after;
  }

  /** Releases quarantined numbers whose time is up; a number the carrier refuses is retried next run. */
  async releaseDue(now: number): Promise<{ released: string[]; failed: { numberId: string; reason: string }[] }> {
    const result = { released: [] as string[], failed: [] as { numberId: string; reason: string }[] };
    for (const n of await this.numbers.listDueForRelease(new Date(now), RELEASE_BATCH)) {
      try {
        // A number bought through another carrier setting (simulated before going live) has nothing to give back here.
        if (n.providerSid && n.provider === this.provider.name) await this.provider.release(n.providerSid);
        await this.numbers.markReleased(n.id, new Date(now));
        result.released.push(n.id);
      } catch (err) {
        result.failed.push({ numberId: n.id, reason: (err as Error).message });
      }
    }
    if (result.released.length) this.onNumbersChanged();
    if (result.released.length || result.failed.length) log.info('quarantined numbers released', { released: result.released, failed: result.failed.map((f) => f.numberId) });
    return result;
  }
}
