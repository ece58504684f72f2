import { xoroshiro128plus, type RandomGenerator } from 'pure-rand';

const TWO_POW_53 = 2 ** 53;

/**
 * A reproducible source of random numbers (pure-rand's xoroshiro128+). Each purpose of the simulation
 * (arrivals, visits, offline callers, the pool's random choice) draws from its own stream, so changing
 * the pool policy never changes the traffic: every policy faces exactly the same visits and calls.
 */
export class SeededRandom {
  private constructor(private readonly rng: RandomGenerator) {}

  /** Stream `index` of `seed`: streams are 2^64 draws apart, so they never overlap. */
  static stream(seed: number, index: number): SeededRandom {
    if (!Number.isSafeInteger(seed)) throw new RangeError(`seed must be an integer, got ${seed}`);
    let rng = xoroshiro128plus(seed);
    for (let i = 0; i < index; i++) rng = jump(rng);
    return new SeededRandom(rng);
  }

  /** Uniform in [0, 1), with 53 random bits. */
  next(): number {
    const high = (this.rng.unsafeNext() >>> 0) >>> 5; // 27 bits
    const low = (this.rng.unsafeNext() >>> 0) >>> 6; // 26 bits
    return (high * 2 ** 26 + low) / TWO_POW_53;
  }

  /** Uniform integer in [0, n). */
  int(n: number): number {
    return Math.floor(this.next() * n);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  exponential(mean: number): number {
    return -mean * Math.log(1 - this.next());
  }

  /** Standard normal (Box-Muller; one value per call keeps the stream easy to reason about). */
  normal(): number {
    const u = 1 - this.next(); // (0, 1]: log(0) is never taken
    return Math.sqrt(-2 * Math.log(u)) * Math.cos(2 * Math.PI * this.next());
  }

  /** Lognormal with the given median (e^mu) and shape sigma. */
  lognormal(median: number, sigma: number): number {
    return median * Math.exp(sigma * this.normal());
  }
}

function jump(rng: RandomGenerator): RandomGenerator {
  if (!rng.jump) throw new Error('the generator cannot jump');
  return rng.jump();
}
