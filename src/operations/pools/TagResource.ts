import type { TagResourceRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { checkTags, poolFromArn } from './shared.js';

export async function TagResource(input: TagResourceRequest, ctx: Ctx) {
  await ctx.store.transaction(async (tx) => {
    const pool = await poolFromArn(input.ResourceArn!, { ...ctx, store: tx });
    const tags = { ...pool.tags, ...input.Tags };
    checkTags(tags);
    await tx.pools.update({ ...pool, tags });
  });
  return {};
}
