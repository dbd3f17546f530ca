import type { ConfirmForgotPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { codeExpired, codeMismatch, consumeCode } from '../../domain/codes.js';
import { checkPassword } from '../../domain/passwords.js';
import { passwordFields } from '../../domain/credentials.js';
import { errors } from '../../protocol/errors.js';
import { loadClientAndPool } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';
import { hidesUsers, notFound, userForClient } from './shared.js';

/** The reset code and a new password: the user is CONFIRMED with it (RESET_REQUIRED users too). */
export async function ConfirmForgotPassword(input: ConfirmForgotPasswordRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  const user = await userForClient(ctx.store, client, pool, input.Username!, input.SecretHash);
  if (!user || !user.enabled) {
    // PreventUserExistenceErrors: an unknown or disabled user looks like a wrong code.
    if (hidesUsers(client)) throw codeMismatch();
    throw user ? errors.notAuthorized('User is disabled.') : notFound();
  }
  checkPassword(input.Password!, pool.settings, 'doesNot');
  if (!(await ctx.store.codes.get(pool.id, user.usernameKey, 'FORGOT_PASSWORD'))) throw codeExpired();
  const password = await passwordFields(ctx.secrets, pool, user.username, input.Password!, ctx.now);
  await consumeCode(ctx.store, pool.id, user.usernameKey, 'FORGOT_PASSWORD', input.ConfirmationCode!, ctx.now);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    const status = u.status === 'UNCONFIRMED' ? 'UNCONFIRMED' : 'CONFIRMED';
    await saveUser(tx, pool, { ...u, status, ...password, updatedAt: ctx.now }, { now: ctx.now });
  });
  return {};
}
