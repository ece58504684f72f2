/**
 * A small read-through cache for configuration that changes rarely (sites, pools, number routes).
 * Concurrent misses for one key share a single load. Entries live `ttlMs`, so a change made on another
 * instance is seen within that time; changes made here call `delete`.
 */
export class TtlCache<V> {
  private readonly entries = new Map<string, { value: V; expiresAt: number }>();
  private readonly loading = new Map<string, Promise<V>>();
  /** Bumped by delete/clear: a load that started before must not store what it read. */
  private epoch = 0;

  constructor(
    private readonly ttlMs: number,
    private readonly maxEntries = 10_000,
    private readonly now: () => number = Date.now,
  ) {}

  async get(key: string, load: () => Promise<V>): Promise<V> {
    const hit = this.entries.get(key);
    if (hit && hit.expiresAt > this.now()) return hit.value;
    const pending = this.loading.get(key);
    if (pending) return pending;
    const epoch = this.epoch;
    const promise = load()
      .then((value) => {
        if (epoch !== this.epoch) return value;
        if (this.entries.size >= this.maxEntries) this.entries.delete(this.entries.keys().next().value as string);
        this.entries.set(key, { value, expiresAt: this.now() + this.ttlMs });
        return value;
      })
      .finally(() => {
        if (this.loading.get(key) === promise) this.loading.delete(key);
      });
    this.loading.set(key, promise);
    return promise;
  }

  /** The last loaded value even if stale: used when the database cannot answer. */
  peek(key: string): V | undefined {
    return this.entries.get(key)?.value;
  }

  delete(key: string): void {
    this.epoch += 1;
    this.entries.delete(key);
    this.loading.delete(key);
  }

  clear(): void {
    this.epoch += 1;
    this.entries.clear();
    this.loading.clear();
  }
}
