import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';

/** Written by `npm run build` (scripts/build-tracking-script.js) next to the compiled server code. */
const PREBUILT = path.join(__dirname, 'script', 'tracker.bundle.js');
const BUILD_SCRIPT = path.resolve(__dirname, '..', '..', 'scripts', 'build-tracking-script.js');

let bundle: Promise<string> | undefined;

/**
 * The minified browser script with its `__CT_CONFIG__` placeholder. A build ships it prebuilt; run from
 * the TypeScript sources (tests, `npm run dev`) it is bundled once on first use with esbuild, in a child
 * process (esbuild's API refuses to run inside jest's sandboxed globals).
 */
export function trackerBundle(): Promise<string> {
  bundle ??= (existsSync(PREBUILT) ? readFile(PREBUILT, 'utf8') : buildNow()).catch((err: unknown) => {
    bundle = undefined;
    throw err;
  });
  return bundle;
}

function buildNow(): Promise<string> {
  return new Promise((resolve, reject) => {
    execFile(process.execPath, [BUILD_SCRIPT, '--stdout'], { maxBuffer: 4 * 1024 * 1024 }, (err, stdout, stderr) => {
      if (err) reject(new Error(`tracking script build failed: ${stderr || err.message}`));
      else resolve(stdout);
    });
  });
}
