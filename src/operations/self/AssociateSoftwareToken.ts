import type { AssociateSoftwareTokenRequest } from '@aws-sdk/client-cognito-identity-provider';
import { associateSoftwareToken } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { authorize, sessionOrToken } from './shared.js';

/**
 * A new TOTP secret for the signed-in user (domain/mfa.ts associateSoftwareToken): pending until
 * VerifySoftwareToken accepts a code of it. With a Session instead (MFA_SETUP during sign-in): the
 * sign-in engine's part, not wired yet (sessionOrToken answers so).
 */
export async function AssociateSoftwareToken(input: AssociateSoftwareTokenRequest, ctx: Ctx) {
  const token = sessionOrToken(input, 'AssociateSoftwareToken');
  const { pool, user } = await authorize(ctx, token);
  const { secretCode } = await associateSoftwareToken(ctx, pool, user);
  return { SecretCode: secretCode };
}
