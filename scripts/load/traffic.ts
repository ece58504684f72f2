import { setTimeout as sleep } from 'node:timers/promises';
import { SeededRandom } from '../../src/simulation/seeded-random';
import { signedForm } from '../bench/twilio-signing';
import { planCall, type Webhook } from './calls';
import { DueQueue } from './due-queue';
import type { HttpClient, Reply, Target } from './http-client';
import { deliveryOf, type Ledger } from './ledger';
import { Pacer } from './pacer';
import type { Route, RouteStats } from './route-stats';
import { browserHeaders, landingPage, laterPage, nextBrowser, type Browser } from './visitors';

/**
 * The share of request slots each action takes when no call webhook is due. A call then costs about
 * four more requests (status callbacks, dial action, the odd duplicate), so call webhooks make about a
 * ninth of all requests: far more calls per visit than a real site sees, to load the call path.
 */
export const MIX = { newVisit: 0.2, pageView: 0.25, heartbeat: 0.36, returningVisit: 0.08, exit: 0.05, call: 0.03 } as const;
type Action = keyof typeof MIX;

const ACTIONS = Object.entries(MIX) as [Action, number][];
/** Deliveries Twilio would retry: a failed webhook is sent again after a second, at most three times in all. */
const MAX_ATTEMPTS = 3;
const RETRY_AFTER_MS = 1000;
const SAMPLES_KEPT = 10;

export interface TrafficSettings {
  targets: Target[];
  siteKey: string;
  /** The PUBLIC_BASE_URL all instances share: webhooks are signed for it, whichever instance receives them. */
  publicBaseUrl: string;
  authToken: string;
  connections: number;
  rate?: number;
  seed: number;
  /** Visits kept to come back to; past it, a random one leaves without a word (its lease expires). */
  liveVisitCap: number;
}

interface LiveVisit {
  visitId: string;
  visitorId: string | null;
  browser: Browser;
  /** Undefined once a heartbeat was answered 409: the script then leases again for the page it is on. */
  lease?: { token: string; e164: string };
}

interface PendingWebhook {
  callSid: string;
  webhook: Webhook;
  attempt: number;
  /** Only on the call's first voice webhook: what follows once it is answered. */
  followUps?: Webhook[];
}

interface VisitAnswer {
  visitorId: string | null;
  visitId: string | null;
  leaseToken: string | null;
  number: { e164: string } | null;
}

/**
 * Drives the mix over all instances from `connections` workers, each sending its next request when
 * the previous one was answered (a closed loop, optionally paced by `rate`). Every request goes to a
 * randomly chosen instance, so one call's webhooks and one visit's requests land on different
 * instances, as they do behind a load balancer. Everything the service accepted goes into the ledger.
 */
export class Traffic {
  private readonly live: LiveVisit[] = [];
  private readonly due = new DueQueue<PendingWebhook>();
  private readonly pacer?: Pacer;
  private readonly actions: SeededRandom;
  private readonly routing: SeededRandom;
  private readonly callPlans: SeededRandom;
  private readonly browsing: SeededRandom;
  /** Voice webhooks not yet answered for good: their follow-ups are still to be scheduled. */
  private openVoiceWebhooks = 0;
  private stopped = false;
  readonly unexpected = { count: 0, samples: [] as string[] };

  constructor(
    private readonly s: TrafficSettings,
    private readonly client: HttpClient,
    private readonly ledger: Ledger,
    private stats: RouteStats,
  ) {
    this.pacer = s.rate ? new Pacer(s.rate) : undefined;
    // One stream per purpose, so that changing one kind of choice leaves the others as they were.
    this.actions = SeededRandom.stream(s.seed, 0);
    this.routing = SeededRandom.stream(s.seed, 1);
    this.callPlans = SeededRandom.stream(s.seed, 2);
    this.browsing = SeededRandom.stream(s.seed, 3);
  }

  get liveVisits(): number {
    return this.live.length;
  }

  get pendingWebhooks(): number {
    return this.due.size;
  }

  /** The timed phase: the whole mix for `durationMs`, then until the requests in flight are answered. Returns its length in ms. */
  async runTimed(durationMs: number): Promise<number> {
    const started = performance.now();
    await Promise.all(Array.from({ length: this.s.connections }, () => this.timedWorker(started + durationMs)));
    return performance.now() - started;
  }

  /**
   * After the timed phase: no new visits or calls, only the webhooks of calls in progress, at their
   * due times, counted in `stats`, until every call has ended. Returns its length in ms.
   */
  async drain(stats: RouteStats): Promise<number> {
    const started = performance.now();
    this.stats = stats;
    await Promise.all(Array.from({ length: this.s.connections }, () => this.drainWorker()));
    return performance.now() - started;
  }

  /** Ctrl-C: workers stop after their current request. */
  stop(): void {
    this.stopped = true;
  }

  private async timedWorker(end: number): Promise<void> {
    while (!this.stopped && performance.now() < end) {
      await this.pacer?.wait();
      const webhook = this.due.popDue(Date.now());
      if (webhook) await this.sendWebhook(webhook);
      else await this.act(this.chooseAction());
    }
  }

  private async drainWorker(): Promise<void> {
    while (!this.stopped && (this.due.size > 0 || this.openVoiceWebhooks > 0)) {
      const webhook = this.due.popDue(Date.now());
      if (webhook) {
        await this.sendWebhook(webhook);
        continue;
      }
      const next = this.due.nextAt();
      await sleep(next === undefined ? 20 : Math.min(200, Math.max(1, next - Date.now())));
    }
  }

  private chooseAction(): Action {
    if (this.live.length === 0) return 'newVisit';
    let roll = this.actions.next();
    for (const [action, share] of ACTIONS) {
      roll -= share;
      if (roll < 0) return action;
    }
    return 'newVisit';
  }

  private act(action: Action): Promise<void> {
    switch (action) {
      case 'newVisit':
        return this.newVisit();
      case 'pageView':
        return this.pageView('view');
      case 'exit':
        return this.pageView('exit');
      case 'heartbeat':
        return this.heartbeat();
      case 'returningVisit':
        return this.returningVisit(this.pickLive());
      case 'call':
        return this.call();
    }
  }

  private async newVisit(): Promise<void> {
    const browser = nextBrowser(this.browsing);
    const reply = await this.send('new visit', `/t/${this.s.siteKey}/visits`, browserHeaders(browser), JSON.stringify(landingPage(this.browsing)));
    if (deliveryOf(reply?.status) === 'uncertain') this.ledger.uncertainVisitRequests += 1;
    const answer = this.visitAnswer('new visit', reply);
    if (!answer) return;
    this.ledger.visitStarted(answer.visitId);
    this.ledger.pageView(answer.visitId, 'accepted'); // the entry page
    const visit: LiveVisit = { visitId: answer.visitId, visitorId: answer.visitorId, browser };
    this.holdLease(visit, answer);
    this.live.push(visit);
    if (this.live.length > this.s.liveVisitCap) this.takeLive();
  }

  /**
   * The same visit loads another page of the site (a page view), or, when its lease was lost, the
   * script leases again for the page it is on (`pageView: false`, no page view).
   */
  private async returningVisit(visit: LiveVisit | undefined): Promise<void> {
    if (!visit) return this.newVisit();
    const releasing = !visit.lease;
    const page = laterPage(this.browsing);
    const body = { visitorId: visit.visitorId ?? undefined, visitId: visit.visitId, url: page.url, title: page.title, ...(releasing ? { pageView: false } : {}) };
    const reply = await this.send('returning visit', `/t/${this.s.siteKey}/visits`, browserHeaders(visit.browser), JSON.stringify(body));
    const delivery = deliveryOf(reply?.status);
    const answer = this.visitAnswer('returning visit', reply);
    if (answer && answer.visitId !== visit.visitId) this.unexpectedAnswer('returning visit', `visit ${visit.visitId} came back as ${answer.visitId}`);
    if (delivery === 'uncertain') this.ledger.uncertainVisitRequests += 1;
    // A page view is recorded when the visit is (not for a visit the service declined to track).
    if (!releasing) this.ledger.pageView(visit.visitId, answer ? 'accepted' : delivery === 'uncertain' ? 'uncertain' : 'refused');
    if (answer) this.holdLease(visit, answer);
  }

  private async pageView(kind: 'view' | 'exit'): Promise<void> {
    // A visitor who leaves is gone from the moment the choice is made, so no other worker picks it.
    const visit = kind === 'exit' ? this.takeLive() : this.pickLive();
    if (!visit) return this.newVisit();
    const reply = await this.send('page view', `/t/${this.s.siteKey}/visits/${visit.visitId}/pageviews`, browserHeaders(visit.browser), JSON.stringify({ ...laterPage(this.browsing), kind }));
    this.ledger.pageView(visit.visitId, deliveryOf(reply?.status));
  }

  private async heartbeat(): Promise<void> {
    const visit = this.pickLive();
    if (!visit?.lease) return this.returningVisit(visit);
    const lease = visit.lease;
    const reply = await this.send('heartbeat', `/t/${this.s.siteKey}/visits/${visit.visitId}/heartbeat`, browserHeaders(visit.browser), JSON.stringify({ leaseToken: lease.token }));
    // 409: the lease expired or went to a newcomer (the pool recycles); the script will lease again.
    if (reply?.status === 409 && visit.lease === lease) visit.lease = undefined;
  }

  private async call(): Promise<void> {
    const visit = this.pickLive();
    if (!visit?.lease) return this.heartbeat();
    const plan = planCall(this.callPlans, visit.lease.e164);
    this.ledger.callStarted(plan.callSid, visit.lease.e164);
    this.openVoiceWebhooks += 1;
    await this.sendWebhook({ callSid: plan.callSid, webhook: plan.voice, attempt: 1, followUps: plan.followUps });
  }

  private async sendWebhook(p: PendingWebhook): Promise<void> {
    const { headers, body } = signedForm(this.s.authToken, `${this.s.publicBaseUrl}${p.webhook.path}`, p.webhook.params);
    const reply = await this.send(p.webhook.route, p.webhook.path, headers, body);
    let delivery = deliveryOf(reply?.status);
    if (p.webhook.route === 'voice webhook' && delivery === 'accepted' && !reply?.body.includes('<Dial')) {
      this.unexpectedAnswer('voice webhook', `no <Dial> in ${reply?.body.slice(0, 200)}`);
      delivery = 'refused';
    }
    this.ledger.delivered(p.callSid, p.webhook.eventKey, delivery, p.webhook.status);
    if (delivery !== 'accepted' && p.attempt < MAX_ATTEMPTS) {
      this.due.push(Date.now() + RETRY_AFTER_MS, { ...p, attempt: p.attempt + 1 });
      return;
    }
    if (!p.followUps) return;
    this.openVoiceWebhooks -= 1;
    // A call whose voice webhook was never answered with a <Dial> goes no further, as on Twilio.
    if (delivery !== 'accepted') return;
    const answeredAt = Date.now();
    for (const webhook of p.followUps) this.due.push(answeredAt + webhook.delayMs, { callSid: p.callSid, webhook, attempt: 1 });
  }

  /** One request to a random instance, timed and counted under its route; undefined when no answer came. */
  private async send(route: Route, path: string, headers: Record<string, string>, body: string): Promise<Reply | undefined> {
    const target = this.s.targets[this.routing.int(this.s.targets.length)];
    try {
      const reply = await this.client.post(target, path, headers, body);
      this.stats.answered(route, reply.status, reply.ms);
      const fine = (reply.status >= 200 && reply.status < 300) || (route === 'heartbeat' && reply.status === 409);
      if (!fine) this.unexpectedAnswer(route, `${target.name} answered ${reply.status}: ${reply.body.slice(0, 200)}`);
      return reply;
    } catch (err) {
      this.stats.failed(route);
      this.unexpectedAnswer(route, `${target.name}: ${(err as Error).message}`);
      return undefined;
    }
  }

  /** A tracked visit's answer; a visit the service did not track (taken for a bot, over a quota) is unexpected here. */
  private visitAnswer(route: Route, reply: Reply | undefined): (VisitAnswer & { visitId: string }) | undefined {
    if (reply?.status !== 200) return undefined;
    let answer: VisitAnswer;
    try {
      answer = JSON.parse(reply.body) as VisitAnswer;
    } catch {
      this.unexpectedAnswer(route, `not JSON: ${reply.body.slice(0, 200)}`);
      return undefined;
    }
    if (!answer.visitId) {
      this.unexpectedAnswer(route, 'the visit was not tracked');
      return undefined;
    }
    if (!answer.leaseToken || !answer.number) this.unexpectedAnswer(route, 'the visit got no tracking number');
    return answer as VisitAnswer & { visitId: string };
  }

  private holdLease(visit: LiveVisit, answer: VisitAnswer): void {
    if (!answer.leaseToken || !answer.number) return;
    visit.lease = { token: answer.leaseToken, e164: answer.number.e164 };
    this.ledger.granted(visit.visitId, answer.number.e164, answer.leaseToken);
  }

  private pickLive(): LiveVisit | undefined {
    return this.live.length ? this.live[this.actions.int(this.live.length)] : undefined;
  }

  /** Removes a random live visit (swap with the last, pop). */
  private takeLive(): LiveVisit | undefined {
    if (!this.live.length) return undefined;
    const i = this.actions.int(this.live.length);
    const visit = this.live[i];
    this.live[i] = this.live[this.live.length - 1];
    this.live.pop();
    return visit;
  }

  private unexpectedAnswer(route: Route, what: string): void {
    this.unexpected.count += 1;
    if (this.unexpected.samples.length < SAMPLES_KEPT) this.unexpected.samples.push(`${route}: ${what}`);
  }
}
