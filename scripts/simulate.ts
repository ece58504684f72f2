/**
 * Attribution accuracy, measured: simulates a site's visits and calls against the real pool engine on
 * a simulated clock, and scores the service's own attribution against the truth the simulator knows.
 * docs/attribution.md explains the model and keeps the results of a real run.
 *
 *   npm run simulate -- [--seed 1] [--days 1] [--peak 2000] [--redis] ... (--help for all flags)
 *
 * Prints the tables, and writes the chart (SVG), the tables (Markdown) and the raw counts (CSV) to
 * --out (default simulation-output/). With --redis it plays the default policy at the advisor's size
 * once more on the Redis store (REDIS_URL, under a key prefix of its own that it deletes afterwards)
 * and checks that it scores exactly as the in-process store did; exit code 1 if not.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import Redis from 'ioredis';
import { RedisPoolStore } from '../src/pool/redis/redis-pool-store';
import { renderSvg, sweepChartSpec } from '../src/simulation/chart';
import { readSimulateOptions, USAGE, type SimulateOptions } from '../src/simulation/cli-options';
import { sweepCsv } from '../src/simulation/csv';
import { runLeaseSweep } from '../src/simulation/lease-sweep';
import { memoryStoreFor, POLICY_VARIANTS } from '../src/simulation/policy-variants';
import { simulateSite } from '../src/simulation/simulate-site';
import { advisorLine, chartTitle, reportMarkdown } from '../src/simulation/simulation-report';
import type { SimulationSettings } from '../src/simulation/simulation-settings';
import { differences } from '../src/simulation/store-agreement';
import { runSweep } from '../src/simulation/sweep';
import { breakdownTable, leaseTable, sweepTable } from '../src/simulation/table';
import { deleteKeysWithPrefix } from './bench/resources';

const CHART_FILE = 'attribution.svg';
const log = (line = '') => console.log(line);
/** Progress goes to stderr, so that stdout is just the report. */
const progress = (line: string) => console.error(line);
const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

async function main(): Promise<void> {
  const options = readSimulateOptions(process.argv.slice(2), process.env);
  if (options === 'help') return log(USAGE);
  const started = Date.now();
  const { seed, days, traffic, policy } = options;

  let runStarted = Date.now();
  const sweep = await runSweep({ seed, days, traffic, policy, variants: options.variants, poolSizes: options.poolSizes }, (row) => {
    progress(`  ${POLICY_VARIANTS[row.variant].label} at ${row.poolSize} numbers: ${seconds(Date.now() - runStarted)}`);
    runStarted = Date.now();
  });
  runStarted = Date.now();
  const leaseRows = await runLeaseSweep({ seed, days, traffic, policy, leaseMinutes: options.leaseSweep }, (row) => {
    progress(`  lease ${row.leaseMinutes} min at ${row.poolSize} numbers: ${seconds(Date.now() - runStarted)}`);
    runStarted = Date.now();
  });

  await mkdir(options.outDir, { recursive: true });
  const report = { seed, days, traffic, policy, sweep, leaseRows, chartFile: CHART_FILE };
  await writeFile(join(options.outDir, CHART_FILE), await renderSvg(sweepChartSpec(sweep, chartTitle(report))));
  await writeFile(join(options.outDir, 'attribution.md'), reportMarkdown(report));
  await writeFile(join(options.outDir, 'attribution.csv'), sweepCsv(sweep));

  log(chartTitle(report));
  log(advisorLine(sweep, policy, traffic.peakVisitsPerHour));
  log();
  log(sweepTable(sweep));
  const atAdvisor = sweep.rows.find((row) => row.variant === 'default' && row.poolSize === sweep.recommended);
  if (atAdvisor) log(`\nDefault policy at the advisor's ${sweep.recommended} numbers, by when the call came:\n\n${breakdownTable(atAdvisor.result)}`);
  if (leaseRows.length) log(`\nLease length, each at the advisor's size:\n\n${leaseTable(leaseRows, policy)}`);
  log(`\nWrote ${join(options.outDir, CHART_FILE)}, attribution.md and attribution.csv in ${seconds(Date.now() - started)}.`);

  if (options.redisUrl) {
    const agreed = await confirmOnRedis(options, options.redisUrl, { seed, days: options.redisDays, traffic, policy, poolSize: sweep.recommended });
    if (!agreed) process.exitCode = 1;
  }
}

/** The default policy at the advisor's size, on Redis and in process: the scores must be identical. */
async function confirmOnRedis(options: SimulateOptions, redisUrl: string, settings: SimulationSettings): Promise<boolean> {
  const started = Date.now();
  const redis = new Redis(redisUrl, { maxRetriesPerRequest: 1 });
  const prefix = `ctsim_${randomBytes(6).toString('hex')}:`;
  try {
    log(`\nRedis (${new URL(redisUrl).host}, key prefix ${prefix}): ${options.redisDays} day(s), default policy, ${settings.poolSize} numbers ...`);
    const onRedis = await simulateSite(new RedisPoolStore(redis, prefix, { consumerName: 'simulate' }), settings);
    const inMemory = await simulateSite(memoryStoreFor(settings), settings);
    const found = differences(inMemory, onRedis);
    if (found.length === 0) log(`Redis store: identical scores to the in-process store (${onRedis.poolOperations.toLocaleString('en-US')} pool operations, ${seconds(Date.now() - started)}).`);
    else log(`Redis store DISAGREES with the in-process store:\n  ${found.slice(0, 20).join('\n  ')}`);
    return found.length === 0;
  } finally {
    log(`cleanup: deleted ${await deleteKeysWithPrefix(redis, prefix)} Redis keys under ${prefix}`);
    await redis.quit();
  }
}

main().catch((err: unknown) => {
  console.error(err instanceof Error ? err.message : err);
  process.exitCode = 1;
});
