import type { AdminUserGlobalSignOutRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';

/** Signs the user out everywhere: every refresh token, and the access tokens issued with them. */
export async function AdminUserGlobalSignOut(input: AdminUserGlobalSignOutRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const user = await loadUser(ctx.store, pool, input.Username!);
  await ctx.store.tokens.revokeUser(pool.id, user.usernameKey, ctx.now);
  return {};
}
