import type { AdminUserGlobalSignOutRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadPoolAndUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';

/** Signs the user out everywhere: every refresh token, and the access tokens issued with them. */
export async function AdminUserGlobalSignOut(input: AdminUserGlobalSignOutRequest, ctx: Ctx) {
  const { pool, user } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  await ctx.store.tokens.revokeUser(pool.id, user.usernameKey, ctx.now);
  return {};
}
