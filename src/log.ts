/**
 * Structured logs: one JSON object per line on stdout. Never pass request bodies, passwords, codes,
 * tokens or client secrets here.
 *
 * Lines logged in one turn of the event loop are written together at its end (and at exit): on
 * Linux a write to a pipe or file is a synchronous system call, and one per request cost about a
 * quarter of AdminGetUser's throughput (bench/wrk-reads.mjs with --log-requests true). A process
 * killed outright (SIGKILL) loses the lines of its last turn at most. Errors go to stderr at once.
 */
let pending = '';
let scheduled = false;

function flush(): void {
  scheduled = false;
  if (pending === '') return;
  const out = pending;
  pending = '';
  process.stdout.write(out);
}

process.on('exit', flush);

export function log(fields: Record<string, unknown>): void {
  pending += JSON.stringify({ time: new Date().toISOString(), level: 'info', ...fields }) + '\n';
  if (!scheduled) {
    scheduled = true;
    setImmediate(flush);
  }
}

export function logError(msg: string, err: unknown): void {
  const e = err instanceof Error ? { error: err.message, stack: err.stack } : { error: String(err) };
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg, ...e }) + '\n');
}
