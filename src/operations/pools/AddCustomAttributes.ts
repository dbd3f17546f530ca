import type { AddCustomAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import { withCustomAttributes } from '../../domain/pool-settings.js';
import type { Ctx } from '../context.js';
import { checkNoImport, loadPool } from './shared.js';

export async function AddCustomAttributes(input: AddCustomAttributesRequest, ctx: Ctx) {
  await ctx.store.transaction(async (tx) => {
    const pool = await loadPool(tx, input.UserPoolId!, { forUpdate: true });
    await checkNoImport(tx, pool.id);
    const SchemaAttributes = withCustomAttributes(pool.settings, input.CustomAttributes!);
    await tx.pools.update({ ...pool, settings: { ...pool.settings, SchemaAttributes }, updatedAt: ctx.now });
  });
  return {};
}
