/**
 * The server side of USER_SRP_AUTH (src/domain/srp.ts) against the real client: amazon-cognito-identity-js's
 * AuthenticationHelper (and, end to end, CognitoUser.authenticateUser with a stubbed transport).
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import * as cognitoJs from 'amazon-cognito-identity-js';
import {
  fakeSalt,
  fakeVerifier,
  isValidA,
  makeVerifier,
  parseSrpTimestamp,
  poolNameOf,
  serverChallenge,
  srpTimestamp,
  verifyPasswordClaim,
} from '../src/domain/srp.js';

// --- The client library's internals. index.d.ts declares neither AuthenticationHelper nor DateHelper nor
// BigInteger, although lib/index.js exports the first two; BigInteger is only reachable by a deep path.
interface JsbnBigInteger {
  toString(radix: number): string;
}
interface ClientAuthenticationHelper {
  N: JsbnBigInteger;
  getLargeAValue(cb: (err: unknown, A: JsbnBigInteger) => void): void;
  getPasswordAuthenticationKey(
    username: string,
    password: string,
    serverBValue: JsbnBigInteger,
    salt: JsbnBigInteger,
    cb: (err: unknown, hkdf: Uint8Array) => void,
  ): void;
}
const lib = cognitoJs as unknown as {
  AuthenticationHelper: new (poolName: string) => ClientAuthenticationHelper;
  DateHelper: new () => { getNowString(): string };
};
const { AuthenticationHelper, DateHelper } = lib;
const require = createRequire(import.meta.url);
const BigInteger = (require('amazon-cognito-identity-js/lib/BigInteger.js') as {
  default: new (hex: string, radix: number) => JsbnBigInteger;
}).default;

const POOL = 'us-east-1_AbC123xyz';
const N_HEX = new AuthenticationHelper('x').N.toString(16);

/** What the client sends as SRP_A (CognitoUser.js: aValue.toString(16)). */
function clientA(helper: ClientAuthenticationHelper): string {
  let A: JsbnBigInteger | undefined;
  helper.getLargeAValue((err, value) => {
    assert.equal(err, null);
    A = value;
  });
  assert.ok(A, 'getLargeAValue answers synchronously');
  return A.toString(16);
}

/** The client's PASSWORD_CLAIM_SIGNATURE, computed as CognitoUser.js authenticateUserDefaultAuth does. */
function clientSignature(
  helper: ClientAuthenticationHelper,
  p: { poolId: string; userIdForSrp: string; password: string; salt: string; B: string; secretBlock: string; timestamp: string },
): string {
  let key: Uint8Array | undefined;
  helper.getPasswordAuthenticationKey(
    p.userIdForSrp,
    p.password,
    new BigInteger(p.B, 16),
    new BigInteger(p.salt, 16),
    (err, hkdf) => {
      assert.equal(err, null);
      key = hkdf;
    },
  );
  assert.ok(key, 'getPasswordAuthenticationKey answers synchronously');
  const message = Buffer.concat([
    Buffer.from(poolNameOf(p.poolId), 'utf8'),
    Buffer.from(p.userIdForSrp, 'utf8'),
    Buffer.from(p.secretBlock, 'base64'),
    Buffer.from(p.timestamp, 'utf8'),
  ]);
  return createHmac('sha256', Buffer.from(key)).update(message).digest('base64');
}

/** One whole exchange; returns what verifyPasswordClaim needs, with the client's signature. */
function exchange(opts: { username: string; password: string; clientPassword?: string; poolId?: string }) {
  const poolId = opts.poolId ?? POOL;
  const { salt, verifier } = makeVerifier(poolId, opts.username, opts.password);
  const helper = new AuthenticationHelper(poolNameOf(poolId));
  const A = clientA(helper);
  assert.ok(isValidA(A));
  const { b, B } = serverChallenge(verifier);
  const secretBlock = randomBytes(64).toString('base64');
  const timestamp = new DateHelper().getNowString();
  const signature = clientSignature(helper, {
    poolId,
    userIdForSrp: opts.username,
    password: opts.clientPassword ?? opts.password,
    salt,
    B,
    secretBlock,
    timestamp,
  });
  return { poolId, userIdForSrp: opts.username, verifier, salt, A, B, b, secretBlock, timestamp, signature };
}

/** Lower-case, even length, the top bit clear ('00' added as padHex does), no redundant leading zero byte. */
function assertPadHex(hex: string): void {
  assert.match(hex, /^[0-9a-f]+$/);
  assert.equal(hex.length % 2, 0, hex);
  assert.ok(!/^[89a-f]/.test(hex), `top bit clear: ${hex}`);
  assert.ok(!hex.startsWith('00') || /^00[89a-f]/.test(hex), `no redundant leading zero byte: ${hex}`);
}

function randomName(): string {
  return 'user-' + randomBytes(6).toString('hex');
}

/** Runs DateHelper.getNowString() with `new Date()` answering the given instant. */
function dateHelperAt(t: Date): string {
  const RealDate = globalThis.Date;
  class FixedDate extends RealDate {
    constructor(...args: unknown[]) {
      if (args.length === 0) super(t.getTime());
      else super(args[0] as number);
    }
  }
  globalThis.Date = FixedDate as DateConstructor;
  try {
    return new DateHelper().getNowString();
  } finally {
    globalThis.Date = RealDate;
  }
}

describe('SRP: interoperates with amazon-cognito-identity-js', () => {
  it('poolNameOf is the part after the underscore', () => {
    assert.equal(poolNameOf('us-east-1_AbC123'), 'AbC123');
    assert.equal(poolNameOf(POOL), 'AbC123xyz');
  });

  it('makeVerifier gives lower-case padHex salt and verifier', () => {
    for (let i = 0; i < 20; i++) {
      const { salt, verifier } = makeVerifier(POOL, randomName(), 'Passw0rd!');
      assertPadHex(salt);
      assertPadHex(verifier);
      assert.ok(salt.length <= 34);
    }
  });

  it('a correct password verifies, for random users and passwords', () => {
    for (let i = 0; i < 5; i++) {
      const username = i === 4 ? 'Jürgen-ünïcode-' + randomBytes(3).toString('hex') : randomName();
      const password = randomBytes(12).toString('base64') + (i === 3 ? 'é€😀' : '');
      const x = exchange({ username, password });
      assert.equal(verifyPasswordClaim(x), true, `user ${username}`);
    }
  });

  it('accepts A and B in upper case and with leading zeros', () => {
    const x = exchange({ username: randomName(), password: 'Secret-123' });
    assert.equal(verifyPasswordClaim({ ...x, A: x.A.toUpperCase(), B: x.B.toUpperCase() }), true);
    assert.equal(verifyPasswordClaim({ ...x, A: '0000' + x.A, B: '00' + x.B }), true);
  });

  it('a wrong password does not verify', () => {
    const x = exchange({ username: randomName(), password: 'Correct-Horse-1', clientPassword: 'Correct-Horse-2' });
    assert.equal(verifyPasswordClaim(x), false);
    const y = exchange({ username: randomName(), password: 'pw', clientPassword: 'PW' });
    assert.equal(verifyPasswordClaim(y), false);
  });

  it('a verifier made for another pool or username does not verify', () => {
    const username = randomName();
    const x = exchange({ username, password: 'pw-1234' });
    const otherPool = makeVerifier('us-east-1_Other', username, 'pw-1234');
    assert.equal(verifyPasswordClaim({ ...x, verifier: otherPool.verifier }), false);
    assert.equal(verifyPasswordClaim({ ...x, userIdForSrp: username + 'x' }), false);
    assert.equal(verifyPasswordClaim({ ...x, poolId: 'us-east-1_Other' }), false);
  });

  it('tampered or malformed claims are rejected without throwing', () => {
    const x = exchange({ username: randomName(), password: 'Tamper-Proof-1' });
    assert.equal(verifyPasswordClaim(x), true);

    const sig = Buffer.from(x.signature, 'base64');
    sig[5] = sig[5]! ^ 0x01;
    const N = BigInt('0x' + N_HEX);
    const cases: Record<string, Partial<typeof x>> = {
      'tampered signature': { signature: sig.toString('base64') },
      'truncated signature': { signature: x.signature.slice(0, 40) },
      'signature with a byte added': { signature: Buffer.concat([Buffer.from(x.signature, 'base64'), Buffer.from([0])]).toString('base64') },
      'signature not base64': { signature: '!!' + x.signature.slice(2) },
      'empty signature': { signature: '' },
      'other secret block': { secretBlock: randomBytes(64).toString('base64') },
      'empty secret block': { secretBlock: '' },
      'other timestamp': { timestamp: srpTimestamp(new Date(Date.now() + 1000)) },
      'timestamp, other year': { timestamp: x.timestamp.replace(/\d{4}$/, (y) => String(Number(y) + 1)) },
      'timestamp with a trailing space': { timestamp: x.timestamp + ' ' },
      'A = 0': { A: '0' },
      'A = 00': { A: '00' },
      'A = N': { A: N_HEX },
      'A = 2N': { A: (2n * N).toString(16) },
      'A = 1': { A: '1' },
      'A = N - 1': { A: (N - 1n).toString(16) },
      'A = N + 1': { A: (N + 1n).toString(16) },
      'A from another client': { A: clientA(new AuthenticationHelper(poolNameOf(POOL))) },
      'A not hex': { A: 'xyz' },
      'A empty': { A: '' },
      'A with 0x': { A: '0x' + x.A },
      'A with a space': { A: ' ' + x.A },
      'A absurdly long': { A: 'f'.repeat(100_000) },
      'A negative': { A: '-' + x.A },
      'B = 0': { B: '0' },
      'B other': { B: serverChallenge(x.verifier).B },
      'b other': { b: serverChallenge(x.verifier).b },
      'b = 0': { b: '0' },
      'verifier malformed': { verifier: 'not hex' },
      'verifier = 0': { verifier: '0' },
      'verifier = 1': { verifier: '1' },
      'verifier = N - 1': { verifier: (N - 1n).toString(16) },
    };
    for (const [name, change] of Object.entries(cases)) {
      let result: boolean | undefined;
      assert.doesNotThrow(() => {
        result = verifyPasswordClaim({ ...x, ...change });
      }, name);
      assert.equal(result, false, name);
    }
    // Wrong types from a sloppy caller.
    for (const key of ['A', 'B', 'b', 'verifier', 'signature', 'secretBlock', 'timestamp', 'poolId', 'userIdForSrp'] as const) {
      assert.equal(verifyPasswordClaim({ ...x, [key]: undefined as unknown as string }), false, `${key} undefined`);
    }
    assert.equal(verifyPasswordClaim(x), true, 'the original still verifies');
  });

  it('CognitoUser.authenticateUser (USER_SRP_AUTH) signs in against the server side, also via an alias', async () => {
    const poolId = 'eu-west-1_Zz9Yy8';
    const realUsername = '3f1c0a5e-' + randomBytes(4).toString('hex');
    const password = 'Hunter2-long-enough!';
    const stored = makeVerifier(poolId, realUsername, password);

    /** Signs in typing `typed` (a username or alias) with `pw`; resolves to 'ok' or the error message. */
    function signIn(typed: string, pw: string): Promise<string> {
      const pool = new cognitoJs.CognitoUserPool({ UserPoolId: poolId, ClientId: 'client123' });
      const user = new cognitoJs.CognitoUser({ Username: typed, Pool: pool });
      let state: { A: string; b: string; B: string; secretBlock: string } | undefined;
      type Reply = (err: unknown, data?: unknown) => void;
      (user as unknown as { client: unknown }).client = {
        request(op: string, params: { AuthParameters?: Record<string, string>; ChallengeResponses?: Record<string, string> }, cb: Reply) {
          if (op === 'InitiateAuth') {
            const A = params.AuthParameters!.SRP_A!;
            assert.equal(params.AuthParameters!.USERNAME, typed);
            assert.ok(isValidA(A));
            const { b, B } = serverChallenge(stored.verifier);
            state = { A, b, B, secretBlock: randomBytes(32).toString('base64') };
            cb(null, {
              ChallengeName: 'PASSWORD_VERIFIER',
              ChallengeParameters: {
                SALT: stored.salt,
                SRP_B: B,
                SECRET_BLOCK: state.secretBlock,
                USER_ID_FOR_SRP: realUsername,
                USERNAME: realUsername,
              },
            });
          } else if (op === 'RespondToAuthChallenge') {
            const r = params.ChallengeResponses!;
            assert.ok(state);
            assert.equal(r.PASSWORD_CLAIM_SECRET_BLOCK, state.secretBlock);
            assert.ok(parseSrpTimestamp(r.TIMESTAMP!), `timestamp ${r.TIMESTAMP}`);
            const ok = verifyPasswordClaim({
              poolId,
              userIdForSrp: realUsername,
              verifier: stored.verifier,
              A: state.A,
              B: state.B,
              b: state.b,
              secretBlock: r.PASSWORD_CLAIM_SECRET_BLOCK!,
              timestamp: r.TIMESTAMP!,
              signature: r.PASSWORD_CLAIM_SIGNATURE!,
            });
            if (ok) cb(null, { ChallengeName: 'CUSTOM_CHALLENGE', ChallengeParameters: { verified: 'yes' }, Session: 's' });
            else cb({ code: 'NotAuthorizedException', name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
          } else {
            cb(new Error(`unexpected ${op}`));
          }
        },
      };
      return new Promise((resolve) => {
        user.authenticateUser(new cognitoJs.AuthenticationDetails({ Username: typed, Password: pw }), {
          onSuccess: () => resolve('unexpected success'),
          onFailure: (err: { message?: string }) => resolve(err.message ?? String(err)),
          customChallenge: () => resolve('ok'),
        });
      });
    }

    assert.equal(await signIn(realUsername, password), 'ok');
    assert.equal(await signIn('someone@example.com', password), 'ok', 'alias: the client uses USER_ID_FOR_SRP');
    assert.equal(await signIn(realUsername, password + '!'), 'Incorrect username or password.');
  });

  it('reports the time of one server login', (t) => {
    // Client values prepared outside the timed loop (the client's own jsbn arithmetic is slow).
    const rounds = 40;
    const prepared = [];
    for (let i = 0; i < 4; i++) prepared.push(exchange({ username: randomName(), password: 'Timing-1' }));
    // Warm up.
    for (const x of prepared) assert.equal(verifyPasswordClaim(x), true);
    let start = performance.now();
    for (let i = 0; i < rounds; i++) serverChallenge(prepared[i % prepared.length]!.verifier);
    const challengeMs = (performance.now() - start) / rounds;
    start = performance.now();
    for (let i = 0; i < rounds; i++) assert.equal(verifyPasswordClaim(prepared[i % prepared.length]!), true);
    const verifyMs = (performance.now() - start) / rounds;
    start = performance.now();
    for (let i = 0; i < rounds; i++) makeVerifier(POOL, 'u', 'p');
    const makeMs = (performance.now() - start) / rounds;
    t.diagnostic(
      `serverChallenge ${challengeMs.toFixed(2)} ms + verifyPasswordClaim ${verifyMs.toFixed(2)} ms = ` +
        `${(challengeMs + verifyMs).toFixed(2)} ms per login; makeVerifier ${makeMs.toFixed(2)} ms`,
    );
  });
});

describe('SRP: TIMESTAMP', () => {
  const dates = [
    new Date(Date.UTC(2024, 2, 5, 9, 3, 4)), // Tue Mar 5 09:03:04 UTC 2024
    new Date(Date.UTC(2023, 0, 1, 0, 0, 0)),
    new Date(Date.UTC(2024, 1, 29, 23, 59, 59)),
    new Date(Date.UTC(2025, 11, 31, 12, 30, 7)),
    new Date(Date.UTC(2026, 6, 9, 1, 2, 3)),
    new Date(Date.UTC(2030, 9, 10, 10, 10, 10)),
  ];

  it("matches DateHelper.getNowString's format", () => {
    assert.equal(srpTimestamp(dates[0]!), 'Tue Mar 5 09:03:04 UTC 2024');
    for (const d of dates) assert.equal(srpTimestamp(d), dateHelperAt(d), d.toISOString());
    assert.equal(srpTimestamp(new Date()).length > 0, true);
  });

  it('parseSrpTimestamp round-trips', () => {
    for (const d of dates) {
      assert.equal(parseSrpTimestamp(srpTimestamp(d))?.getTime(), d.getTime(), d.toISOString());
      assert.equal(parseSrpTimestamp(dateHelperAt(d))?.getTime(), d.getTime());
    }
    const now = new DateHelper().getNowString();
    const parsed = parseSrpTimestamp(now);
    assert.ok(parsed);
    assert.ok(Math.abs(parsed.getTime() - Date.now()) < 5000);
  });

  it('parseSrpTimestamp rejects malformed timestamps', () => {
    for (const bad of [
      'Tue Mar 05 09:03:04 UTC 2024', // zero-padded day
      'Wed Mar 5 09:03:04 UTC 2024', // wrong weekday
      'Tue Mrz 5 09:03:04 UTC 2024', // bad month
      'Tue Mar 5 9:03:04 UTC 2024', // hour not padded
      'Tue Mar 5 09:3:04 UTC 2024',
      'Tue Mar 5 24:03:04 UTC 2024',
      'Tue Mar 5 09:60:04 UTC 2024',
      'Tue Mar 5 09:03:60 UTC 2024',
      'Tue Mar 5 09:03:04 GMT 2024',
      'Tue Mar 5 09:03:04 2024',
      'Tue Mar 5 09:03:04 UTC 24',
      'Thu Feb 30 09:03:04 UTC 2024', // no such date
      'tue mar 5 09:03:04 utc 2024',
      'Tue  Mar 5 09:03:04 UTC 2024',
      ' Tue Mar 5 09:03:04 UTC 2024',
      'Tue Mar 5 09:03:04 UTC 2024\n',
      'Tue Mar 0 09:03:04 UTC 2024',
      'Tue Mar 32 09:03:04 UTC 2024',
      '',
    ]) {
      assert.equal(parseSrpTimestamp(bad), undefined, JSON.stringify(bad));
    }
  });
});

describe('SRP: fake salt and verifier (PreventUserExistenceErrors)', () => {
  const key = randomBytes(32);

  it('are stable for the same inputs and differ for others', () => {
    assert.equal(fakeSalt(key, POOL, 'nobody'), fakeSalt(key, POOL, 'nobody'));
    assert.equal(fakeVerifier(key, POOL, 'nobody'), fakeVerifier(key, POOL, 'nobody'));
    const salts = new Set([
      fakeSalt(key, POOL, 'nobody'),
      fakeSalt(key, POOL, 'nobody2'),
      fakeSalt(key, 'us-east-1_Other', 'nobody'),
      fakeSalt(randomBytes(32), POOL, 'nobody'),
    ]);
    assert.equal(salts.size, 4);
    const verifiers = new Set([
      fakeVerifier(key, POOL, 'nobody'),
      fakeVerifier(key, POOL, 'nobody2'),
      fakeVerifier(key, 'us-east-1_Other', 'nobody'),
      fakeVerifier(randomBytes(32), POOL, 'nobody'),
    ]);
    assert.equal(verifiers.size, 4);
    // No ambiguity between pool and username.
    assert.notEqual(fakeSalt(key, 'a_b', 'c'), fakeSalt(key, 'a_', 'bc'));
  });

  it('look like real ones and lead to a challenge the client accepts but cannot pass', () => {
    const salt = fakeSalt(key, POOL, 'ghost');
    const verifier = fakeVerifier(key, POOL, 'ghost');
    const real = makeVerifier(POOL, 'ghost', 'pw');
    assertPadHex(salt);
    assertPadHex(real.salt);
    assert.ok(salt.length <= 34 && salt.length >= 26);
    assertPadHex(verifier);

    const helper = new AuthenticationHelper(poolNameOf(POOL));
    const A = clientA(helper);
    const { b, B } = serverChallenge(verifier);
    const secretBlock = randomBytes(32).toString('base64');
    const timestamp = srpTimestamp(new Date());
    const signature = clientSignature(helper, { poolId: POOL, userIdForSrp: 'ghost', password: 'pw', salt, B, secretBlock, timestamp });
    assert.equal(
      verifyPasswordClaim({ poolId: POOL, userIdForSrp: 'ghost', verifier, A, B, b, secretBlock, timestamp, signature }),
      false,
    );
  });
});

describe('SRP: isValidA', () => {
  const N = BigInt('0x' + N_HEX);
  it('accepts the values clients send', () => {
    for (let i = 0; i < 3; i++) {
      const A = clientA(new AuthenticationHelper('pool'));
      assert.equal(isValidA(A), true);
      assert.equal(isValidA(A.toUpperCase()), true);
      assert.equal(isValidA('00' + A), true);
    }
    assert.equal(isValidA('1'), true);
    assert.equal(isValidA('02'), true);
    assert.equal(isValidA((N - 1n).toString(16)), true);
    assert.equal(isValidA((N + 1n).toString(16)), true);
  });

  it('rejects A mod N == 0 and malformed hex', () => {
    for (const bad of ['0', '00', '000000', N_HEX, N_HEX.toLowerCase(), '00' + N_HEX, (2n * N).toString(16), (5n * N).toString(16),
      '', 'g', 'xyz', '0x1234', '12 34', ' 1234', '1234\n', '-1234', '+1234', '12.5', 'f'.repeat(5000)]) {
      assert.equal(isValidA(bad), false, JSON.stringify(bad.slice(0, 40)));
    }
    assert.equal(isValidA(undefined as unknown as string), false);
    assert.equal(isValidA(42 as unknown as string), false);
  });
});
