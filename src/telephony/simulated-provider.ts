import { createHash } from 'node:crypto';
import type { CarrierNumber, NumberSearch, NumberWebhooks, PurchasedNumber, PurchaseOptions, TelephonyProvider } from './telephony-provider';

/**
 * A carrier that "sells" only numbers reserved for fiction, so the whole flow runs offline and no
 * real person can ever be called: Ofcom's drama ranges in the UK (e.g. 020 7946 0000-0999,
 * 0113 496 0000-0999) and 555-0100..0199 in any North American area code.
 */
const UK_DRAMA_RANGES: Record<string, string> = {
  '20': '+44207946',
  '113': '+44113496',
  '114': '+44114496',
  '115': '+44115496',
  '116': '+44116496',
  '117': '+44117496',
  '118': '+44118496',
  '121': '+44121496',
  '131': '+44131496',
  '141': '+44141496',
  '151': '+44151496',
  '161': '+44161496',
};
const US_DEFAULT_AREA_CODES = ['201', '212', '213', '312', '415', '512', '617', '702', '808', '919'];
const CA_DEFAULT_AREA_CODES = ['416', '514', '604', '613', '403'];
/** Ofcom's drama ranges for mobiles (07700 900xxx) and freephone (0808 157 0xxx). */
const UK_MOBILE = '+447700900';
const UK_FREEPHONE = '+448081570';
const NO_WEBHOOKS: NumberWebhooks = { voiceUrl: null, voiceMethod: null, voiceFallbackUrl: null, voiceFallbackMethod: null, statusCallback: null, statusCallbackMethod: null };

/** Which of these numbers are already ours: a real carrier never offers a number you own. */
export type OwnedNumbers = (e164s: readonly string[]) => Promise<Set<string>>;

export class SimulatedProvider implements TelephonyProvider {
  readonly name = 'simulated' as const;
  /** What this process "bought", as a carrier account would list it (forgotten on restart). */
  private readonly account = new Map<string, CarrierNumber>();

  constructor(
    private readonly owned: OwnedNumbers,
    private readonly webhooks: NumberWebhooks = NO_WEBHOOKS,
  ) {}

  async searchAvailable(search: NumberSearch): Promise<string[]> {
    const all = candidates(search);
    const taken = await this.owned(all);
    return all.filter((n) => !taken.has(n)).slice(0, search.limit);
  }

  async purchase(e164: string, options: PurchaseOptions): Promise<PurchasedNumber> {
    // A stable fake PN sid, shaped like Twilio's (PN + 32 hex).
    const providerSid = `PN${createHash('sha256').update(e164).digest('hex').slice(0, 32)}`;
    this.account.set(providerSid, { providerSid, e164, friendlyName: options.friendlyName, webhooks: { ...this.webhooks } });
    return { e164, providerSid };
  }

  async release(providerSid: string): Promise<void> {
    this.account.delete(providerSid);
  }

  async listOwned(): Promise<CarrierNumber[]> {
    return [...this.account.values()].map((n) => ({ ...n, webhooks: { ...n.webhooks } }));
  }

  expectedWebhooks(): NumberWebhooks {
    return { ...this.webhooks };
  }

  async setWebhooks(providerSid: string, webhooks: NumberWebhooks): Promise<void> {
    const n = this.account.get(providerSid);
    if (n) n.webhooks = { ...webhooks };
  }
}

function candidates(search: NumberSearch): string[] {
  if (search.country === 'GB' && search.type === 'mobile') return range(1000).map((i) => `${UK_MOBILE}${String(i).padStart(3, '0')}`);
  if (search.country === 'GB' && search.type === 'tollFree') return range(1000).map((i) => `${UK_FREEPHONE}${String(i).padStart(3, '0')}`);
  if (search.type === 'tollFree') return range(100).map((i) => `+180055501${String(i).padStart(2, '0')}`);
  if (search.country === 'GB') {
    const prefixes = search.areaCode ? [UK_DRAMA_RANGES[search.areaCode.replace(/^0/, '')]].filter(Boolean) : Object.values(UK_DRAMA_RANGES);
    return prefixes.flatMap((p) => range(1000).map((i) => `${p}${String(i).padStart(4, '0')}`));
  }
  const areas = search.areaCode ? [search.areaCode] : search.country === 'CA' ? CA_DEFAULT_AREA_CODES : US_DEFAULT_AREA_CODES;
  return areas.flatMap((a) => range(100).map((i) => `+1${a}55501${String(i).padStart(2, '0')}`));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
