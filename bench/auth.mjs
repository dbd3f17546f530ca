#!/usr/bin/env node
// Benchmark of sign-in and token use: a server started for the purpose, one pool and one app client
// (USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH; no secret), confirmed users created through
// the API (AdminCreateUser + AdminSetUserPassword: two argon2id hashes each), then
//   1. InitiateAuth USER_PASSWORD_AUTH (one argon2id verify + two RS256 signatures a request), rotating users;
//   2. SRP sign-in, both round trips (InitiateAuth USER_SRP_AUTH, RespondToAuthChallenge PASSWORD_VERIFIER),
//      driven by a loop of --connections workers with fetch and the light client of bench/srp-client.mjs;
//   3. InitiateAuth REFRESH_TOKEN_AUTH, rotating over refresh tokens obtained beforehand;
//   4. GetUser, rotating over access tokens obtained beforehand.
// The SRP client math runs in this process, on the thread that also runs the server, so it counts against
// that row's figure. It is bench/srp-client.mjs's FastSrpClient (OpenSSL modular exponentiation, a 256-bit
// secret a: a few ms CPU a sign-in, measured and printed at startup), not amazon-cognito-identity-js's jsbn
// math (~190 ms a sign-in, which made the row measure the client). Before measuring, a startup check makes
// sure both clients agree with the server's src/domain/srp.ts (makeVerifier, serverChallenge,
// verifyPasswordClaim): amazon-cognito-identity-js and FastSrpClient given the same secret a produce the same
// A and the same signature, and every answer of either verifies.
//   npm run build && node bench/auth.mjs [--postgres] [--seconds 5] [--connections 32] [--users 200] [--tokens 50]
import { createHmac } from 'node:crypto';
import { createRequire } from 'node:module';
import { AuthenticationHelper, DateHelper } from 'amazon-cognito-identity-js';
import { makeVerifier, serverChallenge, verifyPasswordClaim } from '../dist/src/domain/srp.js';
import { FastSrpClient } from './srp-client.mjs';
import { benchServer, measureCase, options, parallel, printRow, printTableHeader, quantile, guarded, isStopped, mustCall } from './lib.mjs';

const BigInteger = createRequire(import.meta.url)('amazon-cognito-identity-js/lib/BigInteger.js').default;

const o = options({ users: ['--users', '200'], tokens: ['--tokens', '50'] });
const userCount = Number(o.users);
const tokenCount = Math.min(Number(o.tokens), userCount);
const PASSWORD = 'Bench-Password-1';

const b = await benchServer(o);
const must = mustCall(b);
await guarded(b, 'bench/auth.mjs', (120 + 6 * (o.seconds + 5)) * 1000 + userCount * 500, main);

async function main() {
  const { UserPool } = await must('CreateUserPool', { PoolName: 'bench' });
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
    `SRP row: the server, driven by ${o.connections} fetch workers doing both round trips with a light client in this process ` +
      `(bench/srp-client.mjs, OpenSSL math: ~${math.fast.toFixed(1)} ms CPU a sign-in on the server's thread, counted in the row; ` +
      `the server's own SRP math ~${math.server.toFixed(1)} ms; amazon-cognito-identity-js's jsbn math would be ~${math.jsbn.toFixed(0)} ms)`,
  );

  let n = 0;
  const rows = [];
  const add = (row) => {
    if (isStopped()) return; // interrupted: what was measured after the server went away means nothing
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
  add(await srpLoop({ ClientId, poolId: UserPool.Id, usernames }));
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
 * Checks that the clients agree with the server (src/domain/srp.ts), and measures the milliseconds of CPU one
 * SRP sign-in costs FastSrpClient, amazon-cognito-identity-js (both halves of their math) and the server (its
 * modPows), each timed alone after a warm-up, against a verifier made here. Throws when they disagree:
 *  - amazon-cognito-identity-js and a FastSrpClient given the same secret a: the same A, the same signature;
 *  - every answer of either client (FastSrpClient with its own random a too) verifies with verifyPasswordClaim;
 *  - a wrong password does not.
 */
function measureSrpMath(poolId) {
  const poolName = poolId.split('_')[1];
  const { salt, verifier } = makeVerifier(poolId, 'user0', PASSWORD);
  const challenge = (i) => {
    const { b: sb, B } = serverChallenge(verifier);
    return { sb, params: { USER_ID_FOR_SRP: 'user0', SRP_B: B, SALT: salt, SECRET_BLOCK: Buffer.alloc(64, i).toString('base64') } };
  };
  const verify = (A, sb, params, r) =>
    verifyPasswordClaim({ poolId, userIdForSrp: 'user0', verifier, A, B: params.SRP_B, b: sb, secretBlock: params.SECRET_BLOCK, timestamp: r.TIMESTAMP, signature: r.PASSWORD_CLAIM_SIGNATURE });
  const disagree = (what) => new Error(`bench/auth.mjs startup check: ${what} (the SRP clients here do not agree with src/domain/srp.ts)`);

  // amazon-cognito-identity-js, and FastSrpClient with the same a: same A, same signature, both accepted.
  let jsbn = 0;
  const jsbnRounds = 3;
  for (let i = 0; i < jsbnRounds + 1; i++) {
    let t = performance.now();
    const { helper, A } = clientStart(poolName);
    const c1 = performance.now() - t;
    const { sb, params } = challenge(i);
    t = performance.now();
    const r = clientAnswer(helper, poolName, params, PASSWORD);
    const c2 = performance.now() - t;
    if (!verify(A, sb, params, r)) throw disagree('amazon-cognito-identity-js\'s answer is refused');
    if (i >= 1) jsbn += c1 + c2;
    const twin = new FastSrpClient(poolId, { a: helper.smallAValue.toString(16) });
    if (twin.A !== A) throw disagree('FastSrpClient computes another A than amazon-cognito-identity-js for the same a');
    const r2 = twin.respond(params, PASSWORD, r.TIMESTAMP);
    if (r2.PASSWORD_CLAIM_SIGNATURE !== r.PASSWORD_CLAIM_SIGNATURE) throw disagree('FastSrpClient signs otherwise than amazon-cognito-identity-js for the same a');
    if (!verify(A, sb, params, r2)) throw disagree('FastSrpClient\'s answer (a shared with amazon-cognito-identity-js) is refused');
  }

  // FastSrpClient with its own 256-bit a, and the server.
  let fast = 0;
  let server = 0;
  const rounds = 20;
  for (let i = 0; i < rounds + 3; i++) {
    let t = performance.now();
    const client = new FastSrpClient(poolId);
    const A = client.A;
    const c1 = performance.now() - t;
    t = performance.now();
    const { sb, params } = challenge(i);
    const s1 = performance.now() - t;
    t = performance.now();
    const r = client.respond(params, PASSWORD);
    const c2 = performance.now() - t;
    t = performance.now();
    const ok = verify(A, sb, params, r);
    const s2 = performance.now() - t;
    if (!ok) throw disagree('FastSrpClient\'s answer is refused');
    if (i >= 3) {
      fast += c1 + c2;
      server += s1 + s2;
    }
  }
  {
    const client = new FastSrpClient(poolId);
    const { sb, params } = challenge(0);
    if (verify(client.A, sb, params, client.respond(params, PASSWORD + 'x'))) throw disagree('a wrong password is accepted');
  }
  return { fast: fast / rounds, jsbn: jsbn / jsbnRounds, server: server / rounds };
}

/** --connections workers, each signing in with SRP (both round trips) again and again for --seconds. */
async function srpLoop({ ClientId, poolId, usernames }) {
  const label = 'SRP sign-in, both round trips (incl. light client math)';
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
      while (performance.now() < end && !isStopped()) {
        const USERNAME = usernames[n++ % usernames.length];
        const t = performance.now();
        try {
          const client = new FastSrpClient(poolId);
          const challenge = await post('InitiateAuth', { ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME, SRP_A: client.A } });
          if (!challenge) continue;
          if (challenge.ChallengeName !== 'PASSWORD_VERIFIER') {
            failure ??= { status: 200, body: `InitiateAuth USER_SRP_AUTH: no PASSWORD_VERIFIER challenge: ${JSON.stringify(challenge)}` };
            errors++;
            continue;
          }
          const ChallengeResponses = client.respond(challenge.ChallengeParameters, PASSWORD);
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
