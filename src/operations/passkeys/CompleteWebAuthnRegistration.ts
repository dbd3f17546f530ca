import type { CompleteWebAuthnRegistrationRequest } from '@aws-sdk/client-cognito-identity-provider';
import { completeRegistration } from '../../domain/passkeys.js';
import type { Ctx } from '../context.js';
import { authorize } from '../self/shared.js';

/**
 * The signed-in user completes a passkey registration with the authenticator's
 * RegistrationResponseJSON (domain/passkeys.ts completeRegistration has the checks). Empty answer.
 */
export async function CompleteWebAuthnRegistration(input: CompleteWebAuthnRegistrationRequest, ctx: Ctx) {
  const { pool, client, user } = await authorize(ctx, input.AccessToken!);
  await completeRegistration(ctx, pool, client, user, input.Credential);
  return {};
}
