/** Keeps the README true where it can be checked: the operations table lists every operation of
 * the model and marks exactly the implemented ones; the configuration table lists every setting;
 * the quick start's commands are the ones CI (.ci/run) and a new user run. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { defaults, settings } from '../src/config.js';
import { operations as implemented } from '../src/operations/index.js';
import { operations as model } from '../src/protocol/model.generated.js';

const readme = fs.readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');

it('README operations table matches the model and the implementation', () => {
  const rows = new Map<string, string>();
  for (const m of readme.matchAll(/^\| ([A-Z][A-Za-z]+) \| (.+?) \|$/gm)) if (m[1] !== 'Operation') rows.set(m[1]!, m[2]!);
  assert.deepEqual([...rows.keys()].sort(), Object.keys(model).sort(), 'every model operation has a row');
  for (const [op, status] of rows) {
    assert.equal(status.startsWith('✅'), Object.hasOwn(implemented, op), `${op}: README says '${status}'`);
  }
  // The introduction's count is the table's.
  const done = Object.keys(model).filter((op) => Object.hasOwn(implemented, op)).length;
  assert.match(readme.replace(/\s+/g, ' '), new RegExp(`\\b${done} of the ${Object.keys(model).length} operations of the Cognito API are implemented`));
});

it('README configuration table lists every setting with its variable and default', () => {
  const rows = new Map<string, { env: string; def: string }>();
  for (const m of readme.matchAll(/^\| `(--[a-z-]+)` \| `([A-Z_]+)` \| (.+?) \| .+ \|$/gm)) rows.set(m[1]!, { env: m[2]!, def: m[3]! });
  assert.deepEqual([...rows.keys()].sort(), settings.map((s) => s.flag).sort(), 'one row per setting');
  for (const s of settings) {
    const row = rows.get(s.flag)!;
    assert.equal(row.env, s.env, s.flag);
    const d = defaults[s.key];
    if (d !== undefined && !Array.isArray(d)) assert.equal(row.def, `\`${d}\``, `${s.flag} default`);
  }
});

it('README quick start: the commands to start and to test', () => {
  assert.ok(readme.includes('\n    npm install && npm start\n'));
  assert.ok(readme.includes('\n    npm install && npm test\n'));
  const ci = fs.readFileSync(fileURLToPath(new URL('../../.ci/run', import.meta.url)), 'utf8');
  assert.match(ci, /^npm install --no-audit --no-fund\nnpm test$/m, 'CI runs the README\'s test command');
});
