import type { AdminSetUserPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { checkPassword } from '../../domain/passwords.js';
import { passwordFields } from '../../domain/credentials.js';
import { loadUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';

/** Permanent: the user is CONFIRMED with this password; otherwise it is temporary (FORCE_CHANGE_PASSWORD). */
export async function AdminSetUserPassword(input: AdminSetUserPasswordRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  checkPassword(input.Password!, pool.settings);
  const found = await loadUser(ctx.store, pool, input.Username!);
  const password = await passwordFields(ctx.secrets, pool, found.username, input.Password!, ctx.now);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, input.Username!);
    const status = input.Permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    await saveUser(tx, pool, { ...u, status, ...password, updatedAt: ctx.now }, { now: ctx.now });
    await tx.codes.delete(pool.id, u.usernameKey, 'FORGOT_PASSWORD');
  });
  return {};
}
