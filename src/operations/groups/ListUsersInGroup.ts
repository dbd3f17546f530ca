import type { ListUsersInGroupRequest } from '@aws-sdk/client-cognito-identity-provider';
import { renderUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';
import { loadPool } from '../pools/shared.js';
import { loadGroup, pageSize, scopedKind } from './shared.js';

/** The group's members as UserType (as ListUsers returns them), by username, paged through the membership key. */
export async function ListUsersInGroup(input: ListUsersInGroupRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const group = await loadGroup(ctx.store, pool.id, input.GroupName!);
  const kind = scopedKind('members', pool.id, group.name);
  const after = decodeToken(kind, input.NextToken);
  const { items, next } = await page(
    kind,
    pageSize(input.Limit),
    (n) => ctx.store.groups.listMembers(pool.id, group.name, after, n),
    (u) => u.usernameKey,
  );
  return { Users: items.map((u) => renderUser(u)), ...(next ? { NextToken: next } : {}) };
}
