import type { ListUserPoolClientsRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';
import { loadPool } from '../pools/shared.js';

export async function ListUserPoolClients(input: ListUserPoolClientsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const after = decodeToken(`clients/${pool.id}`, input.NextToken);
  const { items, next } = await page(
    `clients/${pool.id}`,
    input.MaxResults ?? 60,
    (n) => ctx.store.clients.list(pool.id, after, n),
    (c) => c.id,
  );
  return {
    UserPoolClients: items.map((c) => ({ ClientId: c.id, UserPoolId: c.poolId, ClientName: c.name })),
    ...(next ? { NextToken: next } : {}),
  };
}
