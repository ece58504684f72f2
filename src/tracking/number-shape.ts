import { parsePhoneNumberFromString } from 'libphonenumber-js';
import type { NumberShape } from './script/types';

/**
 * '+442079460000' -> country code '44', national number '2079460000', trunk prefix '0', groups
 * [2, 4, 4] (from '020 7946 0000'): what the browser script needs to find and write a number in any
 * format without libphonenumber's metadata (see script/swap-numbers.ts).
 */
export function numberShape(e164: string): NumberShape {
  const parsed = parsePhoneNumberFromString(e164);
  if (!parsed) {
    const digits = e164.replace(/\D/g, '');
    return { e164, countryCode: '', nationalNumber: digits, nationalPrefix: '', groups: [digits.length], international: e164 };
  }
  const nsn = String(parsed.nationalNumber);
  const national = parsed.formatNational();
  const nationalDigits = national.replace(/\D/g, '');
  const nationalPrefix = nationalDigits.length > nsn.length && nationalDigits.endsWith(nsn) ? nationalDigits.slice(0, nationalDigits.length - nsn.length) : '';
  // The trunk prefix is written at the start of the first group ('020' = '0' + '20').
  let prefixLeft = nationalPrefix.length;
  const groups: number[] = [];
  for (const run of national.match(/\d+/g) ?? []) {
    const fromPrefix = Math.min(prefixLeft, run.length);
    prefixLeft -= fromPrefix;
    if (run.length > fromPrefix) groups.push(run.length - fromPrefix);
  }
  const total = groups.reduce((sum, n) => sum + n, 0);
  return {
    e164,
    countryCode: String(parsed.countryCallingCode),
    nationalNumber: nsn,
    nationalPrefix,
    groups: total === nsn.length ? groups : [nsn.length],
    international: parsed.formatInternational(),
  };
}
