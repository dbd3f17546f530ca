import type { UpdateUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import { updatePoolSettings } from '../../domain/pool-settings.js';
import { checkPoolMfa } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { errors } from '../../protocol/errors.js';
import type { Store } from '../../store/types.js';
import { checkNoImport, checkTags, loadPool } from './shared.js';

/**
 * The LITE tier has no choice-based sign-in: a pool whose app clients allow it (ALLOW_USER_AUTH,
 * "your user pool must be in the Essentials tier or higher") cannot move down to LITE until they
 * no longer do, as a client cannot be given ALLOW_USER_AUTH in a LITE pool. Message ours.
 */
async function checkNoUserAuthClient(store: Store, poolId: string): Promise<void> {
  let after: string | undefined;
  for (;;) {
    const page = await store.clients.list(poolId, after, 60);
    const c = page.find((x) => x.settings.ExplicitAuthFlows?.includes('ALLOW_USER_AUTH'));
    if (c) throw errors.featureUnavailableInTier(`ALLOW_USER_AUTH requires the ESSENTIALS or PLUS user pool tier, and app client ${c.id} has it: remove it from the client's ExplicitAuthFlows first.`);
    if (page.length < 60) return;
    after = page[page.length - 1]!.id;
  }
}

/** A full replace of the updatable settings: omitted fields go back to their defaults. */
export async function UpdateUserPool(input: UpdateUserPoolRequest, ctx: Ctx) {
  await ctx.store.transaction(async (tx) => {
    const current = await loadPool(tx, input.UserPoolId!, { forUpdate: true });
    await checkNoImport(tx, current.id);
    const settings = updatePoolSettings(current.settings, input);
    checkPoolMfa(settings);
    if (settings.UserPoolTier === 'LITE' && current.settings.UserPoolTier !== 'LITE') await checkNoUserAuthClient(tx, current.id);
    const tags = input.UserPoolTags ?? current.tags;
    checkTags(tags);
    await tx.pools.update({ ...current, name: input.PoolName ?? current.name, settings, tags, updatedAt: ctx.now });
  });
  return {};
}
