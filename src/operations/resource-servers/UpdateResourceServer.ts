import type { UpdateResourceServerRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { checkScopes, loadResourceServer, renderResourceServer } from './shared.js';

/**
 * A full replace of the name and the scopes: omitted Scopes leave the server with none (the model:
 * "If you don't provide a value for an attribute, it is set to the default value"). App clients
 * keep the scopes this removes in their AllowedOAuthScopes, inactive (docs/decisions.md).
 */
export async function UpdateResourceServer(input: UpdateResourceServerRequest, ctx: Ctx) {
  const scopes = checkScopes(input.Scopes);
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const updated = await ctx.store.transaction(async (tx) => {
    const rs = await loadResourceServer(tx, pool.id, input.Identifier!, { forUpdate: true });
    const next = { ...rs, name: input.Name!, scopes, updatedAt: ctx.now };
    await tx.resourceServers.update(next);
    return next;
  });
  return { ResourceServer: renderResourceServer(updated) };
}
