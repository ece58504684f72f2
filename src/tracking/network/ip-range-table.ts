import { readFile } from 'node:fs/promises';
import type { ParsedIp } from './ip-address';

/**
 * IP ranges and a number for each (an ASN, a packed country code), sorted, in typed arrays: a few bytes
 * per range rather than an object each, and a binary search per lookup. IPv6 ranges are kept by their
 * first 64 bits (see parsePublicIp).
 */
export class IpRangeTable {
  constructor(
    private readonly v4: { starts: Uint32Array; ends: Uint32Array; values: Uint32Array },
    private readonly v6: { starts: BigUint64Array; ends: BigUint64Array; values: Uint32Array },
  ) {}

  get size(): number {
    return this.v4.starts.length + this.v6.starts.length;
  }

  /** Bytes held by the typed arrays. */
  get bytes(): number {
    const { v4, v6 } = this;
    return v4.starts.byteLength + v4.ends.byteLength + v4.values.byteLength + v6.starts.byteLength + v6.ends.byteLength + v6.values.byteLength;
  }

  find(ip: ParsedIp): number | null {
    return ip.family === 4 ? search(this.v4, ip.value) : search(this.v6, ip.value);
  }
}

type Ranges<T> = { starts: ArrayLike<T>; ends: ArrayLike<T>; values: Uint32Array };

function search<T extends number | bigint>(r: Ranges<T>, x: T): number | null {
  // The last range starting at or before x.
  let lo = 0;
  let hi = r.starts.length - 1;
  let found = -1;
  while (lo <= hi) {
    const mid = (lo + hi) >>> 1;
    if (r.starts[mid] <= x) {
      found = mid;
      lo = mid + 1;
    } else hi = mid - 1;
  }
  return found >= 0 && r.ends[found] >= x ? r.values[found] : null;
}

/** The number a CSV line carries, read from what follows its two range columns; null skips the line. */
export type LineValue = (rest: string) => number | null;

// Lines parsed between two yields to the event loop, so requests keep being served while loading.
const LINES_PER_SLICE = 20_000;

/**
 * Reads the ip-location-db '-num' CSVs ('start,end,value...', one range a line, sorted), merging
 * neighbours that carry the same value. The parse yields to the event loop every few thousand lines.
 */
export async function loadIpRangeTable(v4File: string, v6File: string, valueOf: LineValue): Promise<IpRangeTable> {
  const v4 = await readRanges(v4File, valueOf, (s) => Number(s), (end, start) => end + 1 >= start);
  const v6 = await readRanges(v6File, valueOf, (s) => BigInt(s) >> 64n, (end, start) => end + 1n >= start);
  return new IpRangeTable(
    { starts: Uint32Array.from(v4.starts), ends: Uint32Array.from(v4.ends), values: Uint32Array.from(v4.values) },
    { starts: BigUint64Array.from(v6.starts), ends: BigUint64Array.from(v6.ends), values: Uint32Array.from(v6.values) },
  );
}

async function readRanges<T extends number | bigint>(file: string, valueOf: LineValue, parse: (s: string) => T, touches: (end: T, start: T) => boolean) {
  const text = await readFile(file, 'utf8');
  const starts: T[] = [];
  const ends: T[] = [];
  const values: number[] = [];
  let lines = 0;
  for (let at = 0; at < text.length; ) {
    let eol = text.indexOf('\n', at);
    if (eol < 0) eol = text.length;
    const first = text.indexOf(',', at);
    const second = first < 0 || first > eol ? -1 : text.indexOf(',', first + 1);
    if (second > 0 && second < eol) {
      const value = valueOf(text.slice(second + 1, text.charCodeAt(eol - 1) === 13 ? eol - 1 : eol));
      if (value !== null) {
        const start = parse(text.slice(at, first));
        const end = parse(text.slice(first + 1, second));
        const last = values.length - 1;
        if (last >= 0 && values[last] === value && touches(ends[last], start)) {
          if (end > ends[last]) ends[last] = end;
        } else {
          starts.push(start);
          ends.push(end);
          values.push(value);
        }
      }
    }
    at = eol + 1;
    if (++lines % LINES_PER_SLICE === 0) await new Promise((resolve) => setImmediate(resolve));
  }
  return { starts, ends, values };
}
