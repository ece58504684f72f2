/** Items that become due at a time, earliest first (a binary min-heap; equal times in no particular order). */
export class DueQueue<T> {
  private readonly heap: { at: number; item: T }[] = [];

  get size(): number {
    return this.heap.length;
  }

  push(at: number, item: T): void {
    const h = this.heap;
    h.push({ at, item });
    for (let i = h.length - 1; i > 0; ) {
      const parent = (i - 1) >> 1;
      if (h[parent].at <= h[i].at) break;
      [h[parent], h[i]] = [h[i], h[parent]];
      i = parent;
    }
  }

  /** The earliest item if it is due at `now`. */
  popDue(now: number): T | undefined {
    const h = this.heap;
    if (!h.length || h[0].at > now) return undefined;
    const top = h[0].item;
    const last = h.pop() as { at: number; item: T };
    if (h.length) {
      h[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let least = i;
        if (l < h.length && h[l].at < h[least].at) least = l;
        if (r < h.length && h[r].at < h[least].at) least = r;
        if (least === i) break;
        [h[least], h[i]] = [h[i], h[least]];
        i = least;
      }
    }
    return top;
  }

  /** When the earliest item falls due; undefined when empty. */
  nextAt(): number | undefined {
    return this.heap[0]?.at;
  }
}
