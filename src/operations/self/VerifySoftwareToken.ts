import type { VerifySoftwareTokenRequest } from '@aws-sdk/client-cognito-identity-provider';
import { verifySoftwareToken } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { authorize, sessionOrToken } from './shared.js';

/**
 * A code of the secret AssociateSoftwareToken issued: that secret becomes the user's software token
 * (domain/mfa.ts verifySoftwareToken). A wrong code: EnableSoftwareTokenMFAException. With a
 * Session instead (MFA_SETUP during sign-in): the sign-in engine's part, not wired yet.
 */
export async function VerifySoftwareToken(input: VerifySoftwareTokenRequest, ctx: Ctx) {
  const token = sessionOrToken(input, 'VerifySoftwareToken');
  const { pool, user } = await authorize(ctx, token);
  await verifySoftwareToken(ctx, pool, user, input.UserCode!, { ...(input.FriendlyDeviceName ? { friendlyName: input.FriendlyDeviceName } : {}) });
  return { Status: 'SUCCESS' };
}
