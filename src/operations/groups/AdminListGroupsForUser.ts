import type { AdminListGroupsForUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';
import { loadPool } from '../pools/shared.js';
import { pageSize, renderGroup, scopedKind } from './shared.js';

/** The groups the user (username, alias or sub) belongs to, by name, paged through group_members_user. */
export async function AdminListGroupsForUser(input: AdminListGroupsForUserRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const user = await loadUser(ctx.store, pool, input.Username!);
  const kind = scopedKind('user-groups', pool.id, user.usernameKey);
  const after = decodeToken(kind, input.NextToken);
  const { items, next } = await page(
    kind,
    pageSize(input.Limit),
    (n) => ctx.store.groups.listForUser(pool.id, user.usernameKey, after, n),
    (g) => g.name,
  );
  return { Groups: items.map(renderGroup), ...(next ? { NextToken: next } : {}) };
}
