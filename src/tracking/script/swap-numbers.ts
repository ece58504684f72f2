import type { NumberShape } from './types';

/**
 * Finds a site's own phone numbers in a piece of text and writes the tracking number in their place,
 * in the format the page used.
 *
 * Why not libphonenumber-js in the browser: its smallest metadata alone bundles to about 29 KB gzipped,
 * five times the script's budget (6 KB), and we need very little of it. The server already knows every
 * number involved (the site's swap targets and the tracking number it hands out), so it parses them with
 * libphonenumber-js and sends each one taken apart (NumberShape). The script then only has to:
 *
 * 1. find candidates: runs of digits joined by the separators people use (spaces, dots, dashes, brackets);
 * 2. compare digits: a candidate (or a window of its digit runs, so '020 7946 0000 (24h)' still matches)
 *    is a target when its digits are the target's national significant number behind one of the prefixes
 *    it can be written with: none, the trunk prefix ('0'), the country code ('44'), '00' or '011' and the
 *    country code, or the country code and a bracketed trunk prefix ('+44 (0)20 ...');
 * 3. write the tracking number into the page's own template: prefix and punctuation are kept; when the
 *    page grouped the digits the standard way for the target ('0113 496 0000'), the tracking number is
 *    grouped the standard way for itself ('020 7946 0000'), with the page's separators; otherwise its
 *    digits go one for one into the page's template ('02079460000', '0113-4960000').
 *
 * A tracking number from another country than the target cannot be written in the target's national
 * format (it would not dial), so it is written in international format instead.
 */

// An optional '+' or '(', a digit, then 4 to 40 digits or separators, then a digit: '020 7946 0000',
// '(555) 010-1234', '555.010.1234', '+1 555-010-1234'.
const CANDIDATE = /[+(]?\d[\d \u00a0\u202f().\-\u2010-\u2015]{4,40}\d/g;
const DIGIT_RUN = /\d+/g;

/** The text with every target replaced, or null when it holds none (so callers can leave the node alone). */
export function swapNumbersInText(text: string, targets: readonly NumberShape[], shown: NumberShape): string | null {
  let changed = false;
  const swapped = text.replace(CANDIDATE, (candidate: string) => {
    const result = swapCandidate(candidate, targets, shown);
    if (result === null) return candidate;
    changed = true;
    return result;
  });
  return changed ? swapped : null;
}

function swapCandidate(candidate: string, targets: readonly NumberShape[], shown: NumberShape): string | null {
  const runs: [number, number][] = [];
  DIGIT_RUN.lastIndex = 0;
  for (let m = DIGIT_RUN.exec(candidate); m; m = DIGIT_RUN.exec(candidate)) runs.push([m.index, m.index + m[0].length]);

  let out = '';
  let done = 0;
  // The widest window of whole digit runs that is a target wins; then the search goes on after it.
  next: for (let i = 0; i < runs.length; i++) {
    for (let j = runs.length - 1; j >= i; j--) {
      const region = candidate.slice(runs[i][0], runs[j][1]);
      const digits = region.replace(/\D/g, '');
      for (const target of targets) {
        const prefix = prefixOf(digits, target);
        if (prefix === null) continue;
        const between = candidate.slice(done, runs[i][0]);
        if (shown.countryCode === target.countryCode) out += between + rewrite(region, prefix.length, target, shown);
        // Another country's number cannot use the page's national format: international, in place of the
        // page's own leading '+' or '(' too.
        else out += (i === 0 ? '' : between) + shown.international;
        done = runs[j][1];
        i = j;
        continue next;
      }
    }
  }
  return done === 0 ? null : out + candidate.slice(done);
}

/** The digits written before the target's national number, or null when `digits` is not the target. */
function prefixOf(digits: string, target: NumberShape): string | null {
  const nsn = target.nationalNumber;
  if (!nsn || digits.length < nsn.length || digits.slice(digits.length - nsn.length) !== nsn) return null;
  const prefix = digits.slice(0, digits.length - nsn.length);
  const cc = target.countryCode;
  const allowed = ['', target.nationalPrefix, cc, `00${cc}`, `011${cc}`];
  if (target.nationalPrefix) allowed.push(cc + target.nationalPrefix);
  return allowed.indexOf(prefix) >= 0 ? prefix : null;
}

function rewrite(region: string, prefixDigits: number, target: NumberShape, shown: NumberShape): string {
  // head: the prefix digits and the separators among them ('44 (0', '0'); body: the national number.
  let split = 0;
  for (let seen = 0; seen < prefixDigits; split++) if (isDigit(region.charAt(split))) seen++;
  const head = region.slice(0, split);
  const body = region.slice(split);
  const lead = (/^\D*/.exec(body) as RegExpExecArray)[0];
  const rest = body.slice(lead.length);
  const seps = rest.match(/\D+/g) ?? [];
  const runLengths = rest.split(/\D+/).map((run) => run.length);
  const nsn = shown.nationalNumber;

  let written: string;
  if (sameNumbers(runLengths, target.groups) && shown.groups.length === target.groups.length) {
    written = interleave(cut(nsn, shown.groups), seps);
  } else if (nsn.length === target.nationalNumber.length) {
    let k = 0;
    written = rest.replace(/\d/g, () => nsn.charAt(k++));
  } else {
    written = cut(nsn, shown.groups).join(seps[0] ?? ' ');
  }
  return head + lead + written;
}

const isDigit = (c: string): boolean => c >= '0' && c <= '9';

function sameNumbers(a: readonly number[], b: readonly number[]): boolean {
  return a.length === b.length && a.every((n, i) => n === b[i]);
}

/** '2079460001', [2, 4, 4] -> ['20', '7946', '0001']; groups that do not add up give one group. */
function cut(digits: string, groups: readonly number[]): string[] {
  if (groups.reduce((sum, n) => sum + n, 0) !== digits.length) return [digits];
  const parts: string[] = [];
  let at = 0;
  for (const n of groups) parts.push(digits.slice(at, (at += n)));
  return parts;
}

function interleave(parts: readonly string[], seps: readonly string[]): string {
  return parts.map((part, i) => (i === 0 ? part : (seps[i - 1] ?? ' ') + part)).join('');
}
