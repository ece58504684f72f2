import { getLogger } from '../shared/logging/logger';
import type { TelephonyProvider } from '../telephony/telephony-provider';
import { planReconciliation, type ReconciliationPlan } from './domain/reconcile-numbers';
import type { NumberStore } from './number-store';

const log = getLogger('number-reconciliation');

export interface ReconciliationReport extends Omit<ReconciliationPlan, 'repairs'> {
  repaired: ReconciliationPlan['repairs'];
  repairFailed: { numberId: string; providerSid: string; reason: string }[];
}

/**
 * Keeps the carrier account and our numbers in step: webhook URLs that drifted (edited in the
 * console, a changed PUBLIC_BASE_URL) are put back, and numbers that exist on one side only are
 * reported for an operator to decide about (never bought or released automatically).
 */
export class NumberReconciliation {
  constructor(
    private readonly numbers: NumberStore,
    private readonly provider: TelephonyProvider,
  ) {}

  async run(): Promise<ReconciliationReport> {
    const [carrier, ours] = await Promise.all([this.provider.listOwned(), this.numbers.listHeldWith(this.provider.name)]);
    const expected = this.provider.expectedWebhooks();
    const plan = planReconciliation(carrier, ours, expected);
    const report: ReconciliationReport = { matched: plan.matched, repaired: [], repairFailed: [], onlyAtCarrier: plan.onlyAtCarrier, onlyInDatabase: plan.onlyInDatabase };
    for (const repair of plan.repairs) {
      try {
        await this.provider.setWebhooks(repair.providerSid, expected);
        report.repaired.push(repair);
      } catch (err) {
        report.repairFailed.push({ numberId: repair.numberId, providerSid: repair.providerSid, reason: (err as Error).message });
      }
    }
    // Ids and counts only: the numbers themselves are personal-ish data and stay out of logs.
    log.info('numbers reconciled', {
      matched: report.matched,
      repaired: report.repaired.length,
      repairFailed: report.repairFailed.length,
      onlyAtCarrier: report.onlyAtCarrier.map((n) => n.providerSid),
      onlyInDatabase: report.onlyInDatabase.map((n) => n.numberId),
    });
    return report;
  }
}
