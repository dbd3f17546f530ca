import type { StartWebAuthnRegistrationRequest } from '@aws-sdk/client-cognito-identity-provider';
import { startRegistration } from '../../domain/passkeys.js';
import type { Ctx } from '../context.js';
import { authorize } from '../self/shared.js';

/**
 * The signed-in user asks to register a passkey: the CredentialCreationOptions to hand to
 * navigator.credentials.create (domain/passkeys.ts startRegistration has the shape and the rules).
 */
export async function StartWebAuthnRegistration(input: StartWebAuthnRegistrationRequest, ctx: Ctx) {
  const { pool, client, user } = await authorize(ctx, input.AccessToken!);
  return { CredentialCreationOptions: await startRegistration(ctx, pool, client.id, user) };
}
