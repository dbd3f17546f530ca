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

/** Starts incognito on a free port: SQLite in a temp dir, or a scratch PostgreSQL schema. */
export async function benchServer({ postgres }) {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-bench-'));
  const schema = `bench_${process.pid}`;
  const config = {
    ...defaults,
    port: 0,
    logRequests: false,
    consoleMessages: false,
    dataDir: dir,
    ...(postgres ? { databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', databaseSchema: schema } : {}),
  };
  const server = await startServer(config);
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
export async function runCases(b, cases, { seconds, connections }) {
  console.log('| operation | requests/s | p50 ms | p99 ms | non-2xx |');
  console.log('| --- | ---: | ---: | ---: | ---: |');
  for (const [label, body, op = label] of cases) {
    const request = typeof body === 'function' ? { requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(body()) }) }] } : { body: JSON.stringify(body) };
    const r = await autocannon({ url: b.server.url + '/', method: 'POST', connections, duration: seconds, headers: b.headers(op), ...request });
    console.log(`| ${label} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} |`);
  }
}
