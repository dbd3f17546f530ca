#!/usr/bin/env node
// `npm start [-- options]`: runs the compiled server (dist/src/cli.js) in this process, with the
// options given. `npm install` has built it (the `prepare` script); it is built again first only
// when a file under src/ changed since the last build (`tsc -b`, incremental), so that an edited
// tree never runs stale code and an unchanged one starts at once, without loading TypeScript.
import { pathToFileURL } from 'node:url';
import { build, CLI, staleSource, tscPath } from './build.mjs';

const stale = staleSource();
if (stale) {
  const tsc = tscPath();
  if (tsc) {
    console.error(`incognito: building dist/ first (${stale === 'dist/ has not been built' ? stale : `${stale} changed since the last build`}) ...`);
    if (!build(tsc)) process.exit(1);
  } else if (stale === 'dist/ has not been built') {
    console.error('incognito: dist/ has not been built and TypeScript is not installed: run npm install (with the devDependencies).');
    process.exit(1);
  } else {
    console.error(`incognito: ${stale} changed since dist/ was built, and TypeScript is not installed to build it again: running the build as it is.`);
  }
}
await import(pathToFileURL(CLI).href);
