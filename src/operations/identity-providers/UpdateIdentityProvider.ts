import type { UpdateIdentityProviderRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { checkDetails, checkMapping, openDetails, sealDetails } from '../../domain/identity-providers.js';
import { checkIdpInitiatedAlone } from '../../domain/client-settings.js';
import { forgetIdpMetadata } from '../../domain/saml-metadata.js';
import { checkIdentifiers, loadProvider, providerNotFound, renderProvider } from './shared.js';

/**
 * Replaces what the request gives: ProviderDetails (checked again, OIDC endpoints discovered again;
 * a client_secret or private_key left out keeps the stored one), AttributeMapping, IdpIdentifiers.
 */
export async function UpdateIdentityProvider(input: UpdateIdentityProviderRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const current = await loadProvider(ctx.store, pool.id, input.ProviderName!);
  let details: Record<string, string> | undefined;
  if (input.ProviderDetails) {
    const opened = openDetails(ctx.secrets, current);
    const given = { ...input.ProviderDetails };
    for (const k of ['client_secret', 'private_key']) if (given[k] === undefined && opened[k] !== undefined) given[k] = opened[k]!;
    details = sealDetails(ctx.secrets, pool.id, current.name, await checkDetails(current.type, given, ctx.now));
  }
  const mapping = input.AttributeMapping ? checkMapping(input.AttributeMapping, pool.settings) : undefined;
  const updated = await ctx.store.transaction(async (tx) => {
    await loadPool(tx, pool.id, { forUpdate: true });
    const p = await loadProvider(tx, pool.id, current.name, { forUpdate: true });
    const next = {
      ...p,
      ...(details ? { details } : {}),
      ...(mapping ? { attributeMapping: mapping } : {}),
      ...(input.IdpIdentifiers ? { idpIdentifiers: checkIdentifiers(input.IdpIdentifiers, await tx.identityProviders.all(pool.id), p.name) } : {}),
      updatedAt: ctx.now,
    };
    if (next.type === 'SAML' && next.details.IDPInit === 'true') {
      // No client that supports it may then support a non-SAML provider (or COGNITO).
      const all = await tx.identityProviders.all(pool.id);
      const ctxFor = { samlProviders: new Set(all.filter((x) => x.type === 'SAML').map((x) => x.name)), idpInitiated: new Set([next.name]) };
      for (let after: string | undefined; ; ) {
        const clients = await tx.clients.list(pool.id, after, 500);
        for (const c of clients) checkIdpInitiatedAlone(c.settings.SupportedIdentityProviders ?? [], ctxFor);
        if (clients.length < 500) break;
        after = clients[clients.length - 1]!.id;
      }
    }
    if (!(await tx.identityProviders.update(next))) throw providerNotFound(pool.id, p.name);
    return next;
  });
  forgetIdpMetadata(pool.id, updated.name);
  return { IdentityProvider: await renderProvider(ctx, pool, updated) };
}
