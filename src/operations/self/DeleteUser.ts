import type { DeleteUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { authorize } from './shared.js';

/** The user deletes itself; its tokens, codes, aliases and memberships go with it. */
export async function DeleteUser(input: DeleteUserRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  await ctx.store.users.delete(pool.id, user.usernameKey);
  return {};
}
