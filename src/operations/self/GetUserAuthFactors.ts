import type { GetUserAuthFactorsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { userMfaFields } from '../../domain/mfa.js';
import { availableFactors } from '../../signin/index.js';
import type { Ctx } from '../context.js';
import { authorize } from './shared.js';

/**
 * The signed-in user's sign-in factors: ConfiguredUserAuthFactors, the first factors of choice-based
 * sign-in (USER_AUTH) the pool allows and the user has set up (PASSWORD with a password, EMAIL_OTP
 * and SMS_OTP with a verified email or phone, WEB_AUTHN with a passkey), and the MFA settings as
 * GetUser shows them (UserMFASettingList, PreferredMfaSetting; each absent when empty).
 */
export async function GetUserAuthFactors(input: GetUserAuthFactorsRequest, ctx: Ctx) {
  const { user, pool } = await authorize(ctx, input.AccessToken!);
  const factors = (await availableFactors(ctx, pool, user, { configured: true })).filter((f) => f !== 'PASSWORD_SRP');
  const { UserMFASettingList, PreferredMfaSetting } = userMfaFields(user.mfa);
  return {
    Username: user.username,
    ...(PreferredMfaSetting ? { PreferredMfaSetting } : {}),
    ...(UserMFASettingList ? { UserMFASettingList } : {}),
    ConfiguredUserAuthFactors: factors,
  };
}
