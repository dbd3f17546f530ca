import type { DeleteIdentityProviderRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { providerNotFound } from './shared.js';

/**
 * Deletes the provider and the links of its users to native users. Its federated users stay (as in
 * Cognito) and can no longer sign in; app clients that still list it simply cannot use it.
 */
export async function DeleteIdentityProvider(input: DeleteIdentityProviderRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const gone = await ctx.store.transaction((tx) => tx.identityProviders.delete(pool.id, input.ProviderName!));
  if (!gone) throw providerNotFound(pool.id, input.ProviderName!);
  return {};
}
