import type { RevokeTokenRequest } from '@aws-sdk/client-cognito-identity-provider';
import { hashToken, looksLikeJwt } from '../../domain/tokens.js';
import { errors } from '../../protocol/errors.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { clientSecretProblem } from './client-secret.js';

/**
 * Revokes a refresh token and every ID and access token issued from the same sign-in. A token that
 * is unknown (or already revoked) is answered with success, as RFC 7009 says.
 */
export async function RevokeToken(input: RevokeTokenRequest, ctx: Ctx) {
  const { client } = await loadClientAndPool(ctx.store, input.ClientId!);
  if (client.settings.EnableTokenRevocation === false) {
    throw errors.unsupportedOperation('Token revocation is not enabled for this client.');
  }
  const problem = clientSecretProblem(client, input.ClientSecret);
  if (problem) throw errors.unauthorized(problem === 'missing' ? `Client ${client.id} is configured with a secret but none was received.` : 'Invalid client secret.');
  if (looksLikeJwt(input.Token!)) throw errors.unsupportedTokenType('Only refresh tokens can be revoked.');
  const found = await ctx.store.reads.refresh(hashToken(input.Token!));
  if (!found) return {};
  if (found.family.clientId !== client.id) throw errors.unauthorized('The token was not issued to this client.');
  await ctx.store.tokens.revokeFamily(found.family.originJti, ctx.now);
  return {};
}
