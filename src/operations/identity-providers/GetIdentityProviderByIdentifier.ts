import type { GetIdentityProviderByIdentifierRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { renderProvider } from './shared.js';

/** The provider one of whose IdpIdentifiers is the one given (compared without case). */
export async function GetIdentityProviderByIdentifier(input: GetIdentityProviderByIdentifierRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const wanted = input.IdpIdentifier!.toLowerCase();
  const p = (await ctx.store.identityProviders.all(pool.id)).find((x) => x.idpIdentifiers.some((i) => i.toLowerCase() === wanted));
  // Message ours (unverified).
  if (!p) throw errors.resourceNotFound(`No identity provider of user pool ${pool.id} has the identifier ${input.IdpIdentifier}.`);
  return { IdentityProvider: await renderProvider(ctx, pool, p) };
}
