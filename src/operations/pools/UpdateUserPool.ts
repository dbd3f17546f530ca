import type { UpdateUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import { updatePoolSettings } from '../../domain/pool-settings.js';
import { checkPoolMfa } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { checkNoImport, checkTags, loadPool } from './shared.js';

/** A full replace of the updatable settings: omitted fields go back to their defaults. */
export async function UpdateUserPool(input: UpdateUserPoolRequest, ctx: Ctx) {
  await ctx.store.transaction(async (tx) => {
    const current = await loadPool(tx, input.UserPoolId!, { forUpdate: true });
    await checkNoImport(tx, current.id);
    const settings = updatePoolSettings(current.settings, input);
    checkPoolMfa(settings);
    const tags = input.UserPoolTags ?? current.tags;
    checkTags(tags);
    await tx.pools.update({ ...current, name: input.PoolName ?? current.name, settings, tags, updatedAt: ctx.now });
  });
  return {};
}
