/**
 * How the import file's parser thread (parse-worker.ts) hands its outcomes to the event loop
 * (parse-off-thread.ts). A module of its own: parse-worker.ts runs as soon as it is loaded.
 */
import type { RowOutcome } from '../domain/import-csv.js';

/**
 * A batch of outcomes as one flat array of strings and numbers, each user's attributes as their JSON
 * text: copied to the other thread in a quarter of the time objects take (an object's every key and
 * value is a string of its own to copy and make again, about 2 µs a row on the receiving side, which
 * is the event loop), and the JSON is the text the users table stores. decodeRows reverses it.
 *   failed: 0, line, reason
 *   user:   1, line, username, usernameKey, sub, mfaEnabled (0 or 1), attributes as JSON
 */
export function encodeRows(rows: RowOutcome[]): unknown[] {
  const out: unknown[] = [];
  for (const r of rows) {
    if (r.kind === 'failed') out.push(0, r.line, r.reason);
    else out.push(1, r.line, r.username, r.usernameKey, r.sub, r.mfaEnabled ? 1 : 0, JSON.stringify(r.attributes));
  }
  return out;
}

/** The outcomes encodeRows encoded (each user's attributesJson set: the text it came as). */
export function decodeRows(flat: unknown[]): RowOutcome[] {
  const rows: RowOutcome[] = [];
  for (let i = 0; i < flat.length; ) {
    if (flat[i++] === 0) {
      rows.push({ kind: 'failed', line: flat[i++] as number, reason: flat[i++] as string });
      continue;
    }
    const line = flat[i++] as number;
    const username = flat[i++] as string;
    const usernameKey = flat[i++] as string;
    const sub = flat[i++] as string;
    const mfaEnabled = flat[i++] === 1;
    const attributesJson = flat[i++] as string;
    rows.push({ kind: 'user', line, username, usernameKey, sub, attributes: JSON.parse(attributesJson) as Record<string, string>, mfaEnabled, attributesJson });
  }
  return rows;
}
