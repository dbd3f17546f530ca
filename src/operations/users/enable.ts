/**
 * AdminEnableUser / AdminDisableUser: the Enabled flag. Disabling also revokes the user's sign-ins
 * ("Deactivates a user profile and revokes all access tokens for the user", the API reference), with
 * their refresh tokens, as a global sign-out does: enabling the user again does not bring them back.
 */
import type { AdminDisableUserRequest, AdminEnableUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { lockUser } from '../../domain/user-writes.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';

async function setEnabled(poolId: string, name: string, enabled: boolean, ctx: Ctx) {
  const pool = await loadPool(ctx.store, poolId);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, name);
    await tx.users.update({ ...u, enabled, updatedAt: ctx.now });
    if (!enabled) await tx.tokens.revokeUser(pool.id, u.usernameKey, ctx.now);
  });
  return {};
}

export const AdminEnableUser = (input: AdminEnableUserRequest, ctx: Ctx) => setEnabled(input.UserPoolId!, input.Username!, true, ctx);
export const AdminDisableUser = (input: AdminDisableUserRequest, ctx: Ctx) => setEnabled(input.UserPoolId!, input.Username!, false, ctx);
