/**
 * May this user sign in now? One answer for every place that lets a user in or keeps one in: the
 * first factor (with the lockout), a refresh, an authorization code's exchange, a hosted session.
 * Each caller turns the reason into its own answer (an API error, an OAuth error, the sign-in page).
 * Lockout facts: shared/reference/cognito-behaviour.md §2.2 (after 5 failures, 1 s doubling up to
 * 15 minutes; the count resets after 15 idle minutes).
 */
import { errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserExtra, UserRecord } from '../store/types.js';
import { hidesUsers } from '../domain/client-settings.js';
import { findUser } from '../domain/users.js';
import { signInFailed } from './events.js';
import { because } from './metrics.js';

export type Bar = 'disabled' | 'unconfirmed' | 'reset-required' | 'locked';

type Failures = NonNullable<UserExtra['signInFailures']>;
const LOCK_AFTER = 5;
const MAX_LOCK_MS = 15 * 60_000;
const RESET_AFTER_MS = 15 * 60_000;

function failuresOf(user: UserRecord): Failures | undefined {
  return user.extra.signInFailures;
}

/**
 * Why the user may not sign in, or undefined. `now` given: a first factor, where a lockout bars
 * too; without it: a sign-in going on (refresh, code, session), which a lockout does not end.
 */
export function signInBar(user: UserRecord, now?: number): Bar | undefined {
  if (!user.enabled) return 'disabled';
  if (user.status === 'UNCONFIRMED') return 'unconfirmed';
  if (user.status === 'RESET_REQUIRED') return 'reset-required';
  if (now !== undefined) {
    const f = failuresOf(user);
    if (f?.lockedUntil !== undefined && f.lockedUntil > now) return 'locked';
  }
  return undefined;
}

export const incorrect = () => errors.notAuthorized('Incorrect username or password.');

/**
 * The USERNAME a challenge's answer names, when it names one, must be the session's user (its
 * username, an alias of it, or its sub): one user's session cannot be answered in another's name
 * (RespondToAuthChallenge: "All of the following challenges require USERNAME"). Only compared when
 * present: the hosted pages, which hold the session themselves, send none, and the SDKs (Amplify v6,
 * amazon-cognito-identity-js) send it with every answer.
 */
export async function checkNamedUser(ctx: Ctx, pool: PoolRecord, r: Record<string, string> | undefined, user: UserRecord): Promise<void> {
  const named = r?.USERNAME;
  if (typeof named !== 'string' || named === '' || named === user.username || named === user.sub) return;
  if ((await findUser(ctx.store, pool, named))?.usernameKey !== user.usernameKey) throw incorrect();
}

/**
 * The first factor's gate on the API and the pages: disabled, unconfirmed, reset-required (hidden
 * as a wrong password under PreventUserExistenceErrors), locked out. `now` undefined: without the
 * lockout (a custom sign-in's own challenges, which the lockout does not cover).
 */
export function gate(client: ClientRecord, user: UserRecord, now: number | undefined): void {
  switch (signInBar(user, now)) {
    case 'disabled':
      throw because(errors.notAuthorized('User is disabled.'), 'disabled');
    case 'unconfirmed':
      throw because(errors.userNotConfirmed('User is not confirmed.'), 'unconfirmed');
    case 'reset-required':
      if (hidesUsers(client)) throw because(incorrect(), 'reset_required');
      throw because(errors.passwordResetRequired('Password reset required for the user'), 'reset_required');
    case 'locked':
      throw because(errors.notAuthorized('Password attempts exceeded'), 'locked');
    case undefined:
      return;
  }
}

/** Counts a wrong proof (in its own transaction, the row locked) and answers it as a wrong password. */
export async function failed(ctx: Ctx, pool: PoolRecord, user: UserRecord): Promise<never> {
  await countFailure(ctx, pool, user);
  throw because(incorrect(), 'wrong_password');
}

/**
 * Counts a wrong proof (password, SRP, MFA code) toward the lockout, in its own transaction, and
 * records the failed sign-in (auth events; `step`: which proof was wrong).
 */
export async function countFailure(ctx: Ctx, pool: PoolRecord, user: UserRecord, step: 'Password' | 'Mfa' = 'Password'): Promise<void> {
  await signInFailed(ctx, pool, user, step);
  await ctx.store.transaction(async (tx) => {
    const u = await tx.users.get(pool.id, user.usernameKey, { forUpdate: true });
    if (!u) return;
    const prev = failuresOf(u);
    const count = prev && ctx.now - prev.lastAt < RESET_AFTER_MS ? prev.count + 1 : 1;
    const f: Failures = { count, lastAt: ctx.now };
    if (count >= LOCK_AFTER) f.lockedUntil = ctx.now + Math.min(1000 * 2 ** (count - LOCK_AFTER), MAX_LOCK_MS);
    await tx.users.update({ ...u, extra: { ...u.extra, signInFailures: f } });
  });
}

/** Whether a successful sign-in has failures to clear. */
export const hasFailures = (user: UserRecord): boolean => failuresOf(user) !== undefined;

/** Clears the failure count inside the sign-in's completing transaction (the row re-read, locked). */
export async function clearFailures(tx: Ctx['store'], pool: PoolRecord, user: UserRecord): Promise<void> {
  const u = await tx.users.get(pool.id, user.usernameKey, { forUpdate: true });
  if (u && failuresOf(u)) {
    const { signInFailures: _, ...extra } = u.extra;
    await tx.users.update({ ...u, extra });
  }
}
