import type { ListGroupsRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';
import { loadPool } from '../pools/shared.js';
import { pageSize, renderGroup } from './shared.js';

/** The pool's groups by name (byte order), paged through the primary key. */
export async function ListGroups(input: ListGroupsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const kind = `groups/${pool.id}`;
  const after = decodeToken(kind, input.NextToken);
  const { items, next } = await page(kind, pageSize(input.Limit), (n) => ctx.store.groups.list(pool.id, after, n), (g) => g.name);
  return { Groups: items.map(renderGroup), ...(next ? { NextToken: next } : {}) };
}
