// Copies the non-TypeScript files the code reads at runtime (Lua scripts, SQL migrations, demo pages) from
// src/ to the same relative path under dist/src/, where the compiled code looks for them via __dirname.
const fs = require('node:fs');
const path = require('node:path');

const ASSET_EXTENSIONS = new Set(['.lua', '.sql', '.html']);
const root = path.resolve(__dirname, '..');
const sourceDir = path.join(root, 'src');
const targetDir = path.join(root, 'dist', 'src');

/** Assets left from an earlier build (a renamed Lua script, say) would be loaded beside the new ones. */
function removeStaleAssets(dir) {
  if (!fs.existsSync(dir)) return;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const at = path.join(dir, entry.name);
    if (entry.isDirectory()) removeStaleAssets(at);
    else if (ASSET_EXTENSIONS.has(path.extname(entry.name))) fs.rmSync(at);
  }
}

function copyAssets(dir) {
  let copied = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) {
      copied += copyAssets(from);
    } else if (ASSET_EXTENSIONS.has(path.extname(entry.name))) {
      const to = path.join(targetDir, path.relative(sourceDir, from));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
      copied += 1;
    }
  }
  return copied;
}

removeStaleAssets(targetDir);
const count = copyAssets(sourceDir);
console.log(`copy-assets: ${count} file(s) copied to ${path.relative(root, targetDir)}`);
