#!/usr/bin/env node
// Benchmark of a sign-in with an authenticator app (TOTP), both round trips:
//   InitiateAuth USER_PASSWORD_AUTH -> SOFTWARE_TOKEN_MFA challenge (one argon2id verify, a session),
//   RespondToAuthChallenge SOFTWARE_TOKEN_MFA (the code checked and its step recorded, the session
//   used up, the sign-in recorded, 2 RS256 signatures),
// driven by --connections workers with fetch, each signing in again and again for --seconds, against a
// server started for the purpose in this process (startServer through bench/lib.mjs, 127.0.0.1 only,
// SQLite in a temp dir or a scratch PostgreSQL schema, removed at the end).
//
// A TOTP code is good once per 30-second step per user: the server refuses a code of a step at or
// before the last one it accepted for that user. Here the SERVER'S CLOCK IS MOVED (startServer's
// ServerOptions.clock): the server and this script read the same clock, real time plus an offset, and
// when a user comes round again within the step of their last code, the offset jumps 30 s forward, so
// each user signs in once per (virtual) step with a fresh code, as a person would 30 s later. With
// --users U the clock jumps once every U sign-ins; U must be several times --connections, so that a
// sign-in in flight sees at most one jump (the server accepts a code one step old). The alternative,
// enough users for one real 30-second step (rate x 30, each costing 3 argon2id hashes to set up), would
// spend minutes on set-up. The jumps cost the server nothing; sessions (3 minutes) outlive them.
// Codes are computed as an authenticator app does, with the otpauth package from the key that
// AssociateSoftwareToken returned.
//
// Set-up, through the API: a pool with MFA OPTIONAL and TOTP enabled, a client with USER_PASSWORD_AUTH,
// --users users (AdminCreateUser + AdminSetUserPassword), each signed in once and given a verified
// software token (AssociateSoftwareToken, VerifySoftwareToken) preferred (SetUserMFAPreference).
// Bounded: --seconds of measuring, at most --max sign-ins, and a deadline for the whole run.
//   npm run build && node bench/totp.mjs [--postgres] [--seconds 10] [--connections 32] [--users 200] [--max 100000]
import * as OTPAuth from 'otpauth';
import { benchServer, guarded, isStopped, mustCall, options, parallel, quantile } from './lib.mjs';

const o = options({ users: ['--users', '200'], max: ['--max', '100000'] });
o.seconds = Number(process.argv.includes('--seconds') ? o.seconds : 10);
const userCount = Number(o.users);
const maxSignIns = Number(o.max);
const PASSWORD = 'Bench-Password-1';
const STEP_MS = 30_000;
if (userCount < 4 * o.connections) {
  console.error(`bench/totp.mjs: --users (${userCount}) must be at least 4 x --connections (${o.connections}): see the comment at the top`);
  process.exit(2);
}

// The clock the server and this script share: real time plus `offset`, which only grows by whole steps.
let offset = 0;
let jumps = 0;
const clock = () => Date.now() + offset;
const stepOf = (ms) => Math.floor(ms / STEP_MS);

const b = await benchServer({ ...o, clock });
const must = mustCall(b);
await guarded(b, 'bench/totp.mjs', (180 + o.seconds) * 1000 + userCount * 1000, main);

/** What an authenticator app shows for a key at a step. */
function codeAt(key, step) {
  return key.totp.generate({ timestamp: step * STEP_MS });
}

/**
 * A fresh code for a user: of the current step, after a jump of the clock when this user already
 * used that step (or a later one).
 */
function freshCode(user) {
  while (stepOf(clock()) <= user.lastStep) {
    offset += STEP_MS;
    jumps++;
  }
  const step = stepOf(clock());
  user.lastStep = step;
  return codeAt(user.key, step);
}

async function main() {
  const { UserPool } = await must('CreateUserPool', { PoolName: 'bench-totp' });
  const poolId = UserPool.Id;
  await must('SetUserPoolMfaConfig', { UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } });
  const { UserPoolClient } = await must('CreateUserPoolClient', { UserPoolId: poolId, ClientName: 'bench', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
  const ClientId = UserPoolClient.ClientId;

  const users = Array.from({ length: userCount }, (_, i) => ({ name: `user${i}`, key: undefined, lastStep: -1 }));
  const t0 = performance.now();
  await parallel(users, 8, async (user) => {
    await must('AdminCreateUser', { UserPoolId: poolId, Username: user.name, MessageAction: 'SUPPRESS' });
    await must('AdminSetUserPassword', { UserPoolId: poolId, Username: user.name, Password: PASSWORD, Permanent: true });
    const first = await must('InitiateAuth', { ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.name, PASSWORD } });
    const AccessToken = first.AuthenticationResult.AccessToken;
    const { SecretCode } = await must('AssociateSoftwareToken', { AccessToken });
    user.key = { totp: new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(SecretCode), algorithm: 'SHA1', digits: 6, period: 30 }) };
    await must('VerifySoftwareToken', { AccessToken, UserCode: freshCode(user), FriendlyDeviceName: 'bench' });
    await must('SetUserMFAPreference', { AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } });
  });
  const setUp = ((performance.now() - t0) / 1000).toFixed(1);
  await refusesWrongCode(ClientId, users[0]);
  jumps = 0;

  console.log(
    `incognito TOTP sign-in benchmark: ${o.postgres ? 'postgres' : 'sqlite'}, ${userCount} users with a verified software token (set up through the API in ${setUp} s), ` +
      `${o.connections} connections, ${o.seconds} s (at most ${maxSignIns} sign-ins), node ${process.version}; the server's clock moved 30 s whenever a user came round again within a step`,
  );
  const row = await loop(ClientId, users);
  console.log('| measure | value |');
  console.log('| --- | ---: |');
  console.log(`| TOTP sign-ins/s (both round trips) | ${row.rate.toFixed(1)} |`);
  console.log(`| sign-in p50 / p99 ms (both round trips) | ${row.both.p50} / ${row.both.p99} |`);
  console.log(`| InitiateAuth USER_PASSWORD_AUTH p50 / p99 ms | ${row.first.p50} / ${row.first.p99} |`);
  console.log(`| RespondToAuthChallenge SOFTWARE_TOKEN_MFA p50 / p99 ms | ${row.second.p50} / ${row.second.p99} |`);
  console.log(`| sign-ins completed / failed | ${row.done} / ${row.failed} |`);
  console.log(`| clock jumps of 30 s | ${row.jumps} |`);
  if (row.failure) console.log(`\nfirst failure: ${row.failure}`);
  if (row.failed || row.done === 0) process.exitCode = 1;
}

/** A start-up check that the server checks codes: one two steps ahead (beyond the drift) is refused. */
async function refusesWrongCode(ClientId, user) {
  const challenge = await must('InitiateAuth', { ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.name, PASSWORD } });
  const res = await fetch(b.server.url + '/', {
    method: 'POST',
    headers: b.headers('RespondToAuthChallenge'),
    body: JSON.stringify({
      ClientId,
      ChallengeName: 'SOFTWARE_TOKEN_MFA',
      Session: challenge.Session,
      ChallengeResponses: { USERNAME: user.name, SOFTWARE_TOKEN_MFA_CODE: codeAt(user.key, stepOf(clock()) + 2) },
    }),
  });
  const body = await res.json();
  if (res.status !== 400 || body.__type !== 'CodeMismatchException') throw new Error(`bench/totp.mjs startup check: a wrong code was not refused: ${res.status} ${JSON.stringify(body)}`);
}

/** --connections workers, each taking the next free user and signing in with its code, until --seconds or --max. */
async function loop(ClientId, users) {
  const total = [];
  const first = [];
  const second = [];
  let failed = 0;
  let failure;
  let next = 0;
  let started = 0;
  const busy = new Set();
  const post = async (op, body) => {
    const res = await fetch(b.server.url + '/', { method: 'POST', headers: b.headers(op), body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) throw new Error(`${op} answered ${res.status}: ${text}`);
    return JSON.parse(text);
  };
  const pick = () => {
    for (;;) {
      const user = users[next++ % users.length];
      if (!busy.has(user)) return user;
    }
  };
  const t0 = performance.now();
  const end = t0 + o.seconds * 1000;
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (performance.now() < end && started < maxSignIns && !isStopped()) {
        started++;
        const user = pick();
        busy.add(user);
        const t = performance.now();
        try {
          const challenge = await post('InitiateAuth', { ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: user.name, PASSWORD } });
          if (challenge.ChallengeName !== 'SOFTWARE_TOKEN_MFA') throw new Error(`InitiateAuth: no SOFTWARE_TOKEN_MFA challenge: ${JSON.stringify(challenge)}`);
          const t1 = performance.now();
          const result = await post('RespondToAuthChallenge', {
            ClientId,
            ChallengeName: 'SOFTWARE_TOKEN_MFA',
            Session: challenge.Session,
            ChallengeResponses: { USERNAME: user.name, SOFTWARE_TOKEN_MFA_CODE: freshCode(user) },
          });
          if (!result.AuthenticationResult?.AccessToken) throw new Error(`RespondToAuthChallenge: no tokens: ${JSON.stringify(result)}`);
          const t2 = performance.now();
          total.push(t2 - t);
          first.push(t1 - t);
          second.push(t2 - t1);
        } catch (e) {
          failed++;
          failure ??= String(e?.message ?? e);
        } finally {
          busy.delete(user);
        }
      }
    }),
  );
  const elapsed = (performance.now() - t0) / 1000;
  const q = (xs) => {
    xs.sort((x, y) => x - y);
    return { p50: quantile(xs, 0.5), p99: quantile(xs, 0.99) };
  };
  return { rate: total.length / elapsed, done: total.length, failed, failure, jumps, both: q(total), first: q(first), second: q(second) };
}
