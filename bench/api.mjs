#!/usr/bin/env node
// Benchmark of the JSON 1.1 API: starts a server for the purpose (SQLite in a temp dir, or
// PostgreSQL with --postgres), creates a pool and a client, then drives a few operations with
// autocannon and prints requests per second and latency percentiles.
//   npm run build && node bench/api.mjs [--postgres] [--seconds 10] [--connections 32]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import autocannon from 'autocannon';
import { defaults } from '../dist/src/config.js';
import { startServer } from '../dist/src/server.js';

const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : d;
};
const seconds = Number(opt('--seconds', '8'));
const connections = Number(opt('--connections', '32'));
const usePg = args.includes('--postgres');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-bench-'));
const schema = `bench_${process.pid}`;
const config = {
  ...defaults,
  port: 0,
  logRequests: false,
  dataDir: dir,
  ...(usePg ? { databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', databaseSchema: schema } : {}),
};
const server = await startServer(config);

async function call(op, body) {
  const res = await fetch(server.url + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  return res.json();
}

const { UserPool } = await call('CreateUserPool', { PoolName: 'bench' });
const { UserPoolClient } = await call('CreateUserPoolClient', { UserPoolId: UserPool.Id, ClientName: 'bench', GenerateSecret: true });

const cases = [
  ['DescribeUserPoolClient', { UserPoolId: UserPool.Id, ClientId: UserPoolClient.ClientId }],
  ['DescribeUserPool', { UserPoolId: UserPool.Id }],
  ['ListUserPoolClients', { UserPoolId: UserPool.Id, MaxResults: 10 }],
  ['UpdateUserPoolClient', { UserPoolId: UserPool.Id, ClientId: UserPoolClient.ClientId, ClientName: 'renamed', AccessTokenValidity: 2 }],
  ['CreateUserPoolClient (validation error)', { UserPoolId: UserPool.Id, ClientName: 'bad!' }, 'CreateUserPoolClient'],
];

console.log(`incognito API benchmark: ${usePg ? 'postgres' : 'sqlite'}, ${connections} connections, ${seconds}s each, node ${process.version}`);
console.log('| operation | requests/s | p50 ms | p99 ms | non-2xx |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [label, body, op = label] of cases) {
  const r = await autocannon({
    url: server.url + '/',
    method: 'POST',
    connections,
    duration: seconds,
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  console.log(`| ${label} | ${Math.round(r.requests.average)} | ${r.latency.p50} | ${r.latency.p99} | ${r.non2xx} |`);
}
await server.close();
fs.rmSync(dir, { recursive: true, force: true });
if (usePg) {
  const pg = (await import('pg')).default;
  const c = new pg.Client({ connectionString: config.databaseUrl });
  await c.connect();
  await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
  await c.end();
}
