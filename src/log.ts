/**
 * Structured logs: one JSON object per line on stdout. Never pass request bodies, passwords, codes,
 * tokens or client secrets here.
 */
export function log(fields: Record<string, unknown>): void {
  process.stdout.write(JSON.stringify({ time: new Date().toISOString(), level: 'info', ...fields }) + '\n');
}

export function logError(msg: string, err: unknown): void {
  const e = err instanceof Error ? { error: err.message, stack: err.stack } : { error: String(err) };
  process.stderr.write(JSON.stringify({ time: new Date().toISOString(), level: 'error', msg, ...e }) + '\n');
}
