import type { DeleteResourceServerRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { resourceServerNotFound } from './shared.js';

/**
 * Deletes the server and so its scopes. App clients keep them in AllowedOAuthScopes, inactive, as
 * Cognito does: tokens no longer carry them, and a server created again with the same identifier
 * and scope names makes them active again (docs/decisions.md).
 */
export async function DeleteResourceServer(input: DeleteResourceServerRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (!(await ctx.store.resourceServers.delete(pool.id, input.Identifier!))) {
    throw resourceServerNotFound(pool.id, input.Identifier!);
  }
  return {};
}
