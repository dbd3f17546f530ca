/** Keeps the README's operations table true: it lists every operation of the model, and marks
 * exactly the implemented ones. */
import { it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import { fileURLToPath } from 'node:url';
import { operations as implemented } from '../src/operations/index.js';
import { operations as model } from '../src/protocol/model.generated.js';

it('README operations table matches the model and the implementation', () => {
  const readme = fs.readFileSync(fileURLToPath(new URL('../../README.md', import.meta.url)), 'utf8');
  const rows = new Map<string, string>();
  for (const m of readme.matchAll(/^\| ([A-Z][A-Za-z]+) \| (.+?) \|$/gm)) if (m[1] !== 'Operation') rows.set(m[1]!, m[2]!);
  assert.deepEqual([...rows.keys()].sort(), Object.keys(model).sort(), 'every model operation has a row');
  for (const [op, status] of rows) {
    assert.equal(status.startsWith('✅'), Object.hasOwn(implemented, op), `${op}: README says '${status}'`);
  }
});
