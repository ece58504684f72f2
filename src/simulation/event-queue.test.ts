import { EventQueue } from './event-queue';

describe('EventQueue', () => {
  it('when events are scheduled out of order, then they come out by time', () => {
    const queue = new EventQueue<string>();
    for (const [at, name] of [[5, 'e'], [1, 'a'], [3, 'c'], [2, 'b'], [4, 'd']] as const) queue.schedule(at, name);
    const out: string[] = [];
    for (let next = queue.next(); next; next = queue.next()) out.push(next.event);
    expect(out).toEqual(['a', 'b', 'c', 'd', 'e']);
    expect(queue.size).toBe(0);
  });

  it('when events share a moment, then they come out in the order they were scheduled', () => {
    const queue = new EventQueue<number>();
    for (let i = 0; i < 100; i++) queue.schedule(i % 3, i);
    const out: number[] = [];
    for (let next = queue.next(); next; next = queue.next()) out.push(next.event);
    const expected = [...Array(100).keys()].sort((a, b) => (a % 3) - (b % 3) || a - b);
    expect(out).toEqual(expected);
  });

  it('when a time is not finite, then it is refused', () => {
    expect(() => new EventQueue<number>().schedule(Number.NaN, 1)).toThrow(RangeError);
  });
});
