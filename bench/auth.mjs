#!/usr/bin/env node
// Benchmark of sign-in and token use: a server started for the purpose, one pool and one app client
// (USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH; no secret), confirmed users created through
// the API (AdminCreateUser + AdminSetUserPassword: two argon2id hashes each), then
//   1. InitiateAuth USER_PASSWORD_AUTH (one argon2id verify + two RS256 signatures a request), rotating users;
//   2. SRP sign-in, both round trips (InitiateAuth USER_SRP_AUTH, RespondToAuthChallenge PASSWORD_VERIFIER),
//      driven by a loop of --connections workers with fetch and amazon-cognito-identity-js's client math;
//   3. InitiateAuth REFRESH_TOKEN_AUTH, rotating over refresh tokens obtained beforehand;
//   4. GetUser, rotating over access tokens obtained beforehand.
// The SRP client math (jsbn modPow: a 1024-bit exponent modulo the 3072-bit N, twice a sign-in) runs in
// this process, on the thread that also runs the server, so it counts against that row's figure.
//   npm run build && node bench/auth.mjs [--postgres] [--seconds 5] [--connections 32] [--users 200] [--tokens 50]
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { AuthenticationHelper, DateHelper } from 'amazon-cognito-identity-js';
import { makeVerifier, serverChallenge, verifyPasswordClaim } from '../dist/src/domain/srp.js';
import { benchServer, measureCase, options, printRow, printTableHeader, quantile } from './lib.mjs';

const BigInteger = createRequire(import.meta.url)('amazon-cognito-identity-js/lib/BigInteger.js').default;

const o = options({ users: ['--users', '200'], tokens: ['--tokens', '50'] });
const userCount = Number(o.users);
const tokenCount = Math.min(Number(o.tokens), userCount);
const PASSWORD = 'Bench-Password-1';

const b = await benchServer(o);
// Whatever happens below, the server is stopped and its data removed; a hung run is cut off.
let stopped = false;
const stop = async () => {
  if (stopped) return;
  stopped = true;
  await b.stop();
};
const deadline = setTimeout(
  () => {
    console.error('bench/auth.mjs: took too long, giving up');
    stop().finally(() => process.exit(2));
  },
  (120 + 6 * (o.seconds + 5)) * 1000 + userCount * 500,
);
deadline.unref();
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => stop().finally(() => process.exit(130)));

try {
  await main();
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await stop();
  clearTimeout(deadline);
}

/** A call that must succeed: the parsed body, or a thrown error naming the operation and the answer. */
async function must(op, body) {
  const res = await fetch(b.server.url + '/', { method: 'POST', headers: b.headers(op), body: JSON.stringify(body) });
  const text = await res.text();
  if (!res.ok) throw new Error(`${op} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

/** Runs fn over items, `width` at a time. */
async function parallel(items, width, fn) {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(width, items.length) }, async () => {
    while (next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  }));
}

async function main() {
  const { UserPool } = await must('CreateUserPool', { PoolName: 'bench' });
  const poolName = UserPool.Id.split('_')[1];
  const { UserPoolClient } = await must('CreateUserPoolClient', {
    UserPoolId: UserPool.Id,
    ClientName: 'bench',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  const ClientId = UserPoolClient.ClientId;

  const usernames = Array.from({ length: userCount }, (_, i) => `user${i}`);
  const t0 = performance.now();
  await parallel(usernames, 8, async (Username) => {
    await must('AdminCreateUser', { UserPoolId: UserPool.Id, Username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${Username}@example.com` }] });
    await must('AdminSetUserPassword', { UserPoolId: UserPool.Id, Username, Password: PASSWORD, Permanent: true });
  });
  const created = ((performance.now() - t0) / 1000).toFixed(1);

  // Refresh and access tokens, one sign-in each for the first --tokens users.
  const refreshTokens = [];
  const accessTokens = [];
  await parallel(usernames.slice(0, tokenCount), 8, async (USERNAME) => {
    const r = await must('InitiateAuth', { ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD } });
    refreshTokens.push(r.AuthenticationResult.RefreshToken);
    accessTokens.push(r.AuthenticationResult.AccessToken);
  });

  const math = measureSrpMath(UserPool.Id);

  console.log(
    `incognito auth benchmark: ${o.postgres ? 'postgres' : 'sqlite'}, ${userCount} users (created through the API in ${created} s), ` +
      `${tokenCount} refresh/access tokens, ${o.connections} connections, ${o.seconds}s each, node ${process.version}`,
  );
  console.log(
    `SRP row: ${o.connections} fetch workers doing both round trips, with the client math (amazon-cognito-identity-js, jsbn: ` +
      `~${math.client.toFixed(0)} ms CPU a sign-in, against ~${math.server.toFixed(1)} ms for the server's SRP math) ` +
      `in this process, on the server's thread: it counts against that row, and bounds it`,
  );

  let n = 0;
  const rows = [];
  const add = (row) => {
    if (stopped) return; // interrupted: what was measured after the server went away means nothing
    rows.push(row);
    printRow(row);
  };
  printTableHeader();
  add(
    await measureCase(
      b,
      ['InitiateAuth USER_PASSWORD_AUTH (argon2id verify + 2 RS256)', () => ({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: usernames[n++ % userCount], PASSWORD } }), 'InitiateAuth'],
      o,
    ),
  );
  add(await srpLoop({ ClientId, poolName, usernames }));
  add(
    await measureCase(
      b,
      ['InitiateAuth REFRESH_TOKEN_AUTH (2 RS256)', () => ({ ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshTokens[n++ % refreshTokens.length] } }), 'InitiateAuth'],
      o,
    ),
  );
  add(await measureCase(b, ['GetUser (access token)', () => ({ AccessToken: accessTokens[n++ % accessTokens.length] }), 'GetUser'], o));
  for (const row of rows) if (row.errors) console.log(`\n${row.label}: ${row.errors} errors (connection, timeout or unexpected answer)`);
  for (const row of rows) if (row.failure) console.log(`\nfirst failure, ${row.label}: ${row.failure.status} ${row.failure.body}`);
  if (rows.some((row) => row.failure || row.errors)) process.exitCode = 1;
}

/** SRP_A for a new sign-in, and the helper that holds its secret `a`. */
function clientStart(poolName) {
  const helper = new AuthenticationHelper(poolName);
  let A;
  helper.getLargeAValue((err, value) => {
    if (err) throw err;
    A = value;
  });
  return { helper, A: A.toString(16) };
}

/** The ChallengeResponses for PASSWORD_VERIFIER, as CognitoUser.authenticateUserDefaultAuth computes them. */
function clientAnswer(helper, poolName, challenge, password) {
  const { USER_ID_FOR_SRP, SRP_B, SALT, SECRET_BLOCK } = challenge;
  let key;
  helper.getPasswordAuthenticationKey(USER_ID_FOR_SRP, password, new BigInteger(SRP_B, 16), new BigInteger(SALT, 16), (err, hkdf) => {
    if (err) throw err;
    key = hkdf;
  });
  const TIMESTAMP = new DateHelper().getNowString();
  const message = Buffer.concat([Buffer.from(poolName, 'utf8'), Buffer.from(USER_ID_FOR_SRP, 'utf8'), Buffer.from(SECRET_BLOCK, 'base64'), Buffer.from(TIMESTAMP, 'utf8')]);
  return {
    USERNAME: USER_ID_FOR_SRP,
    PASSWORD_CLAIM_SECRET_BLOCK: SECRET_BLOCK,
    PASSWORD_CLAIM_SIGNATURE: createHmac('sha256', Buffer.from(key)).update(message).digest('base64'),
    TIMESTAMP,
  };
}

/**
 * Milliseconds of CPU one SRP sign-in costs the client (both halves of its math) and the server (its
 * modPows in src/domain/srp.ts), timed alone after a warm-up, against a verifier made here.
 */
function measureSrpMath(poolId) {
  const poolName = poolId.split('_')[1];
  const { salt, verifier } = makeVerifier(poolId, 'user0', PASSWORD);
  let client = 0;
  let server = 0;
  const rounds = 5;
  for (let i = 0; i < rounds + 2; i++) {
    let t = performance.now();
    const { helper, A } = clientStart(poolName);
    const c1 = performance.now() - t;
    t = performance.now();
    const { b: sb, B } = serverChallenge(verifier);
    const s1 = performance.now() - t;
    const SECRET_BLOCK = Buffer.alloc(64, i).toString('base64');
    t = performance.now();
    const r = clientAnswer(helper, poolName, { USER_ID_FOR_SRP: 'user0', SRP_B: B, SALT: salt, SECRET_BLOCK }, PASSWORD);
    const c2 = performance.now() - t;
    t = performance.now();
    const ok = verifyPasswordClaim({ poolId, userIdForSrp: 'user0', verifier, A, B, b: sb, secretBlock: SECRET_BLOCK, timestamp: r.TIMESTAMP, signature: r.PASSWORD_CLAIM_SIGNATURE });
    const s2 = performance.now() - t;
    if (!ok) throw new Error('the SRP client math here does not agree with src/domain/srp.ts');
    if (i >= 2) {
      client += c1 + c2;
      server += s1 + s2;
    }
  }
  return { client: client / rounds, server: server / rounds };
}

/** --connections workers, each signing in with SRP (both round trips) again and again for --seconds. */
async function srpLoop({ ClientId, poolName, usernames }) {
  const label = 'SRP sign-in, both round trips (incl. client math)';
  const latencies = [];
  let non2xx = 0;
  let errors = 0;
  let failure;
  let n = 0;
  const post = async (op, body) => {
    const res = await fetch(b.server.url + '/', { method: 'POST', headers: b.headers(op), body: JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
    const text = await res.text();
    if (!res.ok) {
      non2xx++;
      failure ??= { status: res.status, body: `${op}: ${text}` };
      return undefined;
    }
    return JSON.parse(text);
  };
  const started = performance.now();
  const end = started + o.seconds * 1000;
  await Promise.all(
    Array.from({ length: o.connections }, async () => {
      while (performance.now() < end && !stopped) {
        const USERNAME = usernames[n++ % usernames.length];
        const t = performance.now();
        try {
          const { helper, A } = clientStart(poolName);
          const challenge = await post('InitiateAuth', { ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME, SRP_A: A } });
          if (!challenge) continue;
          if (challenge.ChallengeName !== 'PASSWORD_VERIFIER') {
            failure ??= { status: 200, body: `InitiateAuth USER_SRP_AUTH: no PASSWORD_VERIFIER challenge: ${JSON.stringify(challenge)}` };
            errors++;
            continue;
          }
          const ChallengeResponses = clientAnswer(helper, poolName, challenge.ChallengeParameters, PASSWORD);
          const result = await post('RespondToAuthChallenge', { ClientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses });
          if (!result) continue;
          if (!result.AuthenticationResult?.AccessToken) {
            failure ??= { status: 200, body: `RespondToAuthChallenge: no tokens: ${JSON.stringify(result)}` };
            errors++;
            continue;
          }
          latencies.push(performance.now() - t);
        } catch (e) {
          errors++;
          failure ??= { status: 0, body: String(e?.stack ?? e) };
        }
      }
    }),
  );
  const elapsed = (performance.now() - started) / 1000;
  latencies.sort((x, y) => x - y);
  return { label, rps: latencies.length / elapsed, p50: quantile(latencies, 0.5), p99: quantile(latencies, 0.99), non2xx, errors, failure };
}
