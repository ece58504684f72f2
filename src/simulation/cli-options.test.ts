import { readSimulateOptions, type SimulateOptions } from './cli-options';
import { VARIANT_NAMES } from './policy-variants';
import { DEFAULT_POLICY, DEFAULT_TRAFFIC } from './simulation-settings';

const read = (argv: string[], env: NodeJS.ProcessEnv = {}) => readSimulateOptions(argv, env) as SimulateOptions;

describe('readSimulateOptions', () => {
  it('when no flag is given, then the defaults are a busy site with the service defaults, memory only', () => {
    const o = read([]);
    expect(o).toMatchObject({ seed: 1, days: 1, traffic: DEFAULT_TRAFFIC, policy: DEFAULT_POLICY, variants: VARIANT_NAMES, leaseSweep: [10, 20, 30, 60], outDir: 'simulation-output' });
    expect(o.poolSizes).toBeUndefined();
    expect(o.redisUrl).toBeUndefined();
  });

  it('when flags are given, then they set the run, and the cool-down follows the grace unless set', () => {
    const o = read(['--seed', '7', '--days', '0.5', '--peak', '300', '--call-share', '0.1', '--lease-minutes', '20', '--grace-minutes', '10', '--pool-sizes', '100,200', '--policies', 'default,recycle', '--lease-sweep', 'none']);
    expect(o).toMatchObject({ seed: 7, days: 0.5, poolSizes: [100, 200], variants: ['default', 'recycle'], leaseSweep: [] });
    expect(o.traffic).toMatchObject({ peakVisitsPerHour: 300, callShare: 0.1 });
    expect(o.policy).toMatchObject({ leaseMs: 20 * 60_000, graceMs: 10 * 60_000, cooldownMs: 10 * 60_000 });
    expect(read(['--grace-minutes', '10', '--cooldown-minutes', '0']).policy.cooldownMs).toBe(0);
  });

  it('when --redis is given, then the flag URL wins over REDIS_URL, which wins over the local default', () => {
    expect(read(['--redis']).redisUrl).toBe('redis://127.0.0.1:6379');
    expect(read(['--redis'], { REDIS_URL: 'redis://env:6379' }).redisUrl).toBe('redis://env:6379');
    expect(read(['--redis', '--redis-url', 'redis://flag:6379'], { REDIS_URL: 'redis://env:6379' }).redisUrl).toBe('redis://flag:6379');
    expect(read(['--days', '7']).redisDays).toBe(1);
  });

  it('when a value is out of range or unknown, then the error names the flag', () => {
    expect(() => read(['--days', '0'])).toThrow(/--days/);
    expect(() => read(['--call-share', '1.5'])).toThrow(/--call-share/);
    expect(() => read(['--pool-sizes', '10,x'])).toThrow(/--pool-sizes/);
    expect(() => read(['--policies', 'default,lottery'])).toThrow(/lottery/);
    expect(() => read(['--nonsense'])).toThrow();
  });

  it('when --help is given, then it asks for the usage', () => {
    expect(readSimulateOptions(['--help'], {})).toBe('help');
  });
});
