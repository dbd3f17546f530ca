import type { GlobalSignOutRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { authorize } from './shared.js';

/** Signs the user out everywhere: every refresh token, and the access tokens issued with them. */
export async function GlobalSignOut(input: GlobalSignOutRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  await ctx.store.tokens.revokeUser(pool.id, user.usernameKey, ctx.now);
  return {};
}
