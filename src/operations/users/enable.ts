/** AdminEnableUser / AdminDisableUser: the Enabled flag. */
import type { AdminDisableUserRequest, AdminEnableUserRequest } from '@aws-sdk/client-cognito-identity-provider';
import { lockUser } from './shared.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';

async function setEnabled(poolId: string, name: string, enabled: boolean, ctx: Ctx) {
  const pool = await loadPool(ctx.store, poolId);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, name);
    await tx.users.update({ ...u, enabled, updatedAt: ctx.now });
  });
  return {};
}

export const AdminEnableUser = (input: AdminEnableUserRequest, ctx: Ctx) => setEnabled(input.UserPoolId!, input.Username!, true, ctx);
export const AdminDisableUser = (input: AdminDisableUserRequest, ctx: Ctx) => setEnabled(input.UserPoolId!, input.Username!, false, ctx);
