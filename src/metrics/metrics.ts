import { Counter, Histogram, Registry } from 'prom-client';
import type { JobObserver, JobSkipReason } from '../jobs/job-scheduler';
import type { Backend, BackendErrorCounter } from './backend-errors';
import type { HeartbeatOutcome, LeaseOutcome, TrackingMetrics, WebhookKind, WebhookMetrics, WebhookOutcome } from './outcomes';
import type { PoolStatsReader } from './pool-stats-reader';
import { processMetrics } from './process-metrics';
import { ScrapeGauges, type QueueDepthSource } from './scrape-gauges';

const LEASE_OUTCOMES: LeaseOutcome[] = ['granted', 'renewed', 'exhausted', 'overflow', 'not_tracked', 'no_pool', 'error'];
const HEARTBEAT_OUTCOMES: HeartbeatOutcome[] = ['renewed', 'lost', 'error'];
const WEBHOOK_KINDS: WebhookKind[] = ['voice', 'fallback', 'status', 'dial', 'leg', 'recording'];
const WEBHOOK_OUTCOMES: WebhookOutcome[] = ['stored', 'duplicate', 'queued', 'lost', 'ignored', 'rejected'];
const BACKENDS: Backend[] = ['postgres', 'redis', 'unknown'];

/** 1 ms (a cached script) to 5 s (a webhook waiting on a slow backend). */
const HTTP_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5];
/** A route-table refresh takes milliseconds, a retention run minutes. */
const JOB_BUCKETS = [0.01, 0.05, 0.1, 0.5, 1, 5, 15, 60, 300, 900];

/**
 * The service's Prometheus metrics, in a registry of their own (several apps may run in one process,
 * as the tests do). Label values are route patterns, outcomes, job names and pool ids only: never a
 * URL, phone number, address, site key or visit id.
 */
export class Metrics implements TrackingMetrics, WebhookMetrics, JobObserver, BackendErrorCounter {
  readonly registry = new Registry();
  /** What a scrape shows: this registry and the process metrics shared by every registry. */
  private readonly exposed: Registry;
  private readonly scrapeGauges = new ScrapeGauges(this.registry);

  private readonly httpDuration = new Histogram({
    name: 'ct_http_request_duration_seconds',
    help: 'HTTP requests by method, route pattern (unmatched: answered before reaching a route) and status code.',
    labelNames: ['method', 'route', 'status'] as const,
    buckets: HTTP_BUCKETS,
    registers: [this.registry],
  });
  private readonly leases = this.counter('ct_leases_total', 'Visit registrations by how the number was decided.', ['outcome']);
  private readonly heartbeats = this.counter('ct_heartbeats_total', 'Visit heartbeats by outcome (lost: the lease was no longer held).', ['outcome']);
  private readonly webhooks = this.counter('ct_call_webhooks_total', 'Twilio call webhooks by kind and what became of their write (rejected: bad signature).', ['kind', 'outcome']);
  private readonly attributions = this.counter('ct_call_attributions_total', 'Routed calls by attribution method.', ['method']);
  private readonly jobRuns = this.counter('ct_job_runs_total', 'Background job runs by job and result.', ['job', 'result']);
  private readonly jobSkips = this.counter('ct_job_skips_total', 'Scheduled runs this instance did not make, by job and reason (running-elsewhere, ran-elsewhere, lock-unavailable, ...).', ['job', 'reason']);
  private readonly jobLocksLost = this.counter('ct_job_lock_lost_total', 'Runs of single-instance jobs that lost their lock before they ended.', ['job']);
  private readonly jobDuration = new Histogram({
    name: 'ct_job_duration_seconds',
    help: 'How long background job runs took.',
    labelNames: ['job'] as const,
    buckets: JOB_BUCKETS,
    registers: [this.registry],
  });
  private readonly backendErrors = this.counter('ct_backend_errors_total', 'Postgres and Redis client errors, and backend failures that made a request answer 503.', ['backend']);

  constructor() {
    for (const outcome of LEASE_OUTCOMES) this.leases.inc({ outcome }, 0);
    for (const outcome of HEARTBEAT_OUTCOMES) this.heartbeats.inc({ outcome }, 0);
    for (const kind of WEBHOOK_KINDS) for (const outcome of WEBHOOK_OUTCOMES) this.webhooks.inc({ kind, outcome }, 0);
    for (const backend of BACKENDS) this.backendErrors.inc({ backend }, 0);
    this.exposed = Registry.merge([processMetrics(), this.registry]);
  }

  /** Prometheus text format. */
  scrape(): Promise<string> {
    return this.exposed.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  observeRequest(method: string, route: string, status: number, seconds: number): void {
    this.httpDuration.observe({ method, route, status: String(status) }, seconds);
  }

  lease(outcome: LeaseOutcome): void {
    this.leases.inc({ outcome });
  }

  heartbeat(outcome: HeartbeatOutcome): void {
    this.heartbeats.inc({ outcome });
  }

  webhook(kind: WebhookKind, outcome: WebhookOutcome): void {
    this.webhooks.inc({ kind, outcome });
  }

  attribution(method: string): void {
    this.attributions.inc({ method });
  }

  jobFinished(job: string, result: 'ok' | 'failed', seconds: number): void {
    this.jobRuns.inc({ job, result });
    this.jobDuration.observe({ job }, seconds);
  }

  jobSkipped(job: string, reason: JobSkipReason): void {
    this.jobSkips.inc({ job, reason });
  }

  jobLockLost(job: string): void {
    this.jobLocksLost.inc({ job });
  }

  backendError(backend: Backend): void {
    this.backendErrors.inc({ backend });
  }

  /** Pool gauges come from this reader at every scrape. */
  watchPools(reader: PoolStatsReader): void {
    this.scrapeGauges.watchPools(reader);
  }

  /** The durable call queue's depth comes from here at every scrape. */
  watchCallQueue(queue: QueueDepthSource): void {
    this.scrapeGauges.watchCallQueue(queue);
  }

  private counter<L extends string>(name: string, help: string, labelNames: readonly L[]): Counter<L> {
    return new Counter({ name, help, labelNames, registers: [this.registry] });
  }
}
