import { BENCH_DOMAIN, trackingHeaders } from '../bench/arrange';
import type { SeededRandom } from '../../src/simulation/seeded-random';

/**
 * What browsers send the tracking API: a few common user agents, landing pages from the usual kinds
 * of source, and client addresses the load balancer passes on in X-Forwarded-For. The addresses come
 * from ranges reserved for benchmarks and documentation (198.18.0.0/15, 2001:db8::/32), one per visit,
 * so the per-address rate limits and new-visit quota count them as they would count real visitors.
 */
const USER_AGENTS = [
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Safari/605.1.15',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:127.0) Gecko/20100101 Firefox/127.0',
  'Mozilla/5.0 (Linux; Android 14; SM-S918B) AppleWebKit/537.36 (KHTML, like Gecko) SamsungBrowser/25.0 Chrome/121.0.0.0 Mobile Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36 Edg/126.0.0.0',
];

const site = `https://${BENCH_DOMAIN}`;
/** Landing pages by source: paid search, organic search, social, e-mail, direct. */
const LANDINGS = [
  { url: `${site}/landing?utm_source=google&utm_medium=cpc&utm_campaign=boilers&gclid=load`, referrer: 'https://www.google.com/', title: 'Boiler repair' },
  { url: `${site}/landing?utm_source=bing&utm_medium=cpc&utm_campaign=boilers&msclkid=load`, referrer: 'https://www.bing.com/', title: 'Boiler repair' },
  { url: `${site}/services/heating`, referrer: 'https://www.google.co.uk/', title: 'Heating services' },
  { url: `${site}/offers?utm_source=facebook&utm_medium=social&utm_campaign=spring&fbclid=load`, referrer: 'https://m.facebook.com/', title: 'Spring offers' },
  { url: `${site}/offers?utm_source=newsletter&utm_medium=email&utm_campaign=may`, referrer: '', title: 'Spring offers' },
  { url: `${site}/`, referrer: '', title: 'Home' },
];
const LATER_PAGES = ['/services/heating', '/services/plumbing', '/pricing', '/about', '/contact', '/reviews'];

export interface Browser {
  userAgent: string;
  address: string;
}

let visitors = 0;

/** The next visitor's browser: a user agent, and an address no earlier visitor of this run had (one in ten IPv6). */
export function nextBrowser(random: SeededRandom): Browser {
  const n = visitors++;
  const address =
    n % 10 === 9
      ? `2001:db8:${((n >>> 16) & 0xffff).toString(16)}:${(n & 0xffff).toString(16)}::${(1 + random.int(0xfffe)).toString(16)}`
      : `198.${18 + ((n >>> 16) & 1)}.${(n >>> 8) & 0xff}.${n & 0xff}`;
  return { userAgent: USER_AGENTS[random.int(USER_AGENTS.length)], address };
}

export function browserHeaders(b: Browser): Record<string, string> {
  return { ...trackingHeaders, 'user-agent': b.userAgent, 'x-forwarded-for': b.address };
}

export function landingPage(random: SeededRandom): { url: string; referrer: string; title: string } {
  return LANDINGS[random.int(LANDINGS.length)];
}

export function laterPage(random: SeededRandom): { url: string; title: string } {
  const path = LATER_PAGES[random.int(LATER_PAGES.length)];
  return { url: `${site}${path}`, title: path.slice(1).replace('/', ' ') };
}
