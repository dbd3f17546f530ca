/**
 * The import file's parser, run in a worker thread (see parse-off-thread.ts): the CSV is parsed and
 * its rows checked here, off the event loop that serves requests and writes the users, and the
 * outcomes go back a batch at a time. The file's bytes come from the main thread a chunk at a time,
 * when this side asks for them.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { readImportFile, ImportFileError, type RowOutcome } from '../domain/import-csv.js';
import type { PoolRecord } from '../store/types.js';
import { encodeRows } from './row-codec.js';

/** Main → worker: a chunk of the file (null at its end), or a request for the next batch of outcomes. */
export type ToWorker = { chunk: Uint8Array | null } | { want: number };
/**
 * Worker → main: a request for the next chunk, a batch of outcomes (encodeRows), or the error the
 * reader ended with.
 */
export type FromWorker = { need: true } | { rows: unknown[]; done: boolean } | { error: { importFile: boolean; message: string } };

const { pool, skipLines } = workerData as { pool: PoolRecord; skipLines: number };
const port = parentPort!;
const post = (m: FromWorker) => port.postMessage(m);

let gotChunk: ((c: Uint8Array | null) => void) | undefined;
async function* input(): AsyncGenerator<Buffer> {
  for (;;) {
    const chunk = await new Promise<Uint8Array | null>((resolve) => {
      gotChunk = resolve;
      post({ need: true });
    });
    if (chunk === null) return;
    yield Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength);
  }
}

const rows = readImportFile(input(), pool, { skipLines });
// Batches are made one after another, in the order asked for.
let turn: Promise<void> = Promise.resolve();
let ended = false;

async function batch(size: number): Promise<void> {
  if (ended) return;
  const out: RowOutcome[] = [];
  try {
    while (out.length < size) {
      const r = await rows.next();
      if (r.done) {
        ended = true;
        break;
      }
      out.push(r.value);
    }
    post({ rows: encodeRows(out), done: ended });
  } catch (e) {
    ended = true;
    post({ error: { importFile: e instanceof ImportFileError, message: e instanceof Error ? e.message : String(e) } });
  }
}

port.on('message', (m: ToWorker) => {
  if ('chunk' in m) {
    const resolve = gotChunk;
    gotChunk = undefined;
    resolve?.(m.chunk);
  } else {
    turn = turn.then(() => batch(m.want));
  }
});
