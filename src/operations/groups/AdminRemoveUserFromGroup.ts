import type { AdminRemoveUserFromGroupRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadGroup } from './shared.js';

/** Removes the user from the group; removing a user who is not a member is a success. Checks as AdminAddUserToGroup. */
export async function AdminRemoveUserFromGroup(input: AdminRemoveUserFromGroupRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const group = await loadGroup(ctx.store, pool.id, input.GroupName!);
  const user = await loadUser(ctx.store, pool, input.Username!);
  await ctx.store.groups.removeMember(pool.id, group.name, user.usernameKey);
  return {};
}
