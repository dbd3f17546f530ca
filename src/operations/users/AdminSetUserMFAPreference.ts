import type { AdminSetUserMFAPreferenceRequest } from '@aws-sdk/client-cognito-identity-provider';
import { setMfaPreference } from '../../domain/mfa.js';
import { loadPoolAndUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';

/** An administrator turns a user's MFA factors on or off and picks the preferred one (domain/mfa.ts setMfaPreference). */
export async function AdminSetUserMFAPreference(input: AdminSetUserMFAPreferenceRequest, ctx: Ctx) {
  const { pool, user } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  await setMfaPreference(ctx, pool, user, input);
  return {};
}
