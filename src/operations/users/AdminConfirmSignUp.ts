import type { AdminConfirmSignUpRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';

export async function AdminConfirmSignUp(input: AdminConfirmSignUpRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, input.Username!);
    if (u.status !== 'UNCONFIRMED') throw errors.notAuthorized(`User cannot be confirmed. Current status is ${u.status}`);
    await saveUser(tx, pool, { ...u, status: 'CONFIRMED', updatedAt: ctx.now }, { now: ctx.now });
    await tx.codes.delete(pool.id, u.usernameKey, 'SIGN_UP');
  });
  return {};
}
