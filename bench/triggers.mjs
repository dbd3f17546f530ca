#!/usr/bin/env node
// What a Lambda trigger adds to a sign-in: a server started for the purpose with --lambda-dir set to a
// temporary directory holding one no-op handler file (noop.mjs: `export const handler = async (event) => event;`),
// two pools alike but for their LambdaConfig (one with none, one whose PreTokenGeneration is the no-op
// function, run in incognito's worker threads), an app client and confirmed users in each, then
//   1. InitiateAuth REFRESH_TOKEN_AUTH (2 RS256 signatures; a cheap sign-in, so the trigger's share shows),
//   2. InitiateAuth USER_PASSWORD_AUTH (an argon2id verify on top),
// each measured side by side in the same run: the two pools' requests alternate (request i goes to the
// pool without the trigger when i is even, with it when odd), so both see the same machine state. Latency
// is timed per request in this process (performance.now(), fractional milliseconds: autocannon's whole
// milliseconds are too coarse for a sub-millisecond difference), after a warm-up of each case.
// --connections workers run the loop (1 by default: one request at a time, the cost alone, no queueing).
//   npm run build && node bench/triggers.mjs [--postgres] [--requests 2000] [--password-requests 300] [--connections 1]
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { benchServer, guarded, isStopped, mustCall, options, parallel } from './lib.mjs';

const o = options({ requests: ['--requests', '2000'], passwordRequests: ['--password-requests', '300'] });
o.connections = Number(process.argv.includes('--connections') ? o.connections : 1);
const requests = Number(o.requests);
const passwordRequests = Number(o.passwordRequests);
const PASSWORD = 'Bench-Password-1';
const USERS = 20;

const lambdaDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-bench-lambda-'));
fs.writeFileSync(path.join(lambdaDir, 'noop.mjs'), 'export const handler = async (event) => event;\n');
const b = await benchServer({ ...o, settings: { lambdaDir } });
const must = mustCall(b);
try {
  await guarded(b, 'bench/triggers.mjs', 600_000 + (requests + passwordRequests) * 200, main);
} finally {
  fs.rmSync(lambdaDir, { recursive: true, force: true });
}

async function setUp(label, LambdaConfig) {
  const { UserPool } = await must('CreateUserPool', { PoolName: `bench-${label}`, ...(LambdaConfig ? { LambdaConfig } : {}) });
  const { UserPoolClient } = await must('CreateUserPoolClient', {
    UserPoolId: UserPool.Id,
    ClientName: 'bench',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  const ClientId = UserPoolClient.ClientId;
  const usernames = Array.from({ length: USERS }, (_, i) => `user${i}`);
  const refreshTokens = [];
  await parallel(usernames, 4, async (Username) => {
    await must('AdminCreateUser', { UserPoolId: UserPool.Id, Username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${Username}@example.com` }] });
    await must('AdminSetUserPassword', { UserPoolId: UserPool.Id, Username, Password: PASSWORD, Permanent: true });
    const r = await must('InitiateAuth', { ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: Username, PASSWORD } });
    refreshTokens.push(r.AuthenticationResult.RefreshToken);
  });
  let n = 0;
  return {
    label,
    refresh: () => ({ ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshTokens[n++ % refreshTokens.length] } }),
    password: () => ({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: usernames[n++ % usernames.length], PASSWORD } }),
  };
}

/** The p-quantile of sorted numbers. */
function q(sorted, p) {
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))] : 0;
}
/** Milliseconds with two decimals. */
function ms(x) {
  return x.toFixed(2);
}

/**
 * `count` requests of each of the two cases, alternating between them, over --connections workers;
 * `warm` of each first, not counted. Returns the sorted latencies of each case.
 */
async function sideBySide(cases, kind, count, warm) {
  const run = async (total, record) => {
    let i = 0;
    await Promise.all(
      Array.from({ length: o.connections }, async () => {
        while (i < total * 2 && !isStopped()) {
          const k = i++ % 2;
          const body = JSON.stringify(cases[k][kind]());
          const t = performance.now();
          const res = await fetch(b.server.url + '/', { method: 'POST', headers: b.headers('InitiateAuth'), body });
          const text = await res.text();
          const took = performance.now() - t;
          if (!res.ok) throw new Error(`${cases[k].label} ${kind}: ${res.status} ${text}`);
          if (!JSON.parse(text).AuthenticationResult?.AccessToken) throw new Error(`${cases[k].label} ${kind}: no tokens: ${text}`);
          if (record) record[k].push(took);
        }
      }),
    );
  };
  await run(warm, null);
  const lat = [[], []];
  await run(count, lat);
  for (const l of lat) l.sort((x, y) => x - y);
  return lat;
}

async function main() {
  const plain = await setUp('none', undefined);
  const withTrigger = await setUp('noop', { PreTokenGeneration: 'arn:aws:lambda:us-east-1:123456789012:function:noop' });
  const cases = [plain, withTrigger];
  console.log(
    `incognito trigger cost: ${o.postgres ? 'postgres' : 'sqlite'}, a pool without triggers against one with a no-op PreTokenGeneration ` +
      `handler file (--lambda-dir, worker threads), requests alternating between them, ${o.connections} connection(s), node ${process.version}, ` +
      `${os.cpus().length} CPUs`,
  );
  console.log('');
  console.log('| sign-in | requests each | p50 no trigger | p50 no-op PreTokenGeneration | p50 added | p99 no trigger | p99 no-op PreTokenGeneration |');
  console.log('| --- | ---: | ---: | ---: | ---: | ---: | ---: |');
  for (const [kind, label, count, warm] of [
    ['refresh', 'InitiateAuth REFRESH_TOKEN_AUTH', requests, Math.min(200, requests)],
    ['password', 'InitiateAuth USER_PASSWORD_AUTH (argon2id)', passwordRequests, Math.min(30, passwordRequests)],
  ]) {
    if (count <= 0 || isStopped()) continue;
    const [a, t] = await sideBySide(cases, kind, count, warm);
    console.log(`| ${label} | ${count} | ${ms(q(a, 0.5))} ms | ${ms(q(t, 0.5))} ms | ${ms(q(t, 0.5) - q(a, 0.5))} ms | ${ms(q(a, 0.99))} ms | ${ms(q(t, 0.99))} ms |`);
  }
}
