/**
 * Phone numbers enter the service in whatever shape people type them and are stored as E.164.
 *
 * We accept a number when libphonenumber says it is *possible* (right length for its country), not
 * only when it is *valid* (inside a range the metadata knows to be allocated). Fictional ranges
 * such as the US area code 555 or Ofcom's drama mobiles are possible but not valid, and demos,
 * seed data and tests use them. Whether a number really rings is Twilio's job to find out.
 */
import { parsePhoneNumberFromString, type CountryCode, type PhoneNumber } from 'libphonenumber-js';

export type { CountryCode };

const E164 = /^\+[1-9]\d{6,14}$/;
// Far longer than any formatted number with spaces and brackets; stops pasted text early.
const MAX_INPUT_LENGTH = 64;

/** Shape only: a plus, no leading zero, 7 to 15 digits. Says nothing about whether the number exists. */
export function isE164(s: string): boolean {
  return E164.test(s);
}

/**
 * '020 7946 0000' (GB), '+44 (0)20 7946 0000', '(201) 555-0123' (US), 'tel:+12015550123'
 * -> E.164, or null when the input is not one possible phone number. Numbers with an extension
 * are refused: their E.164 form dials the switchboard, not the person, and we would rather the
 * caller asked again than quietly drop the extension.
 */
export function toE164(input: string, defaultCountry?: CountryCode): string | null {
  const number = parse(input, defaultCountry);
  return number && isE164(number.number) ? number.number : null;
}

// The formatters are for display, which should never fail: anything that is not a canonical,
// possible E.164 number is shown as it was stored rather than hidden.

/** '+442079460000' -> '020 7946 0000'. */
export function formatNational(e164: string): string {
  return parseE164(e164)?.formatNational() ?? e164;
}

/** '+442079460000' -> '+44 20 7946 0000'. */
export function formatInternational(e164: string): string {
  return parseE164(e164)?.formatInternational() ?? e164;
}

/**
 * '+442079460000' -> 'GB'. A number the metadata cannot place (a fictional or unallocated range)
 * gets its calling code's main country (+1 -> US, +44 -> GB), which libphonenumber lists first.
 */
export function countryOf(e164: string): CountryCode | null {
  const number = parseE164(e164);
  if (!number) return null;
  return number.country ?? number.getPossibleCountries()[0] ?? null;
}

function parseE164(e164: string): PhoneNumber | null {
  if (!isE164(e164)) return null;
  const number = parse(e164);
  // '+4402079460000' has the right shape but is not the canonical form of any number.
  return number && number.number === e164 ? number : null;
}

function parse(input: string, defaultCountry?: CountryCode): PhoneNumber | null {
  const text = input.trim().replace(/^tel:/i, '');
  if (text === '' || text.length > MAX_INPUT_LENGTH) return null;
  // extract: false, so 'call 020 7946 0000 or 0113 496 0000' is refused rather than half-read.
  const number = parsePhoneNumberFromString(text, { defaultCountry, extract: false });
  if (!number || number.ext || !number.isPossible()) return null;
  return number;
}
