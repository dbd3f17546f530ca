// Shared by the benchmark scripts: options, a server started for the purpose, and the table.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { defaults } from '../dist/src/config.js';
import { startServer } from '../dist/src/server.js';

export function options(extra = {}) {
  const args = process.argv.slice(2);
  const opt = (name, d) => {
    const i = args.indexOf(name);
    return i >= 0 ? args[i + 1] : d;
  };
  return {
    seconds: Number(opt('--seconds', '5')),
    connections: Number(opt('--connections', '32')),
    postgres: args.includes('--postgres'),
    ...Object.fromEntries(Object.entries(extra).map(([k, [flag, d]]) => [k, opt(flag, d)])),
  };
}

/**
 * Starts incognito on a free port of 127.0.0.1: SQLite in a temp dir, or a scratch PostgreSQL schema.
 * `clock` (epoch ms), when given, is the server's clock (startServer's ServerOptions.clock);
 * `settings`, more configuration (e.g. lambdaDir).
 */
export async function benchServer({ postgres, clock, settings = {} }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-bench-'));
  const schema = `bench_${process.pid}`;
  const config = {
    ...defaults,
    port: 0,
    logRequests: false,
    consoleMessages: false,
    dataDir: dir,
    ...(postgres ? { databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', databaseSchema: schema } : {}),
    ...settings,
  };
  const server = await startServer(config, undefined, clock ? { clock } : {});
  const headers = (op) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${op}` });
  const call = async (op, body) => (await fetch(server.url + '/', { method: 'POST', headers: headers(op), body: JSON.stringify(body) })).json();
  return {
    server,
    headers,
    call,
    async stop() {
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
      if (postgres) {
        const pg = (await import('pg')).default;
        const c = new pg.Client({ connectionString: config.databaseUrl });
        await c.connect();
        await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
        await c.end();
      }
    },
  };
}

/** Runs each [label, body | () => body, operation?] with autocannon and prints a Markdown table. */
export async function runCases(b, cases, opts) {
  printTableHeader();
  for (const c of cases) printRow(await measureCase(b, c, opts));
}

// --- The table, and one case measured without printing (bench/auth.mjs mixes these rows with its own). ---

export function printTableHeader() {
  console.log('| operation | requests/s | p50 ms | p99 ms | non-2xx |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
}

export function printRow({ label, rps, p50, p99, non2xx }) {
  console.log(`| ${label} | ${Math.round(rps)} | ${p50} | ${p99} | ${non2xx} |`);
}

/**
 * One [label, body | () => body, operation?] case with autocannon, as runCases does, without printing;
 * also keeps the first non-2xx response (status and body) so that a failure can be shown.
 */
export async function measureCase(b, [label, body, op = label], { seconds, connections }) {
  let failure;
  const onResponse = (status, resBody) => {
    if ((status < 200 || status > 299) && !failure) failure = { status, body: String(resBody) };
  };
  const request = typeof body === 'function' ? { setupRequest: (req) => ({ ...req, body: JSON.stringify(body()) }) } : { body: JSON.stringify(body) };
  const r = await autocannon({ url: b.server.url + '/', method: 'POST', connections, duration: seconds, headers: b.headers(op), requests: [{ ...request, onResponse }] });
  return { label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx, errors: r.errors + r.timeouts, failure };
}

/** The q-quantile (0..1) of sorted numbers, rounded to a millisecond as autocannon reports. */
export function quantile(sorted, q) {
  if (sorted.length === 0) return 0;
  return Math.round(sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))]);
}

let stopped = false;
/** True once guarded() has begun stopping the server (loops still running should end). */
export const isStopped = () => stopped;

/**
 * Runs main(), then stops the server and removes its data whatever happens (an error, Ctrl-C); a run
 * still going after deadlineMs is cut off. Sets the exit code to 1 when main throws.
 */
export async function guarded(b, name, deadlineMs, main) {
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    await b.stop();
  };
  const timer = setTimeout(() => {
    console.error(`${name}: took too long, giving up`);
    stop().finally(() => process.exit(2));
  }, deadlineMs);
  timer.unref();
  for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop().finally(() => process.exit(130)));
  try {
    await main();
  } catch (e) {
    console.error(e);
    process.exitCode = 1;
  } finally {
    await stop();
    clearTimeout(timer);
  }
}

/** Runs fn over items, `width` at a time. */
export async function parallel(items, width, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** A call that must succeed: the parsed body, or a thrown error naming the operation and the answer. */
export function mustCall(b) {
  return async (op, body) => {
    const res = await fetch(b.server.url + '/', { method: 'POST', headers: b.headers(op), body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${op} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  };
}
