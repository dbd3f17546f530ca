import type { ListUserPoolsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { decodeToken, page } from '../pagination.js';
import { epochSeconds, type Ctx } from '../context.js';

/** The pools of the request's region, in id order. */
export async function ListUserPools(input: ListUserPoolsRequest, ctx: Ctx) {
  const after = decodeToken('pools', input.NextToken);
  const { items, next } = await page(
    'pools',
    input.MaxResults!,
    (n) => ctx.store.pools.list(ctx.region, after, n),
    (p) => p.id,
  );
  return {
    UserPools: items.map((p) => ({
      Id: p.id,
      Name: p.name,
      LambdaConfig: p.settings.LambdaConfig ?? {},
      LastModifiedDate: epochSeconds(p.updatedAt),
      CreationDate: epochSeconds(p.createdAt),
    })),
    ...(next ? { NextToken: next } : {}),
  };
}
