/**
 * The tracking script sites paste into their pages (served per site at /t/{siteKey}.js, with the site's
 * settings in place of __CT_CONFIG__; see tracking-script.ts). It registers the visit, swaps the site's
 * numbers for the tracking number, keeps the number's lease alive while the page is visible, records
 * page views, and exposes `ct('consent', bool)`, `ct('number')` and `ct('swap', element)`.
 *
 * Whatever happens (a request that fails or is slow, a page we cannot read), the page keeps its own
 * number and no error reaches the host page.
 */
import { clearCookie, readCookie, writeCookie } from './cookies';
import { NumberSwapper } from './dom-swapper';
import { readGaIds } from './ga-ids';
import type { ScriptConfig, ShownNumber, VisitAnswer } from './types';

declare const __CT_CONFIG__: ScriptConfig;

const VISITOR_COOKIE = '_ct_vr';
const VISIT_COOKIE = '_ct_vs';
const VISITOR_MAX_AGE = 30 * 24 * 3600;
const VISIT_MAX_AGE = 30 * 60;
// Past this the page gives up on the request and keeps its own number.
const REQUEST_TIMEOUT_MS = 4000;

type PublicNumber = { e164: string; display: string };
type Command = (name: string, arg?: unknown) => unknown;
interface CtStub {
  (...args: unknown[]): unknown;
  q?: ArrayLike<unknown>[];
}

function start(config: ScriptConfig): void {
  const w = window as unknown as { ct?: CtStub; doNotTrack?: string; ctLoaded?: boolean };
  // The snippet pasted twice must not register twice (or wrap history twice).
  if (w.ctLoaded) return;
  w.ctLoaded = true;
  const nav = navigator as Navigator & { globalPrivacyControl?: boolean };
  const script = document.currentScript as HTMLScriptElement | null;
  const api = script && script.src ? script.src.replace(/\/t\/[^/?#]+\.js(?:[?#].*)?$/, '') : config.api;
  const base = `${api}/t/${encodeURIComponent(config.siteKey)}`;
  const swapper = new NumberSwapper(config.targets);

  // With consent 'required' the visitor's answers are recorded server-side (POST /consent).
  const recordsConsent = config.enabled && config.consent === 'required';
  let consented = config.consent !== 'required';
  let consentRecorded = false;
  let running = false;
  let number: ShownNumber | null = null;
  let visitId = '';
  let leaseToken: string | null = null;
  let heartbeatMs = config.heartbeatSeconds * 1000;
  let timer: ReturnType<typeof setInterval> | undefined;
  let lastBeat = 0;
  let lastUrl = '';
  const waiting: ((n: PublicNumber) => void)[] = [];

  const optedOut = () =>
    (config.honorDnt && (nav.doNotTrack === '1' || w.doNotTrack === '1')) || (config.honorGpc && nav.globalPrivacyControl === true);
  // Automated browsers announce themselves with navigator.webdriver; they get the site's own number.
  const allowed = () => config.enabled && consented && !optedOut() && !nav.webdriver && typeof fetch === 'function';
  const view = (n: ShownNumber): PublicNumber => ({ e164: n.e164, display: n.display });
  const pageUrl = () => location.href.split('#')[0];

  async function post(path: string, body: object, keepalive = false): Promise<Response | null> {
    const abort = typeof AbortController === 'function' ? new AbortController() : null;
    const timeout = setTimeout(() => abort && abort.abort(), REQUEST_TIMEOUT_MS);
    try {
      // text/plain keeps the request "simple": no CORS preflight, one round trip.
      return await fetch(base + path, { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'text/plain' }, credentials: 'omit', keepalive, signal: abort ? abort.signal : undefined });
    } catch {
      return null;
    } finally {
      clearTimeout(timeout);
    }
  }

  /** A request that must outlive the page (it may be left at once): a beacon, else a keepalive fetch. */
  function beacon(path: string, body: object): void {
    try {
      if (nav.sendBeacon(base + path, new Blob([JSON.stringify(body)], { type: 'text/plain' }))) return;
    } catch {
      // no sendBeacon in this browser
    }
    void post(path, body, true);
  }

  const touchVisit = () => visitId && writeCookie(VISIT_COOKIE, visitId, VISIT_MAX_AGE);

  function show(next: ShownNumber | null): void {
    number = next;
    if (!next) return swapper.restore();
    swapper.show(next);
    waiting.splice(0).forEach((callback) => callback(view(next)));
  }

  async function register(pageView: boolean): Promise<void> {
    const res = await post('/visits', {
      visitorId: readCookie(VISITOR_COOKIE),
      visitId: readCookie(VISIT_COOKIE),
      url: location.href.slice(0, 2048),
      referrer: document.referrer.slice(0, 2048),
      title: document.title.slice(0, 512),
      pageView,
      ...readGaIds(document.cookie),
    });
    if (!res || !res.ok || !running) return;
    const answer = (await res.json()) as VisitAnswer;
    if (!running) return;
    // No visit id: this visitor is not tracked (tracking off, a bot); the page keeps its number.
    if (!answer.visitId || !answer.visitorId) return stop(false);
    visitId = answer.visitId;
    leaseToken = answer.leaseToken;
    writeCookie(VISITOR_COOKIE, answer.visitorId, VISITOR_MAX_AGE);
    touchVisit();
    // Registration only runs with consent: the first answer of this page (or since a withdrawal) records it.
    if (recordsConsent && !consentRecorded) {
      consentRecorded = true;
      beacon('/consent', { visitorId: answer.visitorId, state: 'given' });
    }
    lastBeat = Date.now();
    show(answer.number);
    if (answer.heartbeatSeconds * 1000 !== heartbeatMs || !timer) {
      heartbeatMs = answer.heartbeatSeconds * 1000;
      clearInterval(timer);
      timer = setInterval(() => void beat().catch(() => undefined), heartbeatMs);
    }
  }

  /** Keeps the lease while the page is visible; a lost lease (409) leases again, maybe another number. */
  async function beat(): Promise<void> {
    if (!running || !leaseToken || document.visibilityState !== 'visible') return;
    lastBeat = Date.now();
    const res = await post(`/visits/${visitId}/heartbeat`, { leaseToken });
    if (!res || !running) return;
    if (res.status === 409) return register(false);
    if (!res.ok) return;
    const answer = (await res.json()) as { number: ShownNumber };
    touchVisit();
    if (running && (!number || answer.number.e164 !== number.e164)) show(answer.number);
  }

  function pageView(kind: 'view' | 'exit'): void {
    if (!running || !visitId) return;
    const body = { url: location.href.slice(0, 2048), title: document.title.slice(0, 512), kind };
    const path = `/visits/${visitId}/pageviews`;
    touchVisit();
    // A page being left cannot wait for an answer.
    if (kind === 'exit') beacon(path, body);
    else void post(path, body);
  }

  function begin(): void {
    if (running || !allowed()) return;
    running = true;
    lastUrl = pageUrl();
    void register(true).catch(() => undefined);
  }

  function stop(forget: boolean): void {
    running = false;
    clearInterval(timer);
    timer = undefined;
    leaseToken = null;
    visitId = '';
    show(null);
    if (forget) {
      clearCookie(VISITOR_COOKIE);
      clearCookie(VISIT_COOKIE);
    }
  }

  // Single-page apps: a history navigation is a page view of the same visit, with the same number.
  const onNavigation = () =>
    setTimeout(() => {
      if (pageUrl() === lastUrl) return;
      lastUrl = pageUrl();
      pageView('view');
    }, 50);
  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      const result = original.apply(this, args);
      try {
        onNavigation();
      } catch {
        // never into the host page
      }
      return result;
    };
  }
  addEventListener('popstate', onNavigation);
  addEventListener('pagehide', () => pageView('exit'));
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible' && Date.now() - lastBeat >= heartbeatMs) void beat().catch(() => undefined);
  });

  const command: Command = (name, arg) => {
    if (name === 'number') {
      if (typeof arg === 'function') {
        if (number) arg(view(number));
        else waiting.push(arg as (n: PublicNumber) => void);
      }
      return number ? view(number) : null;
    }
    if (name === 'swap' && arg instanceof Node) swapper.include(arg);
    if (name === 'consent') {
      consented = arg === true;
      if (consented) return void begin();
      // Recorded for the visitor the cookie names, before the cookie goes (a later page has no id to send).
      const visitorId = readCookie(VISITOR_COOKIE);
      if (recordsConsent && visitorId) beacon('/consent', { visitorId, state: 'withdrawn' });
      consentRecorded = false;
      stop(true);
    }
    return undefined;
  };
  const queued = (w.ct && w.ct.q) || [];
  w.ct = (...args: unknown[]) => {
    try {
      return command(String(args[0]), args[1]);
    } catch {
      return undefined;
    }
  };
  for (const args of Array.prototype.slice.call(queued) as ArrayLike<unknown>[]) w.ct(args[0], args[1]);
  begin();
}

try {
  start(__CT_CONFIG__);
} catch {
  // The page keeps working, with its own numbers.
}
