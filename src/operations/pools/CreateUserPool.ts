import type { CreateUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import { createPoolSettings } from '../../domain/pool-settings.js';
import { newPoolId } from '../../domain/ids.js';
import { checkPoolMfa } from '../../domain/mfa.js';
import type { Ctx } from '../context.js';
import { checkTags, renderPool } from './shared.js';

export async function CreateUserPool(input: CreateUserPoolRequest, ctx: Ctx) {
  const settings = createPoolSettings(input);
  checkPoolMfa(settings);
  const tags = input.UserPoolTags ?? {};
  checkTags(tags);
  const pool = {
    id: newPoolId(ctx.region),
    region: ctx.region,
    name: input.PoolName!,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    settings,
    tags,
  };
  await ctx.store.pools.insert(pool);
  return { UserPool: renderPool(pool, ctx) };
}
