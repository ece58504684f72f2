import { ConfigError, loadConfig } from './index';

const ADMIN_KEY = 'ctk_admin_cluster_config_0123456789';

function load(env: NodeJS.ProcessEnv) {
  return loadConfig({ ADMIN_API_KEY: ADMIN_KEY, NODE_ENV: 'test', ...env });
}

/** loadConfig's error message for `env`, failing the test when it does not throw a ConfigError. */
function configErrorFor(env: NodeJS.ProcessEnv): string {
  try {
    load(env);
  } catch (err) {
    if (err instanceof ConfigError) return err.message;
    throw err;
  }
  throw new Error('expected loadConfig to throw a ConfigError');
}

describe('REDIS_CLUSTER_NODES', () => {
  it('when it is unset or empty, then no cluster is configured', () => {
    expect(load({}).redisClusterNodes).toBeUndefined();
    expect(load({ REDIS_CLUSTER_NODES: '' }).redisClusterNodes).toBeUndefined();
    expect(load({ REDIS_CLUSTER_NODES: '  ' }).redisClusterNodes).toBeUndefined();
  });

  it('when it lists host:port entries, then each becomes a startup node, in order, around spaces', () => {
    const config = load({ REDIS_CLUSTER_NODES: '10.0.0.1:7000, redis-b.internal:7001 ,[::1]:7002' });

    expect(config.redisClusterNodes).toEqual([
      { host: '10.0.0.1', port: 7000 },
      { host: 'redis-b.internal', port: 7001 },
      { host: '::1', port: 7002 },
    ]);
    expect(config.redisUrl).toBeUndefined();
  });

  it('when only REDIS_URL is set, then it is used and no cluster is configured', () => {
    const config = load({ REDIS_URL: 'redis://127.0.0.1:6379' });

    expect(config.redisUrl).toBe('redis://127.0.0.1:6379');
    expect(config.redisClusterNodes).toBeUndefined();
  });

  it.each([
    ['a host without a port', 'redis-a.internal', '"redis-a.internal"'],
    ['a URL', 'redis://10.0.0.1:7000', '"redis://10.0.0.1:7000"'],
    ['port 0', '10.0.0.1:0', '"10.0.0.1:0"'],
    ['a port above 65535', '10.0.0.1:70000', '"10.0.0.1:70000"'],
    ['an empty entry', '10.0.0.1:7000,,10.0.0.2:7000', '""'],
    ['an unbracketed IPv6 address', '::1:7000', '"::1:7000"'],
  ])('when it holds %s, then the error names the variable and the bad entry', (_case, value, entry) => {
    const message = configErrorFor({ REDIS_CLUSTER_NODES: value });

    expect(message).toContain('REDIS_CLUSTER_NODES');
    expect(message).toContain(`${entry} is not host:port`);
  });

  it('when REDIS_URL is set too, then the error names both rather than picking one', () => {
    const message = configErrorFor({ REDIS_URL: 'redis://127.0.0.1:6379', REDIS_CLUSTER_NODES: '10.0.0.1:7000' });

    expect(message).toContain('REDIS_URL');
    expect(message).toContain('REDIS_CLUSTER_NODES');
  });
});
