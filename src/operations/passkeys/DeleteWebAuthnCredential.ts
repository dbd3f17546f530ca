import type { DeleteWebAuthnCredentialRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { authorize } from '../self/shared.js';

/** Deletes one of the signed-in user's passkeys; ResourceNotFoundException when the user has none with that ID. */
export async function DeleteWebAuthnCredential(input: DeleteWebAuthnCredentialRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  if (!(await ctx.store.webauthn.delete(pool.id, user.usernameKey, input.CredentialId!))) {
    // Message ours.
    throw errors.resourceNotFound(`The user has no passkey with the credential ID ${shortened(input.CredentialId!)}.`);
  }
  return {};
}

/** A value as a message shows it: at most 100 characters (a credential ID is about 22 to 86). */
const shortened = (v: string): string => (v.length > 100 ? `${v.slice(0, 100)}…` : v);
