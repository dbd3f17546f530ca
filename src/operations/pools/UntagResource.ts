import type { UntagResourceRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { poolFromArn } from './shared.js';

export async function UntagResource(input: UntagResourceRequest, ctx: Ctx) {
  await ctx.store.transaction(async (tx) => {
    const pool = await poolFromArn(input.ResourceArn!, { ...ctx, store: tx });
    const tags = { ...pool.tags };
    for (const k of input.TagKeys ?? []) delete tags[k];
    await tx.pools.update({ ...pool, tags });
  });
  return {};
}
