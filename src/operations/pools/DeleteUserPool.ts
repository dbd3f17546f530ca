import type { DeleteUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { checkNoImport, loadPool } from './shared.js';

/**
 * Deletes the pool and everything in it (ON DELETE CASCADE). Refused while deletion protection is
 * on, while an import job runs, and while the pool has a domain (Cognito's text:
 * hashicorp/terraform-provider-aws#16479, rebuy-de/aws-nuke#330). The pool row is locked
 * (PostgreSQL) from the checks to the delete, as CreateUserPoolDomain locks it.
 */
export async function DeleteUserPool(input: DeleteUserPoolRequest, ctx: Ctx) {
  await ctx.store.transaction(async (tx) => {
    const pool = await loadPool(tx, input.UserPoolId!, { forUpdate: true });
    if (pool.settings.DeletionProtection === 'ACTIVE') {
      throw errors.invalidParameter(
        'The user pool cannot be deleted because deletion protection is activated. Deletion protection must be inactivated first.',
      );
    }
    await checkNoImport(tx, pool.id);
    if ((await tx.domains.listForPool(pool.id)).length > 0) {
      throw errors.invalidParameter('User pool cannot be deleted. It has a domain configured that should be deleted first.');
    }
    if (!(await tx.pools.delete(pool.id))) throw errors.resourceNotFound(`User pool ${pool.id} does not exist.`);
  });
  return {};
}
