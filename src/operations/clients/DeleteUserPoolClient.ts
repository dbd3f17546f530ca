import type { DeleteUserPoolClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';

export async function DeleteUserPoolClient(input: DeleteUserPoolClientRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (!(await ctx.store.clients.delete(pool.id, input.ClientId!))) {
    throw errors.resourceNotFound(`User pool client ${input.ClientId} does not exist.`);
  }
  // Its own risk configuration goes with it.
  await ctx.store.authEvents.deleteRisk(pool.id, input.ClientId!);
  return {};
}
