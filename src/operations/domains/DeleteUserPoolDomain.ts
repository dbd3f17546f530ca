import type { DeleteUserPoolDomainRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { noSuchDomain } from './shared.js';

/**
 * Deletes the domain, which the named pool must hold: a domain of another pool, or none, is
 * Cognito's InvalidParameterException "No such domain or user pool exists." and stays as it is.
 */
export async function DeleteUserPoolDomain(input: DeleteUserPoolDomainRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (!(await ctx.store.domains.delete(pool.id, input.Domain!))) throw noSuchDomain();
  return {};
}
