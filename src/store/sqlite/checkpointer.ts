/**
 * WAL checkpoints off the event loop. SQLite's automatic checkpoint runs inside the COMMIT that
 * crosses its threshold, on the thread that commits: it copies the WAL into the database file and
 * syncs it, which measured 100-270 ms on these machines in the middle of a user import, during which
 * no request was answered. So the main connection checkpoints nothing itself (wal_autocheckpoint 0)
 * and a worker thread with its own connection runs a PASSIVE checkpoint a few times a second
 * (checkpoint-worker.ts). Should the worker fail, the main connection checkpoints again as before.
 */
import { Worker } from 'node:worker_threads';
import type BetterSqlite3 from 'better-sqlite3';

/** The main connection's own threshold when no worker checkpoints (pages; ~40 MiB of WAL). */
export const FALLBACK_AUTOCHECKPOINT = 10_000;

export interface Checkpointer {
  close(): Promise<void>;
}

export async function startCheckpointer(
  sqlite: BetterSqlite3.Database,
  file: string,
  onError: (msg: string) => void,
  intervalMs = 200,
): Promise<Checkpointer> {
  const worker = new Worker(new URL('./checkpoint-worker.js', import.meta.url), { workerData: { file, intervalMs } });
  let failed = false;
  const fallBack = (msg: string) => {
    if (failed) return;
    failed = true;
    onError(`SQLite checkpoint worker failed (${msg}); the main connection checkpoints again`);
    sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
  };
  const exited = new Promise<void>((resolve) => worker.once('exit', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      worker.once('error', reject);
      worker.once('exit', () => reject(new Error('the worker ended at start')));
      worker.once('message', () => resolve());
    });
  } catch (e) {
    // No worker: the main connection keeps checkpointing by itself, as SQLite does by default.
    onError(`SQLite checkpoint worker did not start (${e instanceof Error ? e.message : String(e)}); the main connection checkpoints`);
    await worker.terminate();
    return { close: async () => {} };
  }
  worker.on('error', (e) => fallBack(e.message));
  worker.on('message', (m: { error?: string }) => {
    if (m.error) fallBack(m.error);
  });
  worker.unref();
  sqlite.pragma('wal_autocheckpoint = 0');
  return {
    async close() {
      if (!failed) sqlite.pragma(`wal_autocheckpoint = ${FALLBACK_AUTOCHECKPOINT}`);
      // Kept alive until the worker has ended (it is unref'd while it runs).
      worker.ref();
      worker.postMessage('stop');
      await Promise.race([exited, new Promise((r) => setTimeout(r, 5_000).unref())]);
      await worker.terminate();
    },
  };
}
