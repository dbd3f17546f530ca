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
import { createDiffieHellman, createHash, createHmac, randomBytes } from 'node:crypto';
import { srpTimestamp } from '../dist/src/domain/srp.js';

const N_HEX =
  'FFFFFFFFFFFFFFFFC90FDAA22168C234C4C6628B80DC1CD1' +
  '29024E088A67CC74020BBEA63B139B22514A08798E3404DD' +
  'EF9519B3CD3A431B302B0A6DF25F14374FE1356D6D51C245' +
  'E485B576625E7EC6F44C42E9A637ED6B0BFF5CB6F406B7ED' +
  'EE386BFB5A899FA5AE9F24117C4B1FE649286651ECE45B3D' +
  'C2007CB8A163BF0598DA48361C55D39A69163FA8FD24CF5F' +
  '83655D23DCA3AD961C62F356208552BB9ED529077096966D' +
  '670C354E4ABC9804F1746C08CA18217C32905E462E36CE3B' +
  'E39E772C180E86039B2783A2EC07A28FB5C55DF06F4C52C9' +
  'DE2BCBF6955817183995497CEA956AE515D2261898FA0510' +
  '15728E5A8AAAC42DAD33170D04507A33A85521ABDF1CBA64' +
  'ECFB850458DBEF0A8AEA71575D060C7DB3970F85A6E1E4C7' +
  'ABF5AE8CDB0933D71E8C94E04A25619DCEE3D2261AD2EE6B' +
  'F12FFA06D98A0864D87602733EC86A64521F2B18177B200C' +
  'BBE117577A615D6C770988C0BAD946E208E24FA074E5AB31' +
  '43DB5BFCE0FD108E4B82D120A93AD2CAFFFFFFFFFFFFFFFF';
const N = BigInt('0x' + N_HEX);
const N_BYTES = Buffer.from(N_HEX, 'hex');
const N_LEN = N_BYTES.length; // 384
const G = 2n;
const G_BYTES = Buffer.from([2]);

/** Even-length lower-case hex of a non-negative integer, '00' prefixed when the top nibble is >= 8 (as the server and the SDK pad). */
function padHex(n) {
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = '0' + hex;
  if (/^[89a-f]/.test(hex)) hex = '00' + hex;
  return hex;
}

/** SHA-256 of the bytes an even-length hex string denotes, as lower-case hex. */
function hexHash(hex) {
  return createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
}

/** Big-endian bytes of a positive integer, without leading zeros. */
function toBytes(n) {
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

function toBigInt(buf) {
  return buf.length === 0 ? 0n : BigInt('0x' + buf.toString('hex'));
}

/** g^exp mod N (OpenSSL), exp > 0. */
function gPow(exp) {
  const dh = createDiffieHellman(N_BYTES, G_BYTES);
  dh.setPrivateKey(toBytes(exp));
  return toBigInt(dh.generateKeys());
}

/** base^exp mod N (OpenSSL), exp > 0, 0 <= base < N. OpenSSL refuses "public keys" 0, 1 and N-1: done here. */
function modPow(base, exp) {
  if (base === 0n || base === 1n) return base;
  if (base === N - 1n) return exp % 2n === 0n ? 1n : N - 1n;
  const dh = createDiffieHellman(N_BYTES, G_BYTES);
  dh.setPrivateKey(toBytes(exp));
  return toBigInt(dh.computeSecret(Buffer.from(base.toString(16).padStart(N_LEN * 2, '0'), 'hex')));
}

const K = BigInt('0x' + hexHash(padHex(N) + padHex(G)));
const INFO = Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]);

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
    const S = modPow(base, this.#a + u * x);
    const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex')).update(Buffer.from(padHex(S), 'hex')).digest();
    return createHmac('sha256', prk).update(INFO).digest().subarray(0, 16);
  }

  /**
   * The ChallengeResponses for PASSWORD_VERIFIER (USERNAME, PASSWORD_CLAIM_SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE,
   * TIMESTAMP), as CognitoUser.authenticateUserDefaultAuth builds them. timestamp: for tests; now otherwise.
   */
  respond(challengeParameters, password, timestamp = srpTimestamp(new Date())) {
    const { USER_ID_FOR_SRP, SECRET_BLOCK } = challengeParameters;
    const signature = createHmac('sha256', this.key(challengeParameters, password))
      .update(Buffer.from(this.poolName, 'utf8'))
      .update(Buffer.from(USER_ID_FOR_SRP, 'utf8'))
      .update(Buffer.from(SECRET_BLOCK, 'base64'))
      .update(Buffer.from(timestamp, 'utf8'))
      .digest('base64');
    return { USERNAME: USER_ID_FOR_SRP, PASSWORD_CLAIM_SECRET_BLOCK: SECRET_BLOCK, PASSWORD_CLAIM_SIGNATURE: signature, TIMESTAMP: timestamp };
  }
}
