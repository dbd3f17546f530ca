/**
 * The sign-in engine's metrics recorder (src/metrics.ts): each step of a sign-in (start, or a
 * challenge answered) counted once, by channel, step and result. The result is `signed_in`,
 * `challenge` (another step asked), the reason a gate refused (gate.ts tags its errors: several
 * share NotAuthorizedException), or the error's type. Without metrics (--metrics false) nothing is done.
 */
import { CognitoError } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { Channel, Outcome } from './types.js';

/** Why gate.ts refused a sign-in, where the error type alone does not say it. */
export type FailureReason = 'wrong_password' | 'locked' | 'disabled' | 'unconfirmed' | 'reset_required';

const reasons = new WeakMap<Error, FailureReason>();

/** Marks a refusal with its reason (the error is thrown as it is). */
export function because<E extends Error>(e: E, reason: FailureReason): E {
  reasons.set(e, reason);
  return e;
}

/** The flows and challenges named in the metrics; anything else (refused as unsupported) is `other`. */
const STEPS = new Set([
  'USER_PASSWORD_AUTH',
  'ADMIN_USER_PASSWORD_AUTH',
  'ADMIN_NO_SRP_AUTH',
  'USER_SRP_AUTH',
  'CUSTOM_AUTH',
  'REFRESH_TOKEN_AUTH',
  'REFRESH_TOKEN',
  'USER_AUTH',
  'PASSWORD_VERIFIER',
  'NEW_PASSWORD_REQUIRED',
  'DEVICE_SRP_AUTH',
  'DEVICE_PASSWORD_VERIFIER',
  'SOFTWARE_TOKEN_MFA',
  'SMS_MFA',
  'EMAIL_OTP',
  'SELECT_MFA_TYPE',
  'MFA_SETUP',
  'CUSTOM_CHALLENGE',
  'SELECT_CHALLENGE',
  'SMS_OTP',
  'WEB_AUTHN',
  'PASSWORD',
  'PASSWORD_SRP',
]);

function resultOf(e: unknown): string {
  if (e instanceof Error) {
    const reason = reasons.get(e);
    if (reason) return reason;
  }
  return e instanceof CognitoError ? e.type : 'InternalErrorException';
}

/** Runs one step of a sign-in and counts how it ended. */
export async function recordStep(ctx: Ctx, channel: Channel, step: string | undefined, run: () => Promise<Outcome>): Promise<Outcome> {
  const m = ctx.metrics;
  if (!m) return run();
  const label = step !== undefined && STEPS.has(step) ? step : 'other';
  try {
    const outcome = await run();
    m.signInStep(channel, label, outcome.kind === 'signedIn' ? 'signed_in' : 'challenge');
    return outcome;
  } catch (e) {
    m.signInStep(channel, label, resultOf(e));
    throw e;
  }
}
