/**
 * One-time codes: 6 digits, stored only as an HMAC (keyed per pool and user), compared in constant
 * time, single-use, expiring, with a limit on wrong attempts. Cognito's errors and texts.
 */
import { createHmac, randomInt, timingSafeEqual } from 'node:crypto';
import { CognitoError, errors } from '../protocol/errors.js';
import type { Store } from '../store/types.js';

export type CodePurpose = 'SIGN_UP' | 'FORGOT_PASSWORD' | `VERIFY:${string}`;

/** How long a code lives (Cognito: sign-up and attribute verification 24 h, password reset 1 h). */
export function codeLifetimeMs(purpose: CodePurpose): number {
  return purpose === 'FORGOT_PASSWORD' ? 3600_000 : 24 * 3600_000;
}

/** Wrong attempts allowed on one code before it must be requested again. */
export const MAX_CODE_ATTEMPTS = 5;

const digest = (poolId: string, usernameKey: string, purpose: string, code: string) =>
  createHmac('sha256', `${poolId}\u0000${usernameKey}\u0000${purpose}`).update(code).digest('hex');

/** Issues a new code (replacing any earlier one of the same purpose) and returns it in clear once. */
export async function issueCode(store: Store, poolId: string, usernameKey: string, purpose: CodePurpose, now: number): Promise<string> {
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  await store.codes.put({
    poolId,
    usernameKey,
    purpose,
    codeHash: digest(poolId, usernameKey, purpose, code),
    expiresAt: now + codeLifetimeMs(purpose),
    attempts: 0,
    createdAt: now,
  });
  return code;
}

export const codeMismatch = () => new CognitoError('CodeMismatchException', 'Invalid verification code provided, please try again.');
export const codeExpired = () => new CognitoError('ExpiredCodeException', 'Invalid code provided, please request a code again.');

/**
 * Checks and consumes a code. Throws CodeMismatchException (wrong code), ExpiredCodeException
 * (expired, used, or never issued) or LimitExceededException (too many wrong attempts).
 */
export async function consumeCode(store: Store, poolId: string, usernameKey: string, purpose: CodePurpose, code: string, now: number): Promise<void> {
  await useCode(store, await checkCode(store, poolId, usernameKey, purpose, code, now), poolId, usernameKey, purpose);
}

/**
 * Checks a code without consuming it (a wrong one counts as an attempt) and returns the stored hash
 * for useCode. Callers whose write may still fail (AliasExistsException) check first, then use the
 * code in the transaction of the write, so a failed request leaves the code usable.
 */
export async function checkCode(store: Store, poolId: string, usernameKey: string, purpose: CodePurpose, code: string, now: number): Promise<string> {
  const rec = await store.codes.get(poolId, usernameKey, purpose);
  if (!rec || rec.expiresAt <= now) throw codeExpired();
  if (rec.attempts >= MAX_CODE_ATTEMPTS) throw errors.limitExceeded('Attempt limit exceeded, please try after some time.');
  const expected = Buffer.from(rec.codeHash, 'hex');
  const given = Buffer.from(digest(poolId, usernameKey, purpose, code), 'hex');
  if (!timingSafeEqual(expected, given)) {
    await store.codes.addAttempt(poolId, usernameKey, purpose);
    throw codeMismatch();
  }
  return rec.codeHash;
}

/** Consumes a checked code. Single use: the delete must be the one that wins when two requests race with the same code. */
export async function useCode(store: Store, codeHash: string, poolId: string, usernameKey: string, purpose: CodePurpose): Promise<void> {
  if (!(await store.codes.delete(poolId, usernameKey, purpose, codeHash))) throw codeExpired();
}
