// A light CLIENT side of Cognito's USER_SRP_AUTH (SRP-6a as amazon-cognito-identity-js speaks it), for the
// benchmarks: the same answers as that library, with the modular exponentiations done by OpenSSL
// (node:crypto Diffie-Hellman objects, the technique src/domain/srp.ts uses) instead of jsbn, so that a
// client running in the server's process costs a few milliseconds a sign-in rather than ~190.
//
//   N: the RFC 5054 3072-bit prime, g = 2 (kept at 2: another generator makes OpenSSL check N at length);
//   k = H(padHex(N) || padHex(g));  A = g^a mod N;  u = H(padHex(A) || padHex(B));
//   x = H(padHex(salt) || SHA256hex(poolName || USER_ID_FOR_SRP || ':' || password));
//   S = (B - k*g^x)^(a + u*x) mod N;  key = HKDF-SHA256(ikm = padHex(S), salt = padHex(u), "Caldera Derived Key")[0:16];
//   PASSWORD_CLAIM_SIGNATURE = base64 HMAC-SHA256(key, poolName || USER_ID_FOR_SRP || SECRET_BLOCK bytes || TIMESTAMP).
//
// `a` is 256 random bits (amazon-cognito-identity-js draws 1024). It is the client's own ephemeral secret,
// nothing on the wire shows its size, and 256 bits are plenty for it; the point here is speed (the exponent
// a + u*x of the second step is then ~257 bits rather than ~1024).
//
// Not for production use: it exists to drive the server in bench/auth.mjs.
import { createHash, randomBytes } from 'node:crypto';
import { srpArithmetic, srpTimestamp } from '../dist/src/domain/srp.js';

// The same group arithmetic as the server (OpenSSL modular exponentiation), so only the client's steps are here.
const { N, K, padHex, hexHash, gPow, modPow, toBigInt, sessionKey, claimSignature } = srpArithmetic;

/** One SRP sign-in, client side: `A` to send with InitiateAuth USER_SRP_AUTH, then respond() to the PASSWORD_VERIFIER challenge. */
export class FastSrpClient {
  #a;
  #A;

  /**
   * @param {string} poolId the user pool id (its part after '_' enters x and the signature)
   * @param {{ a?: string }} [opts] a: the secret exponent as hex, to reproduce another client's answers (tests); random 256 bits otherwise
   */
  constructor(poolId, opts = {}) {
    this.poolName = poolId.includes('_') ? poolId.split('_')[1] : poolId;
    let a = opts.a === undefined ? 0n : BigInt('0x' + opts.a);
    while (a === 0n) a = toBigInt(randomBytes(32));
    this.#a = a;
    this.#A = gPow(a); // never 0 mod N: g generates a subgroup of the multiplicative group
  }

  /** SRP_A, lower-case hex without leading zeros (as amazon-cognito-identity-js sends it). */
  get A() {
    return this.#A.toString(16);
  }

  /** The 16-byte HKDF key for the challenge (USER_ID_FOR_SRP, SRP_B, SALT) and password. */
  key({ USER_ID_FOR_SRP, SRP_B, SALT }, password) {
    const B = BigInt('0x' + SRP_B);
    if (B % N === 0n) throw new Error('SRP: B mod N is 0');
    const u = BigInt('0x' + hexHash(padHex(this.#A) + padHex(B)));
    if (u === 0n) throw new Error('SRP: u is 0');
    const inner = createHash('sha256').update(`${this.poolName}${USER_ID_FOR_SRP}:${password}`, 'utf8').digest('hex');
    const x = BigInt('0x' + hexHash(padHex(BigInt('0x' + SALT)) + inner));
    const gx = x === 0n ? 1n : gPow(x);
    const base = (((B - K * gx) % N) + N) % N;
    return sessionKey(u, modPow(base, this.#a + u * x));
  }

  /**
   * The ChallengeResponses for PASSWORD_VERIFIER (USERNAME, PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE,
   * TIMESTAMP), as CognitoUser.authenticateUserDefaultAuth builds them. timestamp: for tests; now otherwise.
   */
  respond(challengeParameters, password, timestamp = srpTimestamp(new Date())) {
    const { USER_ID_FOR_SRP, SECRET_BLOCK } = challengeParameters;
    const signature = claimSignature(this.key(challengeParameters, password), this.poolName, USER_ID_FOR_SRP, SECRET_BLOCK, timestamp).toString('base64');
    return { USERNAME: USER_ID_FOR_SRP, PASSWORD_CLAIM_SECRET_BLOCK: SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE: signature, TIMESTAMP: timestamp };
  }
}
