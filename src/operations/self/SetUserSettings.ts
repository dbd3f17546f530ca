import type { SetUserSettingsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { setLegacyMfaOptions } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { authorize } from './shared.js';

/** The deprecated SMS MFA switch, for the signed-in user (as AdminSetUserSettings): MFAOptions SMS on, [] off. */
export async function SetUserSettings(input: SetUserSettingsRequest, ctx: Ctx) {
  const { user } = await authorize(ctx, input.AccessToken!);
  await setLegacyMfaOptions(ctx, user, input.MFAOptions);
  return {};
}
