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

// The dashboard's browser files are served as they are (src/dashboard/dashboard-routes.ts): its .js and
// .css too, and only there, since every other .js of src/ is tsc's business. Nothing else is written
// under dist/src/dashboard/public/, so the folder is replaced whole and renamed files leave nothing behind.
const DASHBOARD_PUBLIC = path.join('dashboard', 'public');
const DASHBOARD_EXTENSIONS = new Set(['.js', '.css']);
function copyDashboardFiles(dir) {
  let copied = 0;
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    const from = path.join(dir, entry.name);
    if (entry.isDirectory()) copied += copyDashboardFiles(from);
    else if (DASHBOARD_EXTENSIONS.has(path.extname(entry.name))) {
      const to = path.join(targetDir, path.relative(sourceDir, from));
      fs.mkdirSync(path.dirname(to), { recursive: true });
      fs.copyFileSync(from, to);
      copied += 1;
    }
  }
  return copied;
}
fs.rmSync(path.join(targetDir, DASHBOARD_PUBLIC), { recursive: true, force: true });
const dashboardCount = copyDashboardFiles(path.join(sourceDir, DASHBOARD_PUBLIC));
console.log(`copy-assets: ${dashboardCount} dashboard script/style file(s) copied`);
removeStaleAssets(targetDir);
const count = copyAssets(sourceDir);
console.log(`copy-assets: ${count} file(s) copied to ${path.relative(root, targetDir)}`);
