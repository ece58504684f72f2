import type { CarrierNumber, NumberWebhooks } from '../../telephony/telephony-provider';

/** The part of our record of a number that reconciliation compares with the carrier's. */
export interface HeldNumber {
  id: string;
  e164: string;
  providerSid: string | null;
}

export interface WebhookRepair {
  numberId: string;
  providerSid: string;
  /** The webhook settings that differ from what this service wants (e.g. ['voiceUrl']). */
  drifted: (keyof NumberWebhooks)[];
}

export interface ReconciliationPlan {
  /** Numbers both sides know. */
  matched: number;
  repairs: WebhookRepair[];
  /** In the carrier account but not ours (bought by hand, or a purchase whose database write failed). */
  onlyAtCarrier: { providerSid: string; e164: string }[];
  /** Ours but gone from the account (released in the console): calls to them never reach us. */
  onlyInDatabase: { numberId: string; e164: string }[];
}

const METHOD_FIELDS = new Set<keyof NumberWebhooks>(['voiceMethod', 'voiceFallbackMethod', 'statusCallbackMethod']);

/** What differs between a number's webhooks and the expected ones; HTTP methods compare case-insensitively. */
export function driftedWebhooks(actual: NumberWebhooks, expected: NumberWebhooks): (keyof NumberWebhooks)[] {
  return (Object.keys(expected) as (keyof NumberWebhooks)[]).filter((field) => {
    const want = expected[field] ?? '';
    const have = actual[field] ?? '';
    return METHOD_FIELDS.has(field) ? want.toUpperCase() !== have.toUpperCase() : want !== have;
  });
}

/**
 * Compares the carrier account with our numbers (matched by the carrier's SID, else by E.164) and says
 * which webhooks to put back and which numbers exist on one side only. Pure: the caller applies it.
 */
export function planReconciliation(carrier: readonly CarrierNumber[], ours: readonly HeldNumber[], expected: NumberWebhooks): ReconciliationPlan {
  const bySid = new Map(ours.filter((n) => n.providerSid).map((n) => [n.providerSid as string, n]));
  const byE164 = new Map(ours.map((n) => [n.e164, n]));
  const seen = new Set<string>();
  const plan: ReconciliationPlan = { matched: 0, repairs: [], onlyAtCarrier: [], onlyInDatabase: [] };
  for (const c of carrier) {
    const mine = bySid.get(c.providerSid) ?? byE164.get(c.e164);
    if (!mine || seen.has(mine.id)) {
      plan.onlyAtCarrier.push({ providerSid: c.providerSid, e164: c.e164 });
      continue;
    }
    seen.add(mine.id);
    plan.matched += 1;
    const drifted = driftedWebhooks(c.webhooks, expected);
    if (drifted.length) plan.repairs.push({ numberId: mine.id, providerSid: c.providerSid, drifted });
  }
  for (const n of ours) if (!seen.has(n.id)) plan.onlyInDatabase.push({ numberId: n.id, e164: n.e164 });
  return plan;
}
