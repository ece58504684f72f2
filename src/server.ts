import type { Server } from 'node:http';
import { loadConfig, ConfigError } from '../config';
import { configureLogging, getLogger } from './shared/logging/logger';
import { buildContainer } from './container';
import { createApp } from './app';
import { seedDemo } from './demo/seed-demo';
import { DEMO_PATH } from './demo/demo-routes';
import { metricsListenerApp } from './metrics/metrics-routes';

const log = getLogger('server');

async function main(): Promise<void> {
  let config;
  try {
    config = loadConfig();
  } catch (err) {
    // Before logging is configured: say plainly which variable is wrong and stop.
    console.error(err instanceof ConfigError ? err.message : err);
    process.exit(1);
  }
  configureLogging(config.logLevel);
  const container = await buildContainer(config);
  if (container.db.kind === 'pglite' || container.poolStore.kind === 'memory') {
    log.warn(`single-instance mode: ${container.mode}; set DATABASE_URL and REDIS_URL to run several instances`);
  }
  if (config.adminApiKeyFile) log.info('admin API key generated for this data folder', { keyFile: config.adminApiKeyFile });
  if (config.seedDemo) await seedDemo(container);
  container.leaseHistory.start();
  container.jobs.start();
  container.pageViews.start();
  // About a second of reading, off the request path, so the first visitor does not wait for it.
  container.networkLookup.warmUp();

  const server: Server = createApp(container).listen(config.port, config.host, () => {
    log.info('listening', { port: config.port, mode: container.mode, telephony: config.telephony.provider, publicBaseUrl: config.publicBaseUrl });
    if (config.seedDemo) log.info(`demo client website (its numbers swap to tracking numbers): ${config.publicBaseUrl}${DEMO_PATH}`);
  });
  // Load balancers keep idle connections open for 60 s (AWS ALB, nginx upstream keepalive): the service must
  // hold them longer, or a request sent as Node closes an idle connection is reset (a 502 at the balancer).
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;

  // Unauthenticated: for a private network only (docs/operations.md).
  const metricsServer = config.metricsPort
    ? metricsListenerApp(container.metrics).listen(config.metricsPort, config.host, () => log.info('metrics listening', { port: config.metricsPort, host: config.host }))
    : undefined;

  let stopping = false;
  const shutdown = async (signal: string) => {
    if (stopping) return;
    stopping = true;
    log.info('shutting down', { signal });
    const force = setTimeout(() => {
      log.error('shutdown timed out; exiting');
      process.exit(1);
    }, config.shutdownTimeoutMs);
    force.unref();
    // Stop taking requests, let in-flight ones finish, then flush lease history and close stores.
    await new Promise<void>((resolve) => server.close(() => resolve()));
    metricsServer?.close();
    await container.close();
    process.exit(0);
  };
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('unhandledRejection', (reason) => log.error('unhandled rejection', { error: reason }));
}

void main().catch((err) => {
  log.error('failed to start', { error: err });
  process.exit(1);
});
