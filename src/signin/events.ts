/**
 * The sign-in engine's auth event recorder (advanced security, domain/auth-events.ts): called from
 * the one place a sign-in ends (complete.ts) and the one place a wrong proof is counted (gate.ts).
 * A pool that does not record events costs nothing here.
 */
import { recordAuthEvent, recordsAuthEvents, type ChallengeResult } from '../domain/auth-events.js';
import type { Ctx } from '../operations/context.js';
import type { PoolRecord, UserRecord } from '../store/types.js';
import type { Factor } from './types.js';

/**
 * The first factors, recorded as the Password challenge: the event's ChallengeName has only
 * Password and Mfa, so USER_AUTH's passwordless first factors (a code, a passkey, the sign-up
 * code) are recorded there too, as their failures are (gate.ts countFailure).
 */
const PASSWORD_FACTORS = new Set<Factor>(['PASSWORD', 'SRP', 'NEW_PASSWORD', 'FIRST_EMAIL_OTP', 'FIRST_SMS_OTP', 'WEB_AUTHN', 'SIGN_UP_CODE']);
const MFA_FACTORS = new Set<Factor>(['SOFTWARE_TOKEN_MFA', 'SMS_MFA', 'EMAIL_OTP', 'PASSKEY_MFA']);

/** A sign-in that ended with every step passed: the factors it proved, as Cognito's challenge responses. */
export async function signInPassed(ctx: Ctx, pool: PoolRecord, user: UserRecord, factors: Factor[]): Promise<void> {
  if (!recordsAuthEvents(pool)) return;
  const challenges: ChallengeResult[] = [];
  if (factors.some((f) => PASSWORD_FACTORS.has(f))) challenges.push({ ChallengeName: 'Password', ChallengeResponse: 'Success' });
  if (factors.some((f) => MFA_FACTORS.has(f))) challenges.push({ ChallengeName: 'Mfa', ChallengeResponse: 'Success' });
  await recordAuthEvent(ctx, pool, user, 'SignIn', 'Pass', challenges);
}

/** A wrong proof: a password (or SRP, device) proof, or an MFA code after the password passed. */
export async function signInFailed(ctx: Ctx, pool: PoolRecord, user: UserRecord, step: 'Password' | 'Mfa'): Promise<void> {
  if (!recordsAuthEvents(pool)) return;
  const challenges: ChallengeResult[] =
    step === 'Password'
      ? [{ ChallengeName: 'Password', ChallengeResponse: 'Failure' }]
      : [
          { ChallengeName: 'Password', ChallengeResponse: 'Success' },
          { ChallengeName: 'Mfa', ChallengeResponse: 'Failure' },
        ];
  await recordAuthEvent(ctx, pool, user, 'SignIn', 'Fail', challenges);
}
