import type { AssociateSoftwareTokenRequest } from '@aws-sdk/client-cognito-identity-provider';
import { associateSoftwareToken } from '../../domain/mfa.js';
import { setupAssociate } from '../../signin/index.js';
import type { Ctx } from '../context.js';
import { authorize, sessionOrToken } from './shared.js';

/**
 * A new TOTP secret (domain/mfa.ts associateSoftwareToken), pending until VerifySoftwareToken
 * accepts a code of it: for the signed-in user (AccessToken), or for the user signing in through
 * an MFA_SETUP challenge (Session; a new Session comes back for VerifySoftwareToken).
 */
export async function AssociateSoftwareToken(input: AssociateSoftwareTokenRequest, ctx: Ctx) {
  const given = sessionOrToken(input, 'AssociateSoftwareToken');
  if ('session' in given) {
    const r = await setupAssociate(ctx, 'api', given.session);
    return { SecretCode: r.secretCode, Session: r.session };
  }
  const { pool, user } = await authorize(ctx, given.accessToken);
  const { secretCode } = await associateSoftwareToken(ctx, pool, user);
  return { SecretCode: secretCode };
}
