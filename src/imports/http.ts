/**
 * GET /_incognito/imports/<jobId>/log[?after=<line>][&limit=<1..10000, default 1000>]: the job's log,
 * Cognito's CloudWatch lines in line order (`[SUCCEEDED] Line Number 2 - The import succeeded.`),
 * with no user data. Answers {"jobId", "lines": [{"line", "message"}], "next": <after for the next page> | null}.
 */
import type { Store } from '../store/types.js';

export const IMPORT_LOG_PATH = '/_incognito/imports/';

export async function importLog(store: Store, rawUrl: string): Promise<{ status: number; body: string }> {
  const url = new URL(rawUrl, 'http://local');
  const m = /^\/_incognito\/imports\/(import-[0-9a-zA-Z-]+)\/log$/.exec(url.pathname);
  if (!m) return { status: 404, body: JSON.stringify({ error: 'Use /_incognito/imports/<jobId>/log' }) };
  const after = url.searchParams.get('after') ?? '0';
  const limit = url.searchParams.get('limit') ?? '1000';
  if (!/^\d{1,9}$/.test(after) || !/^\d{1,5}$/.test(limit) || Number(limit) < 1 || Number(limit) > 10_000) {
    return { status: 400, body: JSON.stringify({ error: 'after must be a line number and limit from 1 to 10000' }) };
  }
  const job = await store.imports.get(m[1]!);
  if (!job) return { status: 404, body: JSON.stringify({ error: `Import job ${m[1]} does not exist.` }) };
  const lines = await store.imports.log(job.jobId, Number(after), Number(limit));
  const next = lines.length === Number(limit) ? lines[lines.length - 1]!.line : null;
  return { status: 200, body: JSON.stringify({ jobId: job.jobId, lines, next }) };
}
