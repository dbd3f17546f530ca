import type { AdminListGroupsForUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadPoolAndUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';
import { pageSize, renderGroup, scopedKind } from './shared.js';

/** The groups the user (username, alias or sub) belongs to, by name, paged through group_members_user. */
export async function AdminListGroupsForUser(input: AdminListGroupsForUserRequest, ctx: Ctx) {
  const { pool, user } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
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
