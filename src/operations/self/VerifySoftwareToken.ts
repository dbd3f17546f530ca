import type { VerifySoftwareTokenRequest } from '@aws-sdk/client-cognito-identity-provider';
import { verifySoftwareToken } from '../../domain/mfa.js';
import { setupVerify } from '../../signin/index.js';
import type { Ctx } from '../context.js';
import { authorize, sessionOrToken } from './shared.js';

/**
 * A code of the secret AssociateSoftwareToken issued: that secret becomes the user's software token
 * (domain/mfa.ts verifySoftwareToken). A wrong code: EnableSoftwareTokenMFAException. With the
 * Session of an MFA_SETUP sign-in, the token is turned on too and a new Session answers MFA_SETUP.
 */
export async function VerifySoftwareToken(input: VerifySoftwareTokenRequest, ctx: Ctx) {
  const given = sessionOrToken(input, 'VerifySoftwareToken');
  if ('session' in given) {
    const r = await setupVerify(ctx, 'api', given.session, input.UserCode!, input.FriendlyDeviceName);
    return { Status: 'SUCCESS', Session: r.session };
  }
  const { pool, user } = await authorize(ctx, given.accessToken);
  await verifySoftwareToken(ctx, pool, user, input.UserCode!, { ...(input.FriendlyDeviceName ? { friendlyName: input.FriendlyDeviceName } : {}) });
  return { Status: 'SUCCESS' };
}
