#!/usr/bin/env node
// The compiled server in dist/ and when it must be built again. Plain Node ESM, no dependencies.
//
//   node scripts/build.mjs   (the `prepare` script, run by `npm install`): builds dist/ with
//                            `tsc -b` (incremental: about a second when nothing changed); without
//                            TypeScript installed (`npm install --omit=dev`) it says so and leaves
//                            dist/ as it is.
//   scripts/start.mjs (`npm start`) asks staleSource() whether a source file changed since the last
//   build, and builds only then, so a fresh clone or an unchanged tree starts at once.
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const CLI = path.join(ROOT, 'dist', 'src', 'cli.js');
/** Written by every `tsc -b` (tsconfig.json: outDir dist, incremental). */
const BUILD_INFO = path.join(ROOT, 'dist', 'tsconfig.tsbuildinfo');

/** TypeScript's compiler, or undefined when the devDependencies are not installed. */
export function tscPath() {
  try {
    return createRequire(path.join(ROOT, 'package.json')).resolve('typescript/bin/tsc');
  } catch {
    return undefined;
  }
}

/**
 * The first source of the server (src/**\/*.ts, tsconfig.json) written after the last build, or
 * the reason there is no usable build; undefined when dist/ is up to date. Compares modification
 * times only: a few hundred stat calls, a few milliseconds.
 */
export function staleSource() {
  let built;
  try {
    built = fs.statSync(BUILD_INFO).mtimeMs;
    fs.statSync(CLI);
  } catch {
    return 'dist/ has not been built';
  }
  const newer = (file) => fs.statSync(file).mtimeMs > built;
  if (newer(path.join(ROOT, 'tsconfig.json'))) return 'tsconfig.json';
  const dirs = [path.join(ROOT, 'src')];
  while (dirs.length) {
    const dir = dirs.pop();
    let entries;
    try {
      entries = fs.readdirSync(dir, { withFileTypes: true });
    } catch {
      continue; // no src/ (an install of dist/ alone): nothing to compare
    }
    for (const e of entries) {
      const file = path.join(dir, e.name);
      if (e.isDirectory()) dirs.push(file);
      else if (e.name.endsWith('.ts') && newer(file)) return path.relative(ROOT, file);
    }
  }
  return undefined;
}

/** Runs `tsc -b` (src/ and tests/ into dist/); true when it succeeded. */
export function build(tsc) {
  const r = spawnSync(process.execPath, [tsc, '-b', 'tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
  return r.status === 0;
}

if (process.argv[1] && path.resolve(process.argv[1]) === fileURLToPath(import.meta.url)) {
  const tsc = tscPath();
  if (!tsc) {
    console.error(
      fs.existsSync(CLI)
        ? 'incognito: TypeScript is not installed, dist/ is left as it is.'
        : 'incognito: TypeScript is not installed (npm install --omit=dev?), so dist/ cannot be built: run npm install.',
    );
  } else if (!build(tsc)) {
    process.exit(1);
  }
}
