/**
 * Fuzzing every endpoint (issue 7). For every route the app serves (found by walking its router, so a
 * new route is fuzzed without touching this file), fast-check sends requests that break one part of a
 * real caller's request, or all of them: path parameters (injection strings, unicode with RTL,
 * zero-width, emoji and lone surrogates, 10 k strings, numeric edge cases, unknown and real ids of
 * the seeded data), query strings, bodies (wrong types and shapes, bad phone numbers, deep and huge
 * JSON, bodies over the size limit, wrong or missing content types), headers (no or a bad admin key,
 * foreign origins) and, on the webhooks, the Twilio signature (missing, forged, for other fields).
 *
 * For each request: no 5xx; a rejection (4xx) is a problem document and leaves every table and the
 * pool store as they were (see data-fingerprint.ts); no error logged and no call write pushed to the
 * durable queue (failures a 2xx can hide). An error escaping every handler fails the test too (Jest
 * reports unhandled rejections and uncaught exceptions). A body over the size limits may lose its
 * answer to a TCP reset (the server answered without reading it all): then only the service's health
 * is checked. Afterwards the service is healthy and still tracks a visit and its call.
 *
 * CI runs a fixed seed: 60 requests per route on the embedded backends and 15 on the real Postgres
 * and Redis (when present), about 3,400 requests. A larger hunt locally:
 *
 *   FUZZ_RUNS=1000 FUZZ_SEED=$RANDOM npm test -- test/fuzz/every-endpoint
 *
 * FUZZ_RUNS is requests per route on the embedded backends (the real ones get a quarter); each route
 * draws from its own seed derived from FUZZ_SEED. A failure prints that seed and the shrunk request;
 * rerun with the same FUZZ_SEED and FUZZ_RUNS to see it again. FUZZ_REPORT=1 prints, per route, the
 * statuses seen and the time spent, to check the fuzzer gets past validation.
 */
import { createServer, type Server } from 'node:http';
import fc from 'fast-check';
import request from 'supertest';
import type { Response } from 'supertest';
import { createApp } from '../../src/app';
import { BACKENDS, FORWARD_TO, callBySid, createTrackedSite, forwardsTo, placeCall, visitWithNumber } from '../support/fixtures';
import { captureLogs, type LogCapture } from '../support/log-capture';
import { listRoutes, type RouteEntry } from '../support/route-inventory';
import { startTestApp, type Backend, type TestApp } from '../support/test-app';
import { DataWatch, type DataState } from './data-fingerprint';
import { fuzzParameters } from './fuzz-parameters';
import { requestArbitrary, surfaceOf, type Surface } from './fuzz-requests';
import { bodyBytes, sendFuzzRequest, type FuzzRequest } from './send-fuzz-request';
import { seedFuzzWorld, type FuzzWorld } from './fuzz-world';

const FUZZ_DEFAULTS = { seed: 20261130, embeddedRuns: 60, realRuns: 15 };
const params = fuzzParameters(FUZZ_DEFAULTS);
const SURFACES: Surface[] = ['admin', 'tracking', 'webhook', 'public'];
/** The /t routes take 16 kB, the admin API and the webhooks 64 kB. */
const SMALLEST_BODY_LIMIT = 16 * 1024;
/** Warnings that mean data was set aside or dropped, not just that something unusual arrived. */
const SWALLOWED_WARNINGS = ['call write deferred to the durable queue', 'unreadable visit notes skipped', 'page views dropped: the buffer was full'];

describe.each(BACKENDS)('every endpoint under hostile input on %s backends', (backend: Backend, available: boolean) => {
  const maybe = available ? it : it.skip;
  const numRuns = backend === 'embedded' ? params.embeddedRuns : params.realRuns;
  let t: TestApp;
  let server: Server;
  let world: FuzzWorld;
  let routes: RouteEntry[];
  let watch: DataWatch;
  let logs: LogCapture;
  /** The data as the last request left it, once settled; none after a failure (the next request reads it afresh). */
  let last: DataState | undefined;
  /** Per route: how often each status came back, and the time spent (FUZZ_REPORT=1 prints it). */
  const report = new Map<string, { statuses: Record<string, number>; ms: number }>();
  const slowest: string[] = [];

  beforeAll(async () => {
    if (!available) return;
    logs = captureLogs('warn');
    // A slow machine must not push call writes to the durable queue: only a write Postgres refused may land there.
    t = await startTestApp(backend, { SEED_DEMO: 'true', CALL_WRITE_BUDGET_MS: '5000' });
    server = createServer(t.app);
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    world = await seedFuzzWorld(t);
    watch = await DataWatch.install(t, world.poolId);
    routes = listRoutes(createApp(t.container));
  }, 60_000);

  afterAll(async () => {
    if (process.env.FUZZ_REPORT === '1') {
      const lines = [...report].map(([route, e]) => `${route.padEnd(50)} ${String(e.ms).padStart(6)} ms  ${JSON.stringify(e.statuses)}`);
      process.stdout.write(`\nFuzzed on ${backend} backends (seed ${params.seed}):\n${lines.join('\n')}\nSlow:\n${slowest.join('\n')}\n`);
    }
    logs?.restore();
    if (server) await new Promise((resolve) => server.close(resolve));
    await t?.close();
  });

  /** One fuzzed request and everything that must hold for it. */
  async function sendAndCheck(r: FuzzRequest): Promise<void> {
    const before = last ?? (await watch.settle());
    last = undefined;
    // Whatever was logged or queued before this request is not this request's doing.
    logs.lines.length = 0;
    const queuedBefore = await t.container.callWriter.queue.size();

    const started = Date.now();
    let res: Response;
    try {
      res = await sendFuzzRequest(server, r);
    } catch (err) {
      // A server may answer before reading a body it does not want and close the connection; the body
      // still arriving makes TCP reset it, which can lose the answer. Only then: the outcome is unknown
      // (the next request reads the data afresh), but the service must still be up.
      if (bodyBytes(r) <= SMALLEST_BODY_LIMIT) throw err;
      note(r, 'connection reset', Date.now() - started);
      await request(server).get('/healthz').expect(200);
      return;
    }
    note(r, res.status, Date.now() - started);

    if (res.status >= 500) throw new Error(`answered ${res.status}: ${res.text?.slice(0, 500)}`);
    if (res.status < 400) {
      // Accepted: it may change data; wait for what it writes after answering (audit entries), then check the logs.
      const after = await watch.settle(before);
      await expectNothingSwallowed(queuedBefore);
      last = after;
      return;
    }
    expectProblemDocument(res, r.method);
    const { changes, now } = await watch.changesSince(before);
    if (changes.length) throw new Error(`rejected with ${res.status} but changed data:\n${changes.join('\n')}`);
    await expectNothingSwallowed(queuedBefore);
    last = now;
  }

  /**
   * A handler may answer 2xx and still have failed: the dial webhook answers TwiML whatever happens, a
   * call write Postgres refuses is queued for later. Such failures show as error logs and queued writes.
   */
  async function expectNothingSwallowed(queuedBefore: number): Promise<void> {
    const lines = logs.entries().filter((e) => e.level === 'error' || SWALLOWED_WARNINGS.includes(String(e.message)));
    if (lines.length) throw new Error(`logged:\n${lines.map((l) => JSON.stringify(l).slice(0, 600)).join('\n')}`);
    const queued = (await t.container.callWriter.queue.size()) - queuedBefore;
    if (queued > 0) throw new Error(`${queued} call write(s) went to the durable queue instead of Postgres`);
  }

  function note(r: FuzzRequest, status: number | string, ms: number): void {
    const entry = report.get(r.route) ?? { statuses: {}, ms: 0 };
    entry.statuses[status] = (entry.statuses[status] ?? 0) + 1;
    entry.ms += ms;
    report.set(r.route, entry);
    if (ms > 100) slowest.push(`${ms} ms ${status} ${fc.stringify(r).slice(0, 400)}`);
  }

  maybe('when the routes are listed for fuzzing, then the whole service is there', () => {
    expect(routes.length).toBeGreaterThan(35);
  });

  maybe.each(SURFACES)('when every %s route gets hostile requests, then none is answered 5xx, and every rejection is a problem document that changed no data', async (surface) => {
    // Arrange
    const fuzzed = routes.filter((r) => surfaceOf(r.path) === surface);
    expect(fuzzed.length).toBeGreaterThan(0);
    const failures: string[] = [];

    // Act
    for (const route of fuzzed) {
      // A seed of each route's own (from FUZZ_SEED), so routes do not all break the same parts in the same order.
      const seed = (params.seed + stringHash(`${route.method} ${route.path}`)) | 0;
      const details = await fc.check(fc.asyncProperty(requestArbitrary(route, world), sendAndCheck), { seed, numRuns });
      if (details.failed) failures.push(`${route.method} ${route.path}: ${String(details.errorInstance)}\n${fc.defaultReportMessage(details)}`);
      // Still serving after each route's barrage.
      await request(server).get('/healthz').expect(200);
    }

    // Assert
    expect(failures).toEqual([]);
  }, 600_000);

  maybe('when the fuzzing is over, then the service is healthy and still tracks a visit and its call', async () => {
    // Arrange: a site of its own, since the fuzzer may have changed or released the seeded one's numbers.
    await request(server).get('/healthz').expect(200);
    await request(server).get('/readyz').expect(200);
    const site = await createTrackedSite(t);

    // Act
    const visit = await visitWithNumber(t, site.siteKey);
    const { callSid, twiml } = await placeCall(t, visit.number.e164);

    // Assert
    expect(twiml).toMatch(forwardsTo(FORWARD_TO));
    expect((await callBySid(t, site.siteId, callSid)).visitId).toBe(visit.visitId);
  });
});

/** An error answered by the app is RFC 9457 problem+json carrying its own status. */
function expectProblemDocument(res: Response, method: string): void {
  // Node's HTTP parser answers an oversized header block itself, before the app sees the request.
  if (res.status === 431) return;
  const type = String(res.headers['content-type'] ?? '');
  if (!/^application\/problem\+json/.test(type)) throw new Error(`rejected with ${res.status} as ${type || 'no content type'}, not application/problem+json: ${res.text?.slice(0, 300)}`);
  if (method === 'HEAD') return;
  const problem = JSON.parse(res.text) as { status?: unknown; title?: unknown; detail?: unknown };
  if (problem.status !== res.status || typeof problem.title !== 'string' || typeof problem.detail !== 'string') {
    throw new Error(`problem document does not match its ${res.status}: ${res.text.slice(0, 300)}`);
  }
}

function stringHash(s: string): number {
  let h = 0;
  for (let i = 0; i < s.length; i += 1) h = (Math.imul(h, 31) + s.charCodeAt(i)) | 0;
  return h;
}
