/**
 * The server side of Cognito's USER_SRP_AUTH: SRP-6a exactly as amazon-cognito-identity-js
 * (AuthenticationHelper.js, CognitoUser.js authenticateUserDefaultAuth, DateHelper.js) and the other
 * Cognito SDKs speak it.
 *
 * - N is the RFC 5054 / RFC 3526 3072-bit prime, g = 2, every hash SHA-256.
 * - padHex(x) is the even-length hex of x's two's-complement encoding (Java BigInteger.toByteArray):
 *   a '00' is prefixed when the top nibble is >= 8. H(hex) hashes the bytes the hex string denotes.
 * - k = H(padHex(N) || padHex(g)).
 * - x = H(padHex(salt) || SHA256hex(poolName || username || ':' || password)); v = g^x mod N.
 * - B = (k*v + g^b) mod N; u = H(padHex(A) || padHex(B)); S = (A * v^u)^b mod N.
 * - key = HKDF-SHA256(ikm = padHex(S) bytes, salt = padHex(u) bytes, info = "Caldera Derived Key"), 16 bytes.
 * - PASSWORD_CLAIM_SIGNATURE = Base64(HMAC-SHA256(key, poolName || USER_ID_FOR_SRP || SECRET_BLOCK bytes || TIMESTAMP)).
 *
 * Modular exponentiation with 3072-bit numbers goes through OpenSSL (node:crypto's Diffie-Hellman objects):
 * `generateKeys()` with a set private key gives g^exp mod N, `computeSecret(base)` gives base^exp mod N.
 * BigInt is used only for the cheap parts (multiplication, addition, reduction).
 */
import { createDiffieHellman, createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';

/** Salt and verifier, both lower-case hex (salt: 16 random bytes, padded as padHex does). */
export interface SrpVerifier { salt: string; verifier: string }

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

/**
 * Longest hex number accepted from a client (SRP_A). A legitimate A is < N (768 hex digits); the slack allows
 * leading zeros while bounding the work an attacker can cause.
 */
const MAX_CLIENT_HEX = 2048;

const HEX_RE = /^[0-9a-fA-F]+$/;

/** Even-length lower-case hex of a non-negative integer's two's-complement encoding (Java toByteArray). */
function padHex(n: bigint): string {
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = '0' + hex;
  if (/^[89a-f]/.test(hex)) hex = '00' + hex;
  return hex;
}

/** SHA-256 of the bytes a (even-length) hex string denotes, as lower-case hex. */
function hexHash(hex: string): string {
  return createHash('sha256').update(Buffer.from(hex, 'hex')).digest('hex');
}

function toBigInt(buf: Buffer): bigint {
  return buf.length === 0 ? 0n : BigInt('0x' + buf.toString('hex'));
}

/** Big-endian bytes of a non-negative integer, without leading zeros (at least one byte). */
function toBytes(n: bigint): Buffer {
  let hex = n.toString(16);
  if (hex.length % 2 !== 0) hex = '0' + hex;
  return Buffer.from(hex, 'hex');
}

/** Parses a client or stored hex number (either case, leading zeros allowed); undefined when malformed. */
function parseHex(s: unknown, maxLength = MAX_CLIENT_HEX): bigint | undefined {
  if (typeof s !== 'string' || s.length === 0 || s.length > maxLength || !HEX_RE.test(s)) return undefined;
  return BigInt('0x' + s);
}

/** g^exp mod N (OpenSSL). exp must be > 0. */
function gPow(exp: bigint): bigint {
  const dh = createDiffieHellman(N_BYTES, G_BYTES);
  dh.setPrivateKey(toBytes(exp));
  return toBigInt(dh.generateKeys());
}

/**
 * base^exp mod N (OpenSSL), exp > 0. OpenSSL refuses "public keys" outside [2, N-2] (it throws), so the trivial
 * bases 0, 1 and N-1 are handled here; any other error propagates.
 */
function modPow(base: bigint, exp: bigint): bigint {
  const b = ((base % N) + N) % N;
  if (exp === 0n) return 1n;
  if (b === 0n || b === 1n) return b;
  if (b === N - 1n) return exp % 2n === 0n ? 1n : N - 1n;
  const dh = createDiffieHellman(N_BYTES, G_BYTES);
  dh.setPrivateKey(toBytes(exp));
  const secret = dh.computeSecret(Buffer.from(b.toString(16).padStart(N_LEN * 2, '0'), 'hex'));
  return toBigInt(secret);
}

/** k = H(padHex(N) || padHex(g)). */
const K = BigInt('0x' + hexHash(padHex(N) + padHex(G)));

/** The pool id's part after '_'. (As the SDKs do it: `poolId.split('_')[1]`.) */
export function poolNameOf(poolId: string): string {
  return poolId.split('_')[1] ?? '';
}

/** x = H(padHex(salt) || SHA256hex(poolName || username || ':' || password)). */
function computeX(poolId: string, username: string, password: string, salt: bigint): bigint {
  const inner = createHash('sha256').update(`${poolNameOf(poolId)}${username}:${password}`, 'utf8').digest('hex');
  return BigInt('0x' + hexHash(padHex(salt) + inner));
}

/** Computes the salt (random, 16 bytes) and verifier v for a user's password. */
export function makeVerifier(poolId: string, username: string, password: string): SrpVerifier {
  const salt = toBigInt(randomBytes(16));
  const x = computeX(poolId, username, password, salt);
  // x is a SHA-256 value; x = 0 (v = 1) has probability 2^-256 and would still be a working verifier.
  const v = x === 0n ? 1n : gPow(x);
  return { salt: padHex(salt), verifier: padHex(v) };
}

/**
 * The server's first step: a random private b and the public B (hex, as sent in SRP_B). `verifier` hex.
 * Throws a TypeError when `verifier` (stored data, not client input) is not a hex number.
 *
 * b is 256 random bits. That is deliberate: b is the server's own ephemeral secret, 256 bits give it all the
 * entropy it needs (the discrete log of g^b in this group is no easier than a 128-bit security level), and it
 * keeps the two exponentiations with b cheap. The client picks its own a with 1024 bits; nothing on the wire
 * reveals the size of b.
 */
export function serverChallenge(verifier: string): { b: string; B: string } {
  const v = parseHex(verifier, Infinity);
  if (v === undefined) throw new TypeError('SRP verifier is not a hex number');
  const kv = (K * (v % N)) % N;
  for (;;) {
    const bBytes = randomBytes(32);
    const b = toBigInt(bBytes);
    if (b === 0n) continue;
    const B = (kv + gPow(b)) % N;
    if (B === 0n) continue; // the client rejects B mod N == 0
    return { b: bBytes.toString('hex'), B: padHex(B) };
  }
}

/** True when SRP_A is a well-formed hex number with A mod N != 0. */
export function isValidA(A: string): boolean {
  const a = parseHex(A);
  return a !== undefined && a % N !== 0n;
}

/** HKDF-SHA256, one block: PRK = HMAC(salt = padHex(u), ikm = padHex(S)); OKM = HMAC(PRK, "Caldera Derived Key" || 0x01)[0..16). */
function sessionKey(u: bigint, S: bigint): Buffer {
  const prk = createHmac('sha256', Buffer.from(padHex(u), 'hex')).update(Buffer.from(padHex(S), 'hex')).digest();
  return createHmac('sha256', prk)
    .update(Buffer.concat([Buffer.from('Caldera Derived Key', 'utf8'), Buffer.from([1])]))
    .digest()
    .subarray(0, 16);
}

/** PASSWORD_CLAIM_SIGNATURE's bytes: HMAC-SHA256(key, poolName || USER_ID_FOR_SRP || SECRET_BLOCK bytes || TIMESTAMP). */
function claimSignature(key: Buffer, poolName: string, userIdForSrp: string, secretBlock: string, timestamp: string): Buffer {
  return createHmac('sha256', key)
    .update(Buffer.from(poolName, 'utf8'))
    .update(Buffer.from(userIdForSrp, 'utf8'))
    .update(Buffer.from(secretBlock, 'base64'))
    .update(Buffer.from(timestamp, 'utf8'))
    .digest();
}

/**
 * The group arithmetic, for a client of the same variant (bench/srp-client.mjs drives the server
 * with it); the server itself needs only the functions above and below.
 */
export const srpArithmetic = { N, G, K, padHex, hexHash, gPow, modPow, toBigInt, sessionKey, claimSignature };

/**
 * Checks the client's PASSWORD_CLAIM_SIGNATURE. Returns false (never throws) for any wrong or malformed input.
 * secretBlock is the base64 SECRET_BLOCK; timestamp the TIMESTAMP string as sent.
 *
 * The signature covers the timestamp string verbatim; whether it is well-formed and recent (parseSrpTimestamp)
 * and whether secretBlock is the one the server issued are the caller's checks.
 */
export function verifyPasswordClaim(p: {
  poolId: string;
  userIdForSrp: string;
  verifier: string;
  A: string;
  B: string;
  b: string;
  secretBlock: string;
  timestamp: string;
  signature: string;
}): boolean {
  return verifyClaim({ ...p, realm: typeof p.poolId === 'string' ? poolNameOf(p.poolId) : p.poolId });
}

/**
 * The device variant (DEVICE_PASSWORD_VERIFIER): the same proof with the device group key in the
 * pool name's place and the device key in the username's (amazon-cognito-identity-js
 * AuthenticationHelper(deviceGroupKey) and CognitoUser.getDeviceResponse: x hashes
 * DeviceGroupKey || DeviceKey || ':' || the device's random password; the signature covers
 * DeviceGroupKey || DeviceKey || SECRET_BLOCK || TIMESTAMP).
 */
export function verifyDeviceClaim(p: {
  deviceGroupKey: string;
  deviceKey: string;
  verifier: string;
  A: string;
  B: string;
  b: string;
  secretBlock: string;
  timestamp: string;
  signature: string;
}): boolean {
  return verifyClaim({ ...p, realm: p.deviceGroupKey, userIdForSrp: p.deviceKey });
}

function verifyClaim(p: {
  realm: string;
  userIdForSrp: string;
  verifier: string;
  A: string;
  B: string;
  b: string;
  secretBlock: string;
  timestamp: string;
  signature: string;
}): boolean {
  try {
    const A = parseHex(p.A);
    const B = parseHex(p.B, Infinity);
    const b = parseHex(p.b, Infinity);
    const v = parseHex(p.verifier, Infinity);
    if (A === undefined || B === undefined || b === undefined || v === undefined) return false;
    if (A % N === 0n || B % N === 0n || b === 0n) return false;
    if (typeof p.realm !== 'string' || typeof p.userIdForSrp !== 'string') return false;
    if (typeof p.secretBlock !== 'string' || typeof p.timestamp !== 'string') return false;
    if (typeof p.signature !== 'string' || !/^[A-Za-z0-9+/]+={0,2}$/.test(p.signature)) return false;

    // u over A and B as the client holds them (the values sent, without leading zeros).
    const u = BigInt('0x' + hexHash(padHex(A) + padHex(B)));
    if (u === 0n) return false;

    // S = (A * v^u)^b mod N
    const S = modPow(((A % N) * modPow(v, u)) % N, b);

    const expected = claimSignature(sessionKey(u, S), p.realm, p.userIdForSrp, p.secretBlock, p.timestamp);
    const given = Buffer.from(p.signature, 'base64');
    return given.length === expected.length && timingSafeEqual(given, expected);
  } catch {
    return false;
  }
}

const WEEKDAYS = ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'];
const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const two = (n: number): string => String(n).padStart(2, '0');

/** Cognito's TIMESTAMP format for a date (day not zero-padded). */
export function srpTimestamp(d: Date): string {
  if (Number.isNaN(d.getTime())) throw new RangeError('Invalid date');
  return (
    `${WEEKDAYS[d.getUTCDay()]} ${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()} ` +
    `${two(d.getUTCHours())}:${two(d.getUTCMinutes())}:${two(d.getUTCSeconds())} UTC ${d.getUTCFullYear()}`
  );
}

const TIMESTAMP_RE =
  /^(Sun|Mon|Tue|Wed|Thu|Fri|Sat) (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) ([1-9]|[12][0-9]|3[01]) ([01][0-9]|2[0-3]):([0-5][0-9]):([0-5][0-9]) UTC ([1-9][0-9]{3})$/;

/**
 * Parses a TIMESTAMP in Cognito's format; undefined when malformed (zero-padded day, wrong weekday for the date, bad month...).
 */
export function parseSrpTimestamp(s: string): Date | undefined {
  if (typeof s !== 'string') return undefined;
  const m = TIMESTAMP_RE.exec(s);
  if (!m) return undefined;
  const [, weekday, monthName, day, hh, mm, ss, year] = m as unknown as string[];
  const month = MONTHS.indexOf(monthName!);
  const d = new Date(Date.UTC(Number(year), month, Number(day), Number(hh), Number(mm), Number(ss)));
  if (d.getUTCMonth() !== month || d.getUTCDate() !== Number(day)) return undefined; // e.g. Feb 30
  if (WEEKDAYS[d.getUTCDay()] !== weekday) return undefined;
  return d;
}

/** 32 bytes derived from the key for one purpose, pool and username (unambiguous encoding of the three). */
function derive(key: Buffer, purpose: string, poolId: string, username: string): Buffer {
  return createHmac('sha256', key).update(JSON.stringify(['incognito-srp', purpose, poolId, username]), 'utf8').digest();
}

/** A stable fake salt for a user that does not exist (PreventUserExistenceErrors): derived from a secret key + pool + username with HMAC, hex, same length/shape as a real salt. */
export function fakeSalt(key: Buffer, poolId: string, username: string): string {
  return padHex(toBigInt(derive(key, 'salt', poolId, username).subarray(0, 16)));
}

/** A verifier that matches no password, for simulated challenges: g^(random) computed from the same HMAC so it is stable per (pool, username). */
export function fakeVerifier(key: Buffer, poolId: string, username: string): string {
  const exp = toBigInt(derive(key, 'verifier', poolId, username));
  return padHex(exp === 0n ? 1n : gPow(exp));
}
