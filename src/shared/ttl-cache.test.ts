import { TtlCache } from './ttl-cache';

/** A promise the test settles by hand, so "concurrent" means exactly what the test says. */
function deferred<T>() {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  return { promise, resolve, reject };
}

describe('TtlCache', () => {
  let now: number;
  const clock = () => now;

  beforeEach(() => {
    now = 1_000_000;
  });

  it('when a key is read again within its lifetime, then the loader is not called again', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);
    const load = jest.fn(async () => 'pool A');
    await cache.get('p1', load);

    now += 29_999;
    const value = await cache.get('p1', load);

    expect(value).toBe('pool A');
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('when the lifetime has passed, then the next read loads a fresh value', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);
    await cache.get('p1', async () => 'old');

    now += 30_000;
    const value = await cache.get('p1', async () => 'new');

    expect(value).toBe('new');
  });

  it('when several reads miss at once, then they share one load and its result', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);
    const pending = deferred<string>();
    const load = jest.fn(() => pending.promise);

    const reads = [cache.get('p1', load), cache.get('p1', load), cache.get('p1', load)];
    pending.resolve('shared');

    expect(await Promise.all(reads)).toEqual(['shared', 'shared', 'shared']);
    expect(load).toHaveBeenCalledTimes(1);
  });

  it('when misses for different keys overlap, then each key gets its own load', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);

    const [a, b] = await Promise.all([cache.get('a', async () => 'A'), cache.get('b', async () => 'B')]);

    expect([a, b]).toEqual(['A', 'B']);
  });

  it('when a load fails, then every waiting read sees the error and nothing is cached', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);
    const pending = deferred<string>();
    const reads = [cache.get('p1', () => pending.promise), cache.get('p1', () => pending.promise)];
    pending.reject(new Error('database unavailable'));

    await expect(reads[0]).rejects.toThrow('database unavailable');
    await expect(reads[1]).rejects.toThrow('database unavailable');
    expect(cache.peek('p1')).toBeUndefined();
  });

  it('when a load has failed, then the next read tries the loader again', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);
    await expect(cache.get('p1', async () => Promise.reject(new Error('timeout')))).rejects.toThrow('timeout');

    const value = await cache.get('p1', async () => 'recovered');

    expect(value).toBe('recovered');
  });

  it('when an entry has expired, then peek still returns the last value (for use when the store is down)', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);
    await cache.get('p1', async () => 'last known');

    now += 60_000;

    expect(cache.peek('p1')).toBe('last known');
  });

  it('when a reload fails after expiry, then the stale value is still available through peek', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);
    await cache.get('p1', async () => 'last known');
    now += 60_000;

    await expect(cache.get('p1', async () => Promise.reject(new Error('down')))).rejects.toThrow('down');

    expect(cache.peek('p1')).toBe('last known');
  });

  it('when a key is deleted, then the next read loads again', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);
    await cache.get('p1', async () => 'before');

    cache.delete('p1');

    expect(cache.peek('p1')).toBeUndefined();
    expect(await cache.get('p1', async () => 'after')).toBe('after');
  });

  it('when the cache is full, then the oldest entry makes room', async () => {
    const cache = new TtlCache<string>(30_000, 2, clock);
    await cache.get('a', async () => 'A');
    await cache.get('b', async () => 'B');

    await cache.get('c', async () => 'C');

    expect([cache.peek('a'), cache.peek('b'), cache.peek('c')]).toEqual([undefined, 'B', 'C']);
  });

  it('when cleared, then nothing is left', async () => {
    const cache = new TtlCache<string>(30_000, 100, clock);
    await cache.get('a', async () => 'A');

    cache.clear();

    expect(cache.peek('a')).toBeUndefined();
  });

  it('when a key is deleted while its load is in flight, then the stale result is not cached', async () => {
    const cache = new TtlCache<string>(60_000);
    let release!: (v: string) => void;
    const first = cache.get('k', () => new Promise<string>((r) => (release = r)));
    cache.delete('k');
    release('old');
    await expect(first).resolves.toBe('old');
    await expect(cache.get('k', async () => 'new')).resolves.toBe('new');
  });
});
