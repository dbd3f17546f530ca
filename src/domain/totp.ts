/**
 * Software tokens (TOTP, RFC 6238) as Cognito runs them: HMAC-SHA-1, 30-second steps, 6 digits,
 * one step of clock drift accepted either way, through the `otpauth` library. Every check takes the
 * time from the caller (the request's ctx.now, never the wall clock), so tests move a clock instead
 * of sleeping. A code is accepted once: the caller keeps the step it matched (UserMfa.totp.lastStep)
 * and passes it back, and a code of that step or an earlier one is refused.
 *
 * The secret is the base32 SecretCode AssociateSoftwareToken returns (RFC 4648 alphabet A-Z 2-7,
 * no padding, which fits the model's SecretCodeType: `[A-Za-z0-9]+`, at least 16 characters): 32
 * random bytes, 52 characters. At rest it is sealed with the master key (sealTotpSecret), bound to
 * the pool and user like the SRP verifiers (domain/credentials.ts).
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { HOTP, Secret, URI, TOTP } from 'otpauth';
import type { Secrets } from './secrets.js';
import type { UserRecord } from '../store/types.js';

/** Seconds a code lives. */
export const TOTP_PERIOD_SECONDS = 30;
/** Digits of a code. */
export const TOTP_DIGITS = 6;
/** Steps of drift accepted on either side of the current one. */
export const TOTP_DRIFT_STEPS = 1;
/** Random bytes of a new secret (52 base32 characters). */
export const TOTP_SECRET_BYTES = 32;

const ALGORITHM = 'SHA1';

/** A new secret: base32 of 32 random bytes (52 characters of A-Z and 2-7). */
export function newTotpSecret(): string {
  // A copy: a Buffer may be a view into a larger shared ArrayBuffer.
  return new Secret({ buffer: new Uint8Array(randomBytes(TOTP_SECRET_BYTES)).buffer }).base32;
}

/** The time step (30-second period since the epoch) of a time in epoch milliseconds. */
export function totpStep(now: number): number {
  return Math.floor(now / 1000 / TOTP_PERIOD_SECONDS);
}

/** The code of a secret at a step (counter). */
function codeAt(secret: Secret, step: number): string {
  return HOTP.generate({ secret, algorithm: ALGORITHM, digits: TOTP_DIGITS, counter: step });
}

/** The code a correct authenticator shows for `secret` at `now` (epoch milliseconds): for tests and tools. */
export function totpCode(base32Secret: string, now: number): string {
  return TOTP.generate({ secret: Secret.fromBase32(base32Secret), algorithm: ALGORITHM, digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS, timestamp: now });
}

/**
 * Checks a code against a secret at `now`, accepting the current step and one either side. Returns
 * the step the code matched, or undefined when it matches none, or only steps at or before
 * `lastStep` (a code already accepted, or an older one: each code is good once). Every candidate is
 * computed and compared in constant time, whatever matched first. Never throws for a malformed code
 * or secret: it just does not match.
 */
export function checkTotp(base32Secret: string, code: string, now: number, lastStep?: number | null): number | undefined {
  if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code)) return undefined;
  let secret: Secret;
  try {
    secret = Secret.fromBase32(base32Secret);
  } catch {
    return undefined;
  }
  const given = Buffer.from(code);
  const current = totpStep(now);
  let matched: number | undefined;
  for (let step = current - TOTP_DRIFT_STEPS; step <= current + TOTP_DRIFT_STEPS; step++) {
    const same = timingSafeEqual(Buffer.from(codeAt(secret, step)), given);
    // The latest matching step that is still unused: two steps can share a code (one in a million).
    if (same && (lastStep === undefined || lastStep === null || step > lastStep)) matched = step;
  }
  return matched;
}

const context = (poolId: string, username: string) => `totp:${poolId}:${username}`;

/** The secret sealed with the master key, bound to the pool and user (the SRP identity is the username too). */
export function sealTotpSecret(secrets: Secrets, user: Pick<UserRecord, 'poolId' | 'username'>, base32Secret: string): string {
  return secrets.seal(base32Secret, context(user.poolId, user.username));
}

/** The base32 secret of a sealed value (throws when it was not sealed for this user with this key). */
export function openTotpSecret(secrets: Secrets, user: Pick<UserRecord, 'poolId' | 'username'>, sealed: string): string {
  return secrets.open(sealed, context(user.poolId, user.username)).toString('utf8');
}

/**
 * The `otpauth://totp/...` URI an authenticator app reads from a QR code, as Amplify's getSetupUri
 * writes it: label `<issuer>:<username>`, the secret, the issuer (defaults: SHA1, 6 digits, 30 s).
 */
export function totpUri(base32Secret: string, username: string, issuer: string): string {
  return URI.stringify(
    new TOTP({ issuer, label: username, secret: Secret.fromBase32(base32Secret), algorithm: ALGORITHM, digits: TOTP_DIGITS, period: TOTP_PERIOD_SECONDS }),
  );
}
