/**
 * Reads an import file as readImportFile does (the same outcomes, in the same order, the same
 * ImportFileError), but parses it in a worker thread (parse-worker.ts). Parsing and checking the
 * rows was about a third of the event loop's time during an import on SQLite, where that thread
 * also runs every SQL statement and answers the API requests: moved to the other core, it runs
 * beside the inserts instead of between them. The main thread only hands the file's chunks over
 * (as it reads them from the database) and receives the outcomes, a batch of 1,000 at a time, up to
 * two batches ahead of the rows taken. When no worker can be started, the file is read here.
 */
import { Worker } from 'node:worker_threads';
import { ImportFileError, readImportFile, type RowOutcome } from '../domain/import-csv.js';
import type { PoolRecord } from '../store/types.js';
import type { FromWorker, ToWorker } from './parse-worker.js';
import { decodeRows } from './row-codec.js';

const BATCH = 1_000;
/** Batches asked for ahead of the one being taken. */
const AHEAD = 2;

export async function* readImportFileOffThread(input: AsyncIterable<Buffer>, pool: PoolRecord, opts: { skipLines?: number } = {}): AsyncGenerator<RowOutcome> {
  let worker: Worker;
  try {
    worker = new Worker(new URL('./parse-worker.js', import.meta.url), { workerData: { pool, skipLines: opts.skipLines ?? 0 } });
  } catch {
    yield* readImportFile(input, pool, opts);
    return;
  }
  const source = input[Symbol.asyncIterator]();
  const send = (m: ToWorker) => worker.postMessage(m);
  // Batches (or the end) received and not yet taken, and the taker waiting for one.
  const ready: (FromWorker | Error)[] = [];
  let wake: (() => void) | undefined;
  const arrive = (m: FromWorker | Error) => {
    ready.push(m);
    wake?.();
  };
  let feeding = Promise.resolve();
  worker.on('message', (m: FromWorker) => {
    if ('need' in m) {
      // The next chunk of the file, read in order (the worker asks again only after one arrived).
      feeding = feeding.then(async () => {
        try {
          const r = await source.next();
          const chunk = r.done ? null : new Uint8Array(r.value);
          send({ chunk });
        } catch (e) {
          arrive(e instanceof Error ? e : new Error(String(e)));
        }
      });
    } else arrive(m);
  });
  worker.on('error', (e) => arrive(e));
  worker.on('exit', (code) => arrive(new Error(`the import file's parser thread ended (exit code ${code})`)));
  try {
    for (let i = 0; i < AHEAD; i++) send({ want: BATCH });
    for (;;) {
      while (!ready.length) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
      const m = ready.shift()!;
      if (m instanceof Error) throw m;
      if ('error' in m) throw m.error.importFile ? new ImportFileError(m.error.message) : new Error(m.error.message);
      if ('need' in m) continue;
      if (!m.done) send({ want: BATCH });
      yield* decodeRows(m.rows);
      if (m.done) return;
    }
  } finally {
    worker.removeAllListeners('exit');
    await worker.terminate();
    await source.return?.();
  }
}
