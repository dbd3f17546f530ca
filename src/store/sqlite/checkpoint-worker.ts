/**
 * The SQLite checkpointer, run in a worker thread (see checkpointer.ts): a connection of its own to
 * the database that copies the WAL into the database file every `intervalMs` (a PASSIVE checkpoint:
 * it never waits for, nor blocks, the main connection's readers and writer). The copy and the fsync
 * that ends it happen here, off the event loop that serves requests.
 */
import { parentPort, workerData } from 'node:worker_threads';
import Database from 'better-sqlite3';

const { file, intervalMs } = workerData as { file: string; intervalMs: number };
const db = new Database(file);
db.pragma('synchronous = NORMAL');

function checkpoint(): void {
  try {
    db.pragma('wal_checkpoint(PASSIVE)');
  } catch (e) {
    parentPort!.postMessage({ error: e instanceof Error ? e.message : String(e) });
  }
}

const timer = setInterval(checkpoint, intervalMs);
parentPort!.on('message', (m: unknown) => {
  if (m === 'stop') {
    clearInterval(timer);
    checkpoint();
    db.close();
    parentPort!.close();
  }
});
parentPort!.postMessage({ ready: true });
