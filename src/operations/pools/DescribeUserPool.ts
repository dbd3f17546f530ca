import type { DescribeUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool, renderPool } from './shared.js';

export async function DescribeUserPool(input: DescribeUserPoolRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const [users, domains] = await Promise.all([ctx.store.users.count(pool.id), ctx.store.domains.listForPool(pool.id)]);
  return { UserPool: renderPool(pool, ctx, users, domains) };
}
