// Bundles the browser tracking script (src/tracking/script/tracker.ts) into one minified file, the
// template the server fills with each site's settings (src/tracking/tracking-script.ts).
//
//   node scripts/build-tracking-script.js            writes dist/src/tracking/script/tracker.bundle.js
//                                                    and prints its gzipped size (npm run build does this)
//   node scripts/build-tracking-script.js --stdout   prints the bundle (the server's fallback when no
//                                                    prebuilt bundle exists: tests, npm run dev)
const fs = require('node:fs');
const path = require('node:path');
const zlib = require('node:zlib');

const root = path.resolve(__dirname, '..');
const entry = path.join(root, 'src', 'tracking', 'script', 'tracker.ts');
const outFile = path.join(root, 'dist', 'src', 'tracking', 'script', 'tracker.bundle.js');

async function bundle() {
  const esbuild = require('esbuild');
  const result = await esbuild.build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'iife',
    // Browsers of the last several years; esbuild lowers newer syntax (?., ??=, async) where needed.
    target: ['es2017'],
    platform: 'browser',
    write: false,
    legalComments: 'none',
  });
  return result.outputFiles[0].text;
}

async function main() {
  const code = await bundle();
  if (process.argv.includes('--stdout')) return void process.stdout.write(code);
  fs.mkdirSync(path.dirname(outFile), { recursive: true });
  fs.writeFileSync(outFile, code);
  const gzipped = zlib.gzipSync(code, { level: 9 }).length;
  console.log(`tracking script: ${code.length} bytes, ${gzipped} bytes gzipped (budget 6144) -> ${path.relative(root, outFile)}`);
}

main().catch((err) => {
  console.error(err);
  process.exit(1);
});
