/**
 * Labels a website visit with a source and medium, which the attribution report then shows for
 * every call made from that visit. The rules follow Google Analytics' defaults so our labels match
 * what marketers already see there. The first rule that applies wins:
 *
 * 1. UTM tags on the landing URL. Applies when utm_source or utm_medium is present. Parameter names
 *    are case-insensitive; values are trimmed and cut to 256 characters, and the first non-empty
 *    value counts. Source and medium are lowercased; campaign, term and content keep their case.
 *    A missing source or medium is '(not set)', as in Google Analytics, because guessing would
 *    hide a tagging mistake the marketer should fix. utm_campaign/term/content without a source
 *    or medium are ignored.
 * 2. Ad click ids: gclid, gbraid, wbraid -> google / cpc; msclkid -> bing / cpc; fbclid ->
 *    facebook / social. Facebook adds fbclid to ordinary shared links too, so it does not prove
 *    a paid click. Paid ids are checked first. Click ids always go into clickIds, even when UTM tags
 *    win, because conversion uploads need them.
 * 3. Referrer, checked in this order:
 *    - on one of siteDomains or the landing page's own host, or a subdomain of either:
 *      (direct) / (none), because it is navigation within the site, not a new source;
 *    - a webmail host (mail.google.com, outlook.live.com ...): provider / email;
 *    - a search engine (google.*, bing.com, duckduckgo.com ...): engine / organic;
 *    - a social network (facebook.com, t.co, x.com, linkedin.com ...): network / social;
 *    - any other http(s) host: the host without 'www.' / referral.
 *    Android apps send 'android-app://<package>'. Known apps map to the same labels as their
 *    websites, and any other app is '<package>' / referral.
 *    A referrer that does not parse, or uses another scheme, counts as no referrer.
 * 4. Nothing else applies: (direct) / (none).
 *
 * Google hosts other than the search page itself (accounts.google.com, docs.google.com) are
 * referrals, not organic search. Never throws: a landing URL that does not parse gives no UTM tags
 * and no click ids, and is still returned (trimmed and cut to 2048 characters) as landingPage.
 */
export interface ClickIds {
  gclid?: string;
  gbraid?: string;
  wbraid?: string;
  msclkid?: string;
  fbclid?: string;
}

export interface VisitSource {
  source: string;
  medium: string;
  campaign: string | null;
  term: string | null;
  content: string | null;
  /** The landing URL as given (trimmed), cut to 2048 characters. */
  landingPage: string;
  referrer: string | null;
  clickIds: ClickIds;
}

export interface VisitSourceInput {
  url: string;
  referrer?: string | null;
  /** Domains that belong to the site, e.g. ['example.com']. Their subdomains are included. */
  siteDomains?: string[];
}

type SourceMedium = Pick<VisitSource, 'source' | 'medium'>;

const MAX_URL_LENGTH = 2048;
const MAX_TAG_LENGTH = 256;
// Real click ids are well under this. Longer values are junk, and a truncated id could not be
// uploaded anyway, so we drop them.
const MAX_CLICK_ID_LENGTH = 512;
const NOT_SET = '(not set)';
const DIRECT: SourceMedium = { source: '(direct)', medium: '(none)' };
const NO_CAMPAIGN = { campaign: null, term: null, content: null };

// Most specific first: paid Google ids, then Microsoft, then fbclid, which may be organic.
const CLICK_ID_SOURCES: ReadonlyArray<[keyof ClickIds, SourceMedium]> = [
  ['gclid', { source: 'google', medium: 'cpc' }],
  ['gbraid', { source: 'google', medium: 'cpc' }],
  ['wbraid', { source: 'google', medium: 'cpc' }],
  ['msclkid', { source: 'bing', medium: 'cpc' }],
  ['fbclid', { source: 'facebook', medium: 'social' }],
];

interface KnownReferrer extends SourceMedium {
  /** Matches the domain itself and its subdomains. */
  domains?: string[];
  /** For brands with a host per country (google.co.uk, yandex.com.tr). */
  pattern?: RegExp;
  androidApps?: string[];
}

// 'com' or a country code, optionally preceded by 'co.' or 'com.' (google.co.uk, google.com.au).
const TLD = String.raw`(?:com?\.)?[a-z]{2,3}`;
const brandHost = (prefix: string): RegExp => new RegExp(`^${prefix}\\.${TLD}$`);

// Order matters: webmail comes before search and social, so mail.google.com is not search.
const KNOWN_REFERRERS: KnownReferrer[] = [
  { source: 'gmail', medium: 'email', domains: ['mail.google.com'], androidApps: ['com.google.android.gm'] },
  {
    source: 'outlook',
    medium: 'email',
    domains: ['outlook.live.com', 'outlook.office.com', 'outlook.office365.com', 'outlook.cloud.microsoft'],
    androidApps: ['com.microsoft.office.outlook'],
  },
  { source: 'yahoo', medium: 'email', pattern: brandHost(String.raw`(?:[a-z0-9-]+\.)*mail\.yahoo`) },
  { source: 'aol', medium: 'email', domains: ['mail.aol.com'] },
  { source: 'proton', medium: 'email', domains: ['mail.proton.me', 'mail.protonmail.com'] },
  { source: 'zoho', medium: 'email', domains: ['mail.zoho.com', 'mail.zoho.eu'] },
  { source: 'yandex', medium: 'email', pattern: brandHost(String.raw`mail\.yandex`) },

  {
    source: 'google',
    medium: 'organic',
    pattern: brandHost('google'),
    androidApps: ['com.google.android.googlequicksearchbox'],
  },
  { source: 'bing', medium: 'organic', domains: ['bing.com'] },
  { source: 'yahoo', medium: 'organic', pattern: brandHost(String.raw`(?:[a-z0-9-]+\.)*search\.yahoo`) },
  { source: 'duckduckgo', medium: 'organic', domains: ['duckduckgo.com'] },
  { source: 'baidu', medium: 'organic', domains: ['baidu.com'] },
  { source: 'yandex', medium: 'organic', pattern: brandHost(String.raw`(?:[a-z0-9-]+\.)*yandex`), domains: ['ya.ru'] },
  { source: 'ecosia', medium: 'organic', domains: ['ecosia.org'] },
  { source: 'brave', medium: 'organic', domains: ['search.brave.com'] },
  { source: 'ask', medium: 'organic', domains: ['ask.com'] },
  { source: 'naver', medium: 'organic', domains: ['naver.com'] },
  { source: 'startpage', medium: 'organic', domains: ['startpage.com'] },
  { source: 'qwant', medium: 'organic', domains: ['qwant.com'] },
  { source: 'seznam', medium: 'organic', domains: ['seznam.cz'] },
  { source: 'aol', medium: 'organic', domains: ['search.aol.com'] },

  {
    source: 'facebook',
    medium: 'social',
    domains: ['facebook.com', 'fb.com', 'fb.me', 'messenger.com'],
    androidApps: ['com.facebook.katana', 'com.facebook.orca', 'com.facebook.lite'],
  },
  { source: 'instagram', medium: 'social', domains: ['instagram.com'], androidApps: ['com.instagram.android'] },
  // x.com and t.co join twitter.com so the report does not split one network across the rebrand.
  { source: 'twitter', medium: 'social', domains: ['twitter.com', 'x.com', 't.co'], androidApps: ['com.twitter.android'] },
  { source: 'linkedin', medium: 'social', domains: ['linkedin.com', 'lnkd.in'], androidApps: ['com.linkedin.android'] },
  { source: 'pinterest', medium: 'social', pattern: brandHost(String.raw`(?:[a-z0-9-]+\.)*pinterest`), domains: ['pin.it'], androidApps: ['com.pinterest'] },
  { source: 'reddit', medium: 'social', domains: ['reddit.com', 'redd.it'], androidApps: ['com.reddit.frontpage'] },
  { source: 'youtube', medium: 'social', domains: ['youtube.com', 'youtu.be'], androidApps: ['com.google.android.youtube'] },
  { source: 'tiktok', medium: 'social', domains: ['tiktok.com'], androidApps: ['com.zhiliaoapp.musically'] },
  { source: 'threads', medium: 'social', domains: ['threads.net', 'threads.com'] },
  { source: 'bluesky', medium: 'social', domains: ['bsky.app'] },
  { source: 'snapchat', medium: 'social', domains: ['snapchat.com'] },
  { source: 'whatsapp', medium: 'social', domains: ['whatsapp.com', 'wa.me'], androidApps: ['com.whatsapp'] },
  { source: 'telegram', medium: 'social', domains: ['telegram.org', 't.me'] },
  { source: 'tumblr', medium: 'social', domains: ['tumblr.com'] },
  { source: 'quora', medium: 'social', domains: ['quora.com'] },
  { source: 'vk', medium: 'social', domains: ['vk.com'] },
  { source: 'nextdoor', medium: 'social', domains: ['nextdoor.com'] },
];

export function classifyVisitSource(input: VisitSourceInput): VisitSource {
  const rawUrl = input.url.trim();
  const landing = parseUrl(rawUrl);
  const params = landing?.searchParams ?? new URLSearchParams();
  const referrer = input.referrer?.trim() || null;
  const common = {
    landingPage: truncate(rawUrl, MAX_URL_LENGTH),
    referrer: referrer === null ? null : truncate(referrer, MAX_URL_LENGTH),
    clickIds: clickIdsFrom(params),
  };

  const tagged = fromUtmTags(params);
  if (tagged) return { ...tagged, ...common };

  const clicked = CLICK_ID_SOURCES.find(([name]) => common.clickIds[name] !== undefined);
  if (clicked) return { ...clicked[1], ...NO_CAMPAIGN, ...common };

  const ownDomains = [...(input.siteDomains ?? []).map(normaliseDomain), normaliseHost(landing?.hostname ?? '')];
  return { ...fromReferrer(referrer, ownDomains.filter(Boolean)), ...NO_CAMPAIGN, ...common };
}

/** The ad click ids on a URL; {} when it has none or does not parse. */
export function parseClickIds(url: string): ClickIds {
  const parsed = parseUrl(url.trim());
  return parsed ? clickIdsFrom(parsed.searchParams) : {};
}

function clickIdsFrom(params: URLSearchParams): ClickIds {
  const ids: ClickIds = {};
  for (const [name] of CLICK_ID_SOURCES) {
    const value = param(params, name);
    if (value !== null && value.length <= MAX_CLICK_ID_LENGTH) ids[name] = value;
  }
  return ids;
}

function fromUtmTags(params: URLSearchParams): Omit<VisitSource, 'landingPage' | 'referrer' | 'clickIds'> | null {
  const tag = (name: string) => {
    const value = param(params, name);
    return value === null ? null : truncate(value, MAX_TAG_LENGTH);
  };
  const source = tag('utm_source')?.toLowerCase() ?? null;
  const medium = tag('utm_medium')?.toLowerCase() ?? null;
  if (source === null && medium === null) return null;
  return {
    source: source ?? NOT_SET,
    medium: medium ?? NOT_SET,
    campaign: tag('utm_campaign'),
    term: tag('utm_term'),
    content: tag('utm_content'),
  };
}

function fromReferrer(referrer: string | null, ownDomains: string[]): SourceMedium {
  const parsed = referrer === null ? null : parseUrl(referrer);
  if (!parsed) return DIRECT;

  if (parsed.protocol === 'android-app:') {
    const app = parsed.hostname.toLowerCase();
    if (!app) return DIRECT;
    const known = KNOWN_REFERRERS.find((r) => r.androidApps?.includes(app));
    return known ? { source: known.source, medium: known.medium } : { source: truncate(app, MAX_TAG_LENGTH), medium: 'referral' };
  }
  if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') return DIRECT;

  const host = normaliseHost(parsed.hostname);
  if (!host || ownDomains.some((domain) => isSameOrSubdomain(host, domain))) return DIRECT;
  const known = KNOWN_REFERRERS.find(
    (r) => r.domains?.some((domain) => isSameOrSubdomain(host, domain)) || r.pattern?.test(host),
  );
  return known ? { source: known.source, medium: known.medium } : { source: host, medium: 'referral' };
}

/** First non-empty value of a parameter, matching its name case-insensitively, trimmed. */
function param(params: URLSearchParams, name: string): string | null {
  for (const [key, value] of params) {
    if (key.toLowerCase() !== name) continue;
    const trimmed = value.trim();
    if (trimmed) return trimmed;
  }
  return null;
}

/** 'WWW.Example.com.' -> 'example.com'. */
function normaliseHost(hostname: string): string {
  return hostname.toLowerCase().replace(/\.+$/, '').replace(/^www\./, '');
}

/** Tolerates how people write their domains in settings: 'https://www.example.com/', '.example.com'. */
function normaliseDomain(domain: string): string {
  const bare = domain
    .trim()
    .replace(/^[a-z][a-z0-9+.-]*:\/\//i, '')
    .replace(/[/:?#].*$/, '')
    .replace(/^\.+/, '');
  return normaliseHost(bare);
}

function isSameOrSubdomain(host: string, domain: string): boolean {
  return host === domain || host.endsWith(`.${domain}`);
}

function parseUrl(value: string): URL | null {
  try {
    return new URL(value);
  } catch {
    return null;
  }
}

/** Cuts to at most max UTF-16 units without splitting a surrogate pair, which would corrupt the text. */
function truncate(value: string, max: number): string {
  if (value.length <= max) return value;
  const cut = value.slice(0, max);
  const last = cut.charCodeAt(cut.length - 1);
  return last >= 0xd800 && last <= 0xdbff ? cut.slice(0, -1) : cut;
}
