import type { DeleteIdentityProviderRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { forgetIdpMetadata } from '../../domain/saml-metadata.js';
import { providerNotFound } from './shared.js';

/**
 * Deletes the provider and the links of its users to native users. Its federated users stay (as in
 * Cognito) and can no longer sign in. App clients that list it stop listing it, in the same
 * transaction: a client naming a provider that no longer exists could not be written back as read
 * (UpdateUserPoolClient refuses unknown providers) and its login page would offer a dead button
 * (docs/decisions.md, "Deleting an identity provider").
 */
export async function DeleteIdentityProvider(input: DeleteIdentityProviderRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const name = input.ProviderName!;
  const gone = await ctx.store.transaction(async (tx) => {
    if (!(await tx.identityProviders.delete(pool.id, name))) return false;
    let after: string | undefined;
    for (;;) {
      const clients = await tx.clients.list(pool.id, after, 500);
      for (const c of clients) {
        const listed = c.settings.SupportedIdentityProviders;
        if (!listed?.includes(name)) continue;
        await tx.clients.update({ ...c, settings: { ...c.settings, SupportedIdentityProviders: listed.filter((p) => p !== name) } });
      }
      if (clients.length < 500) break;
      after = clients[clients.length - 1]!.id;
    }
    return true;
  });
  if (!gone) throw providerNotFound(pool.id, name);
  forgetIdpMetadata(pool.id, name);
  return {};
}
