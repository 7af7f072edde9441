// `npm pack` / `npm publish` hooks: the published package.json leaves out the `prepare` script. It builds dist/ in a
// clone or a git install, but a packed package already holds dist/, and npm 11 warns every user who installs a
// package with install-time scripts ("dora-cli has install scripts not yet covered by allowScripts").
//   node scripts/pack-manifest.mjs strip     (prepack)  keep package.json aside, write it without `prepare`
//   node scripts/pack-manifest.mjs restore   (postpack) put the original back
// scripts/build.mjs imports restoreLeftover(), for a pack that died between the two.
import { existsSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const manifest = fileURLToPath(new URL('../package.json', import.meta.url));
const kept = `${manifest}.prepack`;

/** The manifest as packed: the same text, less the `prepare` script. */
function stripped(text) {
  const pkg = JSON.parse(text);
  delete pkg.scripts?.prepare;
  return `${JSON.stringify(pkg, null, 2)}\n`;
}

function strip() {
  // A pack that failed before `postpack` left the original aside: start from it, not from the stripped copy.
  if (existsSync(kept)) renameSync(kept, manifest);
  const text = readFileSync(manifest, 'utf8');
  writeFileSync(kept, text);
  writeFileSync(manifest, stripped(text));
}

/**
 * Puts back the original a pack left aside, but only while package.json is still its stripped copy: edits made
 * since (a dependency npm just added) must stay. Returns what it did, for the caller to say.
 */
export function restoreLeftover() {
  if (!existsSync(kept)) return 'none';
  if (readFileSync(manifest, 'utf8') !== stripped(readFileSync(kept, 'utf8'))) return 'stale';
  renameSync(kept, manifest);
  return 'restored';
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const mode = process.argv[2];
  if (mode === 'strip') strip();
  else if (mode === 'restore') {
    if (existsSync(kept)) renameSync(kept, manifest);
  } else {
    console.error('usage: node scripts/pack-manifest.mjs strip|restore');
    process.exit(2);
  }
}
