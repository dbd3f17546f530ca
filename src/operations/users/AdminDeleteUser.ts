import type { AdminDeleteUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadPoolAndUser } from '../../domain/users.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';

/** Deletes the user with its aliases, codes and group memberships (ON DELETE CASCADE). */
export async function AdminDeleteUser(input: AdminDeleteUserRequest, ctx: Ctx) {
  const { pool, user: u } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  if (!(await ctx.store.users.delete(pool.id, u.usernameKey))) throw errors.userNotFound('User does not exist.');
  return {};
}
