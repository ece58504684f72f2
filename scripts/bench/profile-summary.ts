/**
 * Where the service's CPU went during a bench: reads the profile `npm run bench -- --cpu-prof DIR`
 * leaves in DIR, keeps the samples inside the measured window the bench printed (monotonic
 * microseconds; omit to keep all), and prints self time by package and inclusive time of the
 * service's own functions.
 *
 *   node dist/scripts/bench/profile-summary.js DIR/CPU.*.cpuprofile [fromUs toUs] [--top 30]
 */
import { readFileSync } from 'node:fs';

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
}
interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

const args = process.argv.slice(2);
const topIndex = args.indexOf('--top');
const top = topIndex >= 0 ? Number(args.splice(topIndex, 2)[1]) : 30;
const [file, from, to] = args;
if (!file) {
  console.error('usage: profile-summary <file.cpuprofile> [fromUs toUs] [--top N]');
  process.exit(1);
}
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;
const window = from && to ? [Number(from), Number(to)] : [-Infinity, Infinity];

const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const parent = new Map<number, number>();
for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);

/** node_modules/<pkg>, node:<module>, dist/src/<feature>, or V8's (idle), (garbage collector), ... */
function where(cf: CallFrame): string {
  const url = cf.url.replace(/^file:\/\//, '');
  const pkg = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (pkg) return pkg[1];
  const own = /dist\/(src\/[^/]+|config)/.exec(url);
  if (own) return own[1];
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  // V8 names regular expressions by their source, which can run to kilobytes.
  return (url || cf.functionName || '(native)').slice(0, 60);
}

const selfTime = new Map<number, number>();
let t = profile.startTime;
let total = 0;
profile.samples.forEach((id, i) => {
  t += profile.timeDeltas[i] ?? 0;
  if (t < window[0] || t > window[1]) return;
  const dt = profile.timeDeltas[i] ?? 0;
  selfTime.set(id, (selfTime.get(id) ?? 0) + dt);
  total += dt;
});

const selfByPlace = new Map<string, number>();
const inclusiveOwn = new Map<string, number>();
for (const [id, dt] of selfTime) {
  const place = where((byId.get(id) as ProfileNode).callFrame);
  selfByPlace.set(place, (selfByPlace.get(place) ?? 0) + dt);
  const seen = new Set<string>();
  for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
    const cf = (byId.get(cur) as ProfileNode).callFrame;
    if (!/dist\/(src|config)\//.test(cf.url)) continue;
    const key = `${cf.functionName || '(anonymous)'} ${cf.url.replace(/.*dist\//, '')}:${cf.lineNumber + 1}`;
    if (seen.has(key)) continue;
    seen.add(key);
    inclusiveOwn.set(key, (inclusiveOwn.get(key) ?? 0) + dt);
  }
}

const print = (title: string, m: Map<string, number>) => {
  console.log(`\n${title}`);
  for (const [k, v] of [...m].sort((a, b) => b[1] - a[1]).slice(0, top)) console.log(`${((100 * v) / total).toFixed(1).padStart(6)}%  ${k}`);
};
console.log(`${(total / 1e6).toFixed(1)} s of samples${Number.isFinite(window[0]) ? ' in the measured window' : ''}`);
print('self time by package / module', selfByPlace);
print("inclusive time of the service's own functions (synchronous part; awaited work shows under its own frames)", inclusiveOwn);
