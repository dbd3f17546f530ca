import type { DeleteUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { checkNoImport, loadPool } from './shared.js';

export async function DeleteUserPool(input: DeleteUserPoolRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (pool.settings.DeletionProtection === 'ACTIVE') {
    throw errors.invalidParameter(
      'The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.',
    );
  }
  await checkNoImport(ctx.store, pool.id);
  if (!(await ctx.store.pools.delete(pool.id))) throw errors.resourceNotFound(`User pool ${pool.id} does not exist.`);
  return {};
}
