import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { BlockList } from 'node:net';
import { ConfigError, loadConfig, SIMULATED_AUTH_TOKEN } from './index';

const ADMIN_KEY = 'ctk_admin_config_test_0123456789';
const ACCOUNT_SID = `AC${'0123456789abcdef'.repeat(2)}`;
const ENCRYPTION_KEY = Buffer.alloc(32, 1);
const INDEX_KEY = Buffer.alloc(32, 2);
const PII = { PII_ENCRYPTION_KEYS: `k1:${ENCRYPTION_KEY.toString('base64')}`, PII_INDEX_KEY: INDEX_KEY.toString('base64') };

/** loadConfig's error for `env`, failing the test when it does not throw a ConfigError. */
function configErrorFor(env: NodeJS.ProcessEnv): ConfigError {
  try {
    loadConfig(env);
  } catch (err) {
    if (err instanceof ConfigError) return err;
    throw err;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('loadConfig', () => {
  describe('defaults', () => {
    it('when only an admin key is set, then every other setting has its documented default', () => {
      const config = loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY });

      expect(config).toEqual({
        env: 'development',
        port: 3000,
        host: '0.0.0.0',
        publicBaseUrl: 'http://localhost:3000',
        databaseUrl: undefined,
        embeddedDataDir: path.resolve('./data'),
        redisUrl: undefined,
        redisKeyPrefix: 'ct:',
        telephony: { provider: 'simulated', accountSid: undefined, authToken: SIMULATED_AUTH_TOKEN },
        adminApiKey: ADMIN_KEY,
        adminApiKeyFile: undefined,
        logLevel: 'info',
        seedDemo: true,
        defaults: { leaseSeconds: 1800, graceSeconds: 900, heartbeatSeconds: 60 },
        leaseFlushIntervalMs: 1000,
        shutdownTimeoutMs: 10_000,
        quarantineDays: 30,
        callWriteBudgetMs: 400,
        callQueueDir: path.resolve('./data/call-queue'),
        personalData: { encryptionKeys: [{ id: 'k1', key: ENCRYPTION_KEY }], indexKey: INDEX_KEY },
        retention: { schedule: '0 17 3 * * *', batchSize: 1000 },
        rateLimits: { ipPerMinute: 300, sitePerMinute: 30_000, newVisitsPerIp: 20, newVisitsWindowSeconds: 600, allowlist: expect.any(BlockList) },
        ga4Endpoint: 'https://www.google-analytics.com/mp/collect',
        // Outside production, client webhooks may point at this machine and private networks.
        webhooks: { allowPrivateUrls: true },
      });
      expect(config.rateLimits.allowlist.rules).toEqual([]);
    });

    it('when PORT is set without PUBLIC_BASE_URL, then the public URL follows the port', () => {
      const config = loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, PORT: '8080' });

      expect(config.port).toBe(8080);
      expect(config.publicBaseUrl).toBe('http://localhost:8080');
    });

    it('when PUBLIC_BASE_URL ends with slashes, then they are removed so webhook URLs are not doubled', () => {
      const config = loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, PUBLIC_BASE_URL: 'https://calls.example.test//' });

      expect(config.publicBaseUrl).toBe('https://calls.example.test');
    });

    it('when PORT is set but empty, then the default port is used rather than a random one', () => {
      const config = loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, PORT: '' });

      expect(config.port).toBe(3000);
    });

    it('when a DATABASE_URL is given, then demo seeding is off by default', () => {
      const config = loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, DATABASE_URL: 'postgres://ct@db.example.test/ct', ...PII });

      expect(config.databaseUrl).toBe('postgres://ct@db.example.test/ct');
      expect(config.seedDemo).toBe(false);
    });

    it('when both Twilio credentials are set without TELEPHONY_PROVIDER, then Twilio is chosen', () => {
      const config = loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, TWILIO_ACCOUNT_SID: ACCOUNT_SID, TWILIO_AUTH_TOKEN: 'twilio-token-for-tests' });

      expect(config.telephony).toEqual({ provider: 'twilio', accountSid: ACCOUNT_SID, authToken: 'twilio-token-for-tests' });
    });

    it('when the Twilio routing variables are set, then they are parsed and the queue folder is made absolute', () => {
      const config = loadConfig({
        ...PII,
        ADMIN_API_KEY: ADMIN_KEY,
        TWILIO_WEBHOOK_SHARED_KEY: 'shared-key-secret-0123456789',
        TWILIO_VOICE_FALLBACK_URL: 'https://fallback.example.test/twiml',
        QUARANTINE_DAYS: '7',
        CALL_WRITE_BUDGET_MS: '250',
        CALL_QUEUE_DIR: 'var/queue',
      });

      expect(config.telephony).toMatchObject({ webhookSharedKey: 'shared-key-secret-0123456789', voiceFallbackUrl: 'https://fallback.example.test/twiml' });
      expect(config).toMatchObject({ quarantineDays: 7, callWriteBudgetMs: 250, callQueueDir: path.resolve('var/queue') });
    });

    it('when SEED_DEMO is "false" in embedded mode, then seeding is off', () => {
      expect(loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, SEED_DEMO: 'false' }).seedDemo).toBe(false);
    });
  });

  describe('invalid variables', () => {
    it.each([
      ['PORT', { PORT: 'abc' }],
      ['PORT', { PORT: '70000' }],
      ['DATABASE_URL', { DATABASE_URL: 'mysql://ct@db.example.test/ct' }],
      ['REDIS_URL', { REDIS_URL: 'http://cache.example.test:6379' }],
      ['TWILIO_ACCOUNT_SID', { TWILIO_ACCOUNT_SID: 'AC123' }],
      ['PUBLIC_BASE_URL', { PUBLIC_BASE_URL: 'ftp://calls.example.test' }],
      ['LOG_LEVEL', { LOG_LEVEL: 'loud' }],
      ['TELEPHONY_PROVIDER', { TELEPHONY_PROVIDER: 'vonage' }],
      ['DEFAULT_LEASE_SECONDS', { DEFAULT_LEASE_SECONDS: '5' }],
      ['QUARANTINE_DAYS', { QUARANTINE_DAYS: '-1' }],
      ['QUARANTINE_DAYS', { QUARANTINE_DAYS: '366' }],
      ['CALL_WRITE_BUDGET_MS', { CALL_WRITE_BUDGET_MS: '20000' }],
      ['TWILIO_WEBHOOK_SHARED_KEY', { TWILIO_WEBHOOK_SHARED_KEY: 'short' }],
      ['TWILIO_VOICE_FALLBACK_URL', { TWILIO_VOICE_FALLBACK_URL: 'not a url' }],
      ['RATE_LIMIT_IP_PER_MINUTE', { RATE_LIMIT_IP_PER_MINUTE: '0' }],
      ['RATE_LIMIT_SITE_PER_MINUTE', { RATE_LIMIT_SITE_PER_MINUTE: 'lots' }],
      ['RATE_LIMIT_NEW_VISITS_PER_IP', { RATE_LIMIT_NEW_VISITS_PER_IP: '-5' }],
      ['RATE_LIMIT_NEW_VISITS_WINDOW_SECONDS', { RATE_LIMIT_NEW_VISITS_WINDOW_SECONDS: '86401' }],
    ])('when %s is %j, then a ConfigError names the variable', (variable, env) => {
      const error = configErrorFor({ ADMIN_API_KEY: ADMIN_KEY, ...env });

      expect(error.message).toContain(`${variable}:`);
    });

    it('when ADMIN_API_KEY is too short, then the error names it without echoing the key', () => {
      const error = configErrorFor({ ADMIN_API_KEY: 'short-secret-42' });

      expect(error.message).toContain('ADMIN_API_KEY');
      expect(error.message).not.toContain('short-secret-42');
    });

    it('when TELEPHONY_PROVIDER=twilio has no credentials, then the error names both Twilio variables', () => {
      const error = configErrorFor({ ADMIN_API_KEY: ADMIN_KEY, TELEPHONY_PROVIDER: 'twilio' });

      expect(error.message).toContain('TWILIO_ACCOUNT_SID');
      expect(error.message).toContain('TWILIO_AUTH_TOKEN');
    });

    it('when TELEPHONY_PROVIDER=twilio has an account SID but no token, then loading fails', () => {
      const error = configErrorFor({ ADMIN_API_KEY: ADMIN_KEY, TELEPHONY_PROVIDER: 'twilio', TWILIO_ACCOUNT_SID: ACCOUNT_SID });

      expect(error.message).toContain('TWILIO_AUTH_TOKEN');
    });

    it('when DATABASE_URL is set without ADMIN_API_KEY, then the key is required', () => {
      const error = configErrorFor({ DATABASE_URL: 'postgres://ct@db.example.test/ct' });

      expect(error.message).toContain('ADMIN_API_KEY');
    });

    it('when DATABASE_URL is set without personal-data keys, then both keys are required', () => {
      const error = configErrorFor({ ADMIN_API_KEY: ADMIN_KEY, DATABASE_URL: 'postgres://ct@db.example.test/ct' });

      expect(error.message).toContain('PII_ENCRYPTION_KEYS and PII_INDEX_KEY are required');
    });

    it('when only one personal-data key is set, then the error asks for both', () => {
      const error = configErrorFor({ ADMIN_API_KEY: ADMIN_KEY, PII_INDEX_KEY: PII.PII_INDEX_KEY });

      expect(error.message).toContain('set both PII_ENCRYPTION_KEYS and PII_INDEX_KEY');
    });

    it.each([
      ['a 16-byte key', `k1:${Buffer.alloc(16, 3).toString('base64')}`],
      ['no key id', Buffer.alloc(32, 3).toString('base64')],
      ['a repeated key id', `k1:${ENCRYPTION_KEY.toString('base64')},k1:${INDEX_KEY.toString('base64')}`],
    ])('when PII_ENCRYPTION_KEYS has %s, then a ConfigError names the variable without echoing the key', (_label, value) => {
      const error = configErrorFor({ ADMIN_API_KEY: ADMIN_KEY, PII_ENCRYPTION_KEYS: value, PII_INDEX_KEY: PII.PII_INDEX_KEY });

      expect(error.message).toContain('PII_ENCRYPTION_KEYS:');
      expect(error.message).not.toContain(Buffer.alloc(32, 3).toString('base64'));
    });

    it('when two encryption keys are listed, then the first encrypts and both are kept', () => {
      const config = loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, PII_ENCRYPTION_KEYS: `k2:${INDEX_KEY.toString('base64')},${PII.PII_ENCRYPTION_KEYS}` });

      expect(config.personalData.encryptionKeys.map((k) => k.id)).toEqual(['k2', 'k1']);
    });

    it('when RETENTION_SCHEDULE is not a cron expression, then a ConfigError names it', () => {
      expect(configErrorFor({ ADMIN_API_KEY: ADMIN_KEY, RETENTION_SCHEDULE: 'every night' }).message).toContain('RETENTION_SCHEDULE');
    });

    it('when NODE_ENV=production has no ADMIN_API_KEY, then the key is required even in embedded mode', () => {
      const error = configErrorFor({ NODE_ENV: 'production' });

      expect(error.message).toContain('ADMIN_API_KEY');
    });
  });

  describe('job schedule overrides', () => {
    it('when JOB_SCHEDULE_OVERRIDES lists jobs, then each gets its cron expression (spaces and commas kept)', () => {
      const config = loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, JOB_SCHEDULE_OVERRIDES: ' retention=*/2 * * * * * ; quarantine-release=0 0,30 * * * *;' });

      expect(config.jobScheduleOverrides).toEqual({ retention: '*/2 * * * * *', 'quarantine-release': '0 0,30 * * * *' });
    });

    it('when JOB_SCHEDULE_OVERRIDES is not set, then there are none', () => {
      expect(loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY }).jobScheduleOverrides).toBeUndefined();
    });

    it.each([['no name', '=*/2 * * * * *'], ['no cron expression', 'retention'], ['an invalid cron expression', 'retention=every day']])(
      'when JOB_SCHEDULE_OVERRIDES has %s, then a ConfigError names the variable',
      (_label, value) => {
        expect(configErrorFor({ ...PII, ADMIN_API_KEY: ADMIN_KEY, JOB_SCHEDULE_OVERRIDES: value }).message).toContain('JOB_SCHEDULE_OVERRIDES:');
      },
    );
  });

  describe('rate limits', () => {
    it('when the limits are set, then each is read as a number', () => {
      const config = loadConfig({
        ...PII,
        ADMIN_API_KEY: ADMIN_KEY,
        RATE_LIMIT_IP_PER_MINUTE: '120',
        RATE_LIMIT_SITE_PER_MINUTE: '5000',
        RATE_LIMIT_NEW_VISITS_PER_IP: '5',
        RATE_LIMIT_NEW_VISITS_WINDOW_SECONDS: '3600',
      });

      expect(config.rateLimits).toMatchObject({ ipPerMinute: 120, sitePerMinute: 5000, newVisitsPerIp: 5, newVisitsWindowSeconds: 3600 });
    });

    it('when RATE_LIMIT_ALLOWLIST lists addresses and CIDR ranges of both families, then exactly those are allowlisted', () => {
      const { allowlist } = loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_ALLOWLIST: ' 127.0.0.1/8, 203.0.113.7 ,2001:db8:1::/48,::1' }).rateLimits;

      expect(allowlist.check('127.45.6.7', 'ipv4')).toBe(true);
      expect(allowlist.check('203.0.113.7', 'ipv4')).toBe(true);
      expect(allowlist.check('2001:db8:1:ffff::42', 'ipv6')).toBe(true);
      expect(allowlist.check('::1', 'ipv6')).toBe(true);
      // An IPv4 client seen by a dual-stack socket.
      expect(allowlist.check('::ffff:127.0.0.1', 'ipv6')).toBe(true);
      expect(allowlist.check('203.0.113.8', 'ipv4')).toBe(false);
      expect(allowlist.check('128.0.0.1', 'ipv4')).toBe(false);
      expect(allowlist.check('2001:db8:2::1', 'ipv6')).toBe(false);
    });

    it('when RATE_LIMIT_ALLOWLIST is set but empty, then nothing is allowlisted', () => {
      expect(loadConfig({ ...PII, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_ALLOWLIST: ' ' }).rateLimits.allowlist.rules).toEqual([]);
    });

    it.each([
      ['a prefix too long for IPv4', '10.0.0.0/33'],
      ['a prefix too long for IPv6', '2001:db8::/129'],
      ['a negative prefix', '10.0.0.0/-1'],
      ['an octet over 255', '10.0.0.300'],
      ['a host name', 'loadgen.example.test'],
      ['an empty entry', '10.0.0.0/8,,192.0.2.1'],
      ['two prefixes', '10.0.0.0/8/16'],
    ])('when RATE_LIMIT_ALLOWLIST has %s, then a ConfigError names the variable and the entry', (_label, value) => {
      const error = configErrorFor({ ...PII, ADMIN_API_KEY: ADMIN_KEY, RATE_LIMIT_ALLOWLIST: value });

      expect(error.message).toContain('RATE_LIMIT_ALLOWLIST:');
      expect(error.message).toContain('is not an IP address or CIDR range');
    });
  });

  describe('generated admin key in embedded mode', () => {
    let dataDir: string;

    beforeEach(() => {
      dataDir = mkdtempSync(path.join(tmpdir(), 'ct-config-'));
    });
    afterEach(() => {
      rmSync(dataDir, { recursive: true, force: true });
    });

    it('when no personal-data keys are set in embedded mode, then keys are generated once into the data folder and reused', () => {
      const first = loadConfig({ ADMIN_API_KEY: ADMIN_KEY, EMBEDDED_DATA_DIR: dataDir });
      const second = loadConfig({ ADMIN_API_KEY: ADMIN_KEY, EMBEDDED_DATA_DIR: dataDir });

      const keyFile = path.join(dataDir, 'personal-data-keys.json');
      expect(first.personalData.keyFile).toBe(keyFile);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
      expect(first.personalData.encryptionKeys[0].key).toHaveLength(32);
      expect(second.personalData).toEqual(first.personalData);
    });

    it('when no ADMIN_API_KEY is set, then a key is written to the data folder readable only by its owner', () => {
      const config = loadConfig({ EMBEDDED_DATA_DIR: dataDir });

      const keyFile = path.join(dataDir, 'admin-api-key');
      expect(config.adminApiKeyFile).toBe(keyFile);
      expect(config.adminApiKey).toMatch(/^ctk_admin_[A-Za-z0-9_-]{32}$/);
      expect(readFileSync(keyFile, 'utf8').trim()).toBe(config.adminApiKey);
      expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    });

    it('when the data folder does not exist yet, then it is created for the key', () => {
      const nested = path.join(dataDir, 'not', 'yet');

      const config = loadConfig({ EMBEDDED_DATA_DIR: nested });

      expect(readFileSync(path.join(nested, 'admin-api-key'), 'utf8').trim()).toBe(config.adminApiKey);
    });

    it('when the config is loaded again, then the saved key is reused', () => {
      const first = loadConfig({ EMBEDDED_DATA_DIR: dataDir });

      const second = loadConfig({ EMBEDDED_DATA_DIR: dataDir });

      expect(second.adminApiKey).toBe(first.adminApiKey);
    });

    it('when a key file already exists, then its key is used as written', () => {
      writeFileSync(path.join(dataDir, 'admin-api-key'), 'ctk_admin_saved_earlier_0123456789\n', { mode: 0o600 });

      expect(loadConfig({ EMBEDDED_DATA_DIR: dataDir }).adminApiKey).toBe('ctk_admin_saved_earlier_0123456789');
    });

    it('when the key file is empty or truncated, then start-up stops and says how to fix it', () => {
      writeFileSync(path.join(dataDir, 'admin-api-key'), 'short\n', { mode: 0o600 });

      expect(() => loadConfig({ EMBEDDED_DATA_DIR: dataDir })).toThrow(/admin-api-key holds no usable admin key/);
    });

    it('when ADMIN_API_KEY is set, then no key file is written', () => {
      const config = loadConfig({ EMBEDDED_DATA_DIR: dataDir, ADMIN_API_KEY: ADMIN_KEY });

      expect(config.adminApiKeyFile).toBeUndefined();
      expect(() => statSync(path.join(dataDir, 'admin-api-key'))).toThrow();
    });
  });
});
