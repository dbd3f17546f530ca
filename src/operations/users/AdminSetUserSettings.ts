import type { AdminSetUserSettingsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { setLegacyMfaOptions } from '../../domain/mfa.js';
import { loadPoolAndUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';

/**
 * The deprecated SMS MFA options (only SMS with phone_number is valid), kept in the user's typed MFA
 * settings (UserMfa.mfaOptions) and returned as MFAOptions; an empty list turns SMS MFA off.
 */
export async function AdminSetUserSettings(input: AdminSetUserSettingsRequest, ctx: Ctx) {
  const { user } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  await setLegacyMfaOptions(ctx, user, input.MFAOptions);
  return {};
}
