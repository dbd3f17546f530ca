import type { CreateIdentityProviderRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import { ConflictError } from '../../store/errors.js';
import type { IdentityProviderRecord, IdentityProviderType } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { checkDetails, checkMapping, checkProviderName, defaultMapping, MAX_PROVIDERS_PER_POOL, sealDetails } from '../../domain/identity-providers.js';
import { checkIdentifiers, renderProvider } from './shared.js';

/**
 * A new identity provider. ProviderDetails are checked for the type (and an OIDC provider's
 * endpoints discovered, a SAML provider's metadata fetched) before the transaction; then, with the
 * pool row locked (PostgreSQL), the quota and the pool-wide uniqueness of IdpIdentifiers; the name
 * is unique through the primary key.
 */
export async function CreateIdentityProvider(input: CreateIdentityProviderRequest, ctx: Ctx) {
  const type = input.ProviderType as IdentityProviderType;
  const name = input.ProviderName!;
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  checkProviderName(name, type);
  const mapping = checkMapping({ ...defaultMapping(type), ...(input.AttributeMapping ?? {}) }, pool.settings);
  const details = await checkDetails(type, input.ProviderDetails ?? {}, ctx.now);
  const p: IdentityProviderRecord = {
    poolId: pool.id,
    name,
    type,
    details: sealDetails(ctx.secrets, pool.id, name, details),
    attributeMapping: mapping,
    idpIdentifiers: input.IdpIdentifiers ?? [],
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await ctx.store.transaction(async (tx) => {
    await loadPool(tx, pool.id, { forUpdate: true });
    const all = await tx.identityProviders.all(pool.id);
    if (all.some((o) => o.name === name)) throw errors.duplicateProvider(`A provider with the name ${name} already exists in this user pool.`);
    if (all.length >= MAX_PROVIDERS_PER_POOL) throw errors.limitExceeded(`The user pool has reached its limit of ${MAX_PROVIDERS_PER_POOL} identity providers.`);
    checkIdentifiers(p.idpIdentifiers, all);
    try {
      await tx.identityProviders.insert(p);
    } catch (e) {
      if (e instanceof ConflictError) throw errors.duplicateProvider(`A provider with the name ${name} already exists in this user pool.`);
      throw e;
    }
  });
  return { IdentityProvider: await renderProvider(ctx, pool, p) };
}
