#!/usr/bin/env node
// Benchmark of the user operations: starts a server for the purpose (SQLite in a temp dir, or
// PostgreSQL with --postgres), seeds a pool with 10,000 users straight into the store (with one
// precomputed argon2id hash: seeding through the API would spend minutes hashing), then drives
// AdminGetUser, ListUsers (filtered and not) and AdminCreateUser with autocannon.
//   npm run build && node bench/users.mjs [--postgres] [--seconds 5] [--connections 32] [--users 10000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import autocannon from 'autocannon';
import { defaults } from '../dist/src/config.js';
import { startServer } from '../dist/src/server.js';
import { hashPassword } from '../dist/src/domain/passwords.js';

const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : d;
};
const seconds = Number(opt('--seconds', '5'));
const connections = Number(opt('--connections', '32'));
const userCount = Number(opt('--users', '10000'));
const usePg = args.includes('--postgres');

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-bench-'));
const schema = `bench_${process.pid}`;
const config = {
  ...defaults,
  port: 0,
  logRequests: false,
  consoleMessages: false,
  dataDir: dir,
  ...(usePg ? { databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', databaseSchema: schema } : {}),
};
const server = await startServer(config);
const target = (op) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${op}` });
const call = async (op, body) => (await fetch(server.url + '/', { method: 'POST', headers: target(op), body: JSON.stringify(body) })).json();

const { UserPool } = await call('CreateUserPool', { PoolName: 'bench' });
const hash = await hashPassword('Bench-Password-1');
const t0 = performance.now();
for (let i = 0; i < userCount; i += 500) {
  await server.store.transaction(async (tx) => {
    for (let j = i; j < Math.min(i + 500, userCount); j++) {
      const now = Date.now();
      await tx.users.insert({
        poolId: UserPool.Id, username: `user${j}`, usernameKey: `user${j}`, sub: randomUUID(), status: 'CONFIRMED', enabled: true,
        attributes: { email: `user${j}@example.com`, email_verified: 'true', given_name: j % 10 === 0 ? 'Ten' : 'Other' },
        passwordHash: hash, passwordUpdatedAt: now, extra: {}, createdAt: now, updatedAt: now,
      });
    }
  });
}
const seedSeconds = (performance.now() - t0) / 1000;

let n = 0;
const cases = [
  ['AdminGetUser', () => ({ UserPoolId: UserPool.Id, Username: `user${n++ % userCount}` })],
  ['ListUsers (email = "...", 1 match)', () => ({ UserPoolId: UserPool.Id, Filter: `email = "user${n++ % userCount}@example.com"` }), 'ListUsers'],
  ['ListUsers (given_name = "Ten", 60 a page)', () => ({ UserPoolId: UserPool.Id, Filter: 'given_name = "Ten"', Limit: 60 }), 'ListUsers'],
  ['ListUsers (no filter, 60 a page)', () => ({ UserPoolId: UserPool.Id, Limit: 60 }), 'ListUsers'],
  ['AdminCreateUser (argon2id hash each)', () => ({ UserPoolId: UserPool.Id, Username: `new${n++}-${randomUUID()}`, MessageAction: 'SUPPRESS', TemporaryPassword: 'Temp-Password-1' }), 'AdminCreateUser'],
];

console.log(`incognito user benchmark: ${usePg ? 'postgres' : 'sqlite'}, ${userCount} users (seeded in ${seedSeconds.toFixed(1)} s), ${connections} connections, ${seconds}s each, node ${process.version}`);
console.log('| operation | requests/s | p50 ms | p99 ms | non-2xx |');
console.log('| --- | ---: | ---: | ---: | ---: |');
for (const [label, body, op = label] of cases) {
  const r = await autocannon({
    url: server.url + '/',
    method: 'POST',
    connections,
    duration: seconds,
    headers: target(op),
    requests: [{ setupRequest: (req) => ({ ...req, body: JSON.stringify(body()) }) }],
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
