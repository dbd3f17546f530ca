#!/usr/bin/env node
// What checking a SigV4 signature costs: AdminGetUser unsigned against a server without access keys,
// and signed against a server with one (the signature checked, the key's policy evaluated), side by
// side in one run, the two servers sharing one store (the same pool and users). A third row sends the
// same signed requests to the server without keys (the signature travels but is not checked), so the
// cost of the larger request is apart from the cost of the check.
// The signed requests are signed before the run (--signed distinct requests, reused in turn; each
// valid 5 minutes), the unsigned ones too: the load generator's signing is not measured, the
// server's checking is. Each round starts with another case; the table shows every round.
//   npm run build && node bench/sigv4.mjs [--postgres] [--seconds 5] [--connections 32] [--rounds 2] [--users 100] [--signed 2000]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { createHash, createHmac } from 'node:crypto';
import autocannon from 'autocannon';
import { SignatureV4 } from '@smithy/signature-v4';
import { defaults } from '../dist/src/config.js';
import { startServer } from '../dist/src/server.js';
import { options, parallel } from './lib.mjs';

const o = options({ rounds: ['--rounds', '2'], users: ['--users', '100'], signed: ['--signed', '2000'] });
const KEY = { accessKeyId: 'AKIDBENCH0000001', secretAccessKey: 'bench-secret-0123456789' };
const TARGET = 'AWSCognitoIdentityProviderService.AdminGetUser';

class Sha256 {
  constructor(secret) {
    this.h = secret === undefined ? createHash('sha256') : createHmac('sha256', Buffer.from(secret));
  }
  update(d) {
    this.h.update(typeof d === 'string' ? Buffer.from(d) : Buffer.from(d.buffer, d.byteOffset, d.byteLength));
  }
  digest() {
    return Promise.resolve(new Uint8Array(this.h.digest()));
  }
}

const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-bench-sigv4-'));
const schema = `bench_sigv4_${process.pid}`;
const config = {
  ...defaults,
  port: 0,
  logRequests: false,
  consoleMessages: false,
  dataDir: dir,
  ...(o.postgres ? { databaseUrl: process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test', databaseSchema: schema } : {}),
};
const open = await startServer(config);
const keyed = await startServer({ ...config, ...KEY }, open.store);

async function stop() {
  await keyed.close();
  await open.close();
  fs.rmSync(dir, { recursive: true, force: true });
  if (o.postgres) {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: config.databaseUrl });
    await c.connect();
    await c.query(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await c.end();
  }
}

try {
  const headers = (op) => ({ 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${op}` });
  const call = async (op, body) => {
    const res = await fetch(open.url + '/', { method: 'POST', headers: headers(op), body: JSON.stringify(body) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${op} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  const { UserPool } = await call('CreateUserPool', { PoolName: 'bench' });
  const users = Array.from({ length: Number(o.users) }, (_, i) => `user${i}`);
  await parallel(users, 8, (u) => call('AdminCreateUser', { UserPoolId: UserPool.Id, Username: u, MessageAction: 'SUPPRESS' }));

  // Signed requests made in advance, for each server's Host header.
  const signer = new SignatureV4({ credentials: KEY, region: 'us-east-1', service: 'cognito-idp', sha256: Sha256 });
  const presigned = async (url) => {
    const u = new URL(url);
    const out = [];
    for (let i = 0; i < Number(o.signed); i++) {
      const body = JSON.stringify({ UserPoolId: UserPool.Id, Username: users[i % users.length] });
      const r = await signer.sign({ method: 'POST', protocol: 'http:', hostname: u.hostname, port: Number(u.port), path: '/', query: {}, headers: { host: u.host, ...headers('AdminGetUser') }, body });
      const h = { ...r.headers };
      delete h.host;
      out.push({ headers: h, body });
    }
    return out;
  };
  const signedKeyed = await presigned(keyed.url);
  const signedOpen = await presigned(open.url);
  const unsigned = Array.from({ length: Number(o.signed) }, (_, i) => ({ headers: headers('AdminGetUser'), body: JSON.stringify({ UserPoolId: UserPool.Id, Username: users[i % users.length] }) }));

  const measure = async (label, url, next) => {
    let failure;
    const r = await autocannon({
      url: url + '/',
      method: 'POST',
      connections: o.connections,
      duration: o.seconds,
      requests: [
        {
          setupRequest: (req) => ({ ...req, ...next() }),
          onResponse: (status, body) => {
            if (status !== 200 && !failure) failure = `${status} ${body}`;
          },
        },
      ],
    });
    if (failure) console.error(`${label}: ${failure}`);
    return { label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx };
  };
  let n = 0;
  const cases = [
    ['AdminGetUser unsigned (no access keys)', open.url, () => unsigned[n++ % unsigned.length]],
    ['AdminGetUser signed, checked (one access key)', keyed.url, () => signedKeyed[n++ % signedKeyed.length]],
    ['AdminGetUser signed, not checked (no access keys)', open.url, () => signedOpen[n++ % signedOpen.length]],
  ];
  console.log(`incognito SigV4 benchmark: ${o.postgres ? 'postgres' : 'sqlite'}, ${o.connections} connections, ${o.seconds}s each, ${o.rounds} rounds, node ${process.version}, ${os.cpus().length} CPUs`);
  console.log('| round | operation | requests/s | p50 ms | p99 ms | non-2xx |');
  console.log('| ---: | --- | ---: | ---: | ---: | ---: |');
  // A short warm-up of each case first (JIT, connections, the signing-key cache).
  for (const [label, url, next] of cases) await measure(label, url, next).catch(() => {});
  for (let round = 1; round <= Number(o.rounds); round++) {
    // Each round starts with another case, so no case always runs first.
    for (let i = 0; i < cases.length; i++) {
      const [label, url, next] = cases[(i + round - 1) % cases.length];
      const r = await measure(label, url, next);
      console.log(`| ${round} | ${r.label} | ${Math.round(r.rps)} | ${r.p50} | ${r.p99} | ${r.non2xx} |`);
    }
  }
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await stop();
}
