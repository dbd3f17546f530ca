import type { AdminAddUserToGroupRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { lockUser } from '../../domain/user-writes.js';
import { loadGroup, MAX_GROUPS_PER_USER } from './shared.js';

/**
 * Adds the user (named by username, alias or sub) to the group; adding a member again is a
 * success. The group is checked first, then the user (ResourceNotFoundException "Group not found."
 * / UserNotFoundException "User does not exist."; the order when both are missing is unverified).
 * In the transaction the group is share-locked (a concurrent DeleteGroup waits) and the user
 * locked (two concurrent adds of one user cannot both pass the 100-groups quota).
 */
export async function AdminAddUserToGroup(input: AdminAddUserToGroupRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  await ctx.store.transaction(async (tx) => {
    const group = await loadGroup(tx, pool.id, input.GroupName!, { forShare: true });
    const user = await lockUser(tx, pool, input.Username!);
    if (await tx.groups.isMember(pool.id, group.name, user.usernameKey)) return;
    if ((await tx.groups.countForUser(pool.id, user.usernameKey)) >= MAX_GROUPS_PER_USER) {
      // Message ours (unverified): Cognito's wording for this quota is not documented.
      throw errors.limitExceeded(`A user can belong to at most ${MAX_GROUPS_PER_USER} groups.`);
    }
    await tx.groups.addMember(pool.id, group.name, user.usernameKey);
  });
  return {};
}
