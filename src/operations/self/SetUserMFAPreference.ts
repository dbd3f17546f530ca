import type { SetUserMFAPreferenceRequest } from '@aws-sdk/client-cognito-identity-provider';
import { setMfaPreference } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { authorize } from './shared.js';

/** The signed-in user turns MFA factors on or off and picks the preferred one (domain/mfa.ts setMfaPreference). */
export async function SetUserMFAPreference(input: SetUserMFAPreferenceRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  await setMfaPreference(ctx, pool, user, input);
  return {};
}
