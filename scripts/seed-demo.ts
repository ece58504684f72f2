// Creates the demo client, site and pool in DATABASE_URL (or the embedded database), once.
import { loadConfig } from '../config';
import { configureLogging } from '../src/shared/logging/logger';
import { buildContainer } from '../src/container';
import { seedDemo } from '../src/demo/seed-demo';

async function main(): Promise<void> {
  const config = loadConfig();
  configureLogging(config.logLevel);
  const container = await buildContainer(config);
  try {
    const { siteKey, created } = await seedDemo(container);
    console.log(created ? `demo seeded: site key ${siteKey}` : `demo already present: site key ${siteKey}`);
  } finally {
    await container.close();
  }
}

main().catch((err) => {
  console.error(err instanceof Error ? err.message : err);
  process.exit(1);
});
