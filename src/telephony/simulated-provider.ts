import { createHash } from 'node:crypto';
import type { NumberSearch, PurchasedNumber, TelephonyProvider } from './telephony-provider';

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

/** Which of these numbers are already ours: a real carrier never offers a number you own. */
export type OwnedNumbers = (e164s: readonly string[]) => Promise<Set<string>>;

export class SimulatedProvider implements TelephonyProvider {
  readonly name = 'simulated' as const;

  constructor(private readonly owned: OwnedNumbers) {}

  async searchAvailable(search: NumberSearch): Promise<string[]> {
    const all = candidates(search);
    const taken = await this.owned(all);
    return all.filter((n) => !taken.has(n)).slice(0, search.limit);
  }

  async purchase(e164: string): Promise<PurchasedNumber> {
    // A stable fake PN sid, shaped like Twilio's (PN + 32 hex).
    return { e164, providerSid: `PN${createHash('sha256').update(e164).digest('hex').slice(0, 32)}` };
  }
}

function candidates(search: NumberSearch): string[] {
  if (search.country === 'GB') {
    const prefixes = search.areaCode ? [UK_DRAMA_RANGES[search.areaCode.replace(/^0/, '')]].filter(Boolean) : Object.values(UK_DRAMA_RANGES);
    return prefixes.flatMap((p) => range(1000).map((i) => `${p}${String(i).padStart(4, '0')}`));
  }
  const areas = search.areaCode ? [search.areaCode] : US_DEFAULT_AREA_CODES;
  return areas.flatMap((a) => range(100).map((i) => `+1${a}55501${String(i).padStart(2, '0')}`));
}

const range = (n: number): number[] => Array.from({ length: n }, (_, i) => i);
