import type { ConfirmSignUpRequest } from '@aws-sdk/client-cognito-identity-provider';
import { checkCode, codeMismatch, useCode } from '../../domain/codes.js';
import { errors } from '../../protocol/errors.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../../store/types.js';
import { loadClientAndPool } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';
import { hidesUsers, notFound, userForClient } from './shared.js';

/**
 * The code proves the user owns the address it went to: the user is CONFIRMED and that attribute
 * verified. An alias held by another user fails with AliasExistsException unless ForceAliasCreation.
 */
export async function ConfirmSignUp(input: ConfirmSignUpRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  const user = await userForClient(ctx.store, client, pool, input.Username!, input.SecretHash);
  await confirmSignUp(ctx, client, pool, user, input.ConfirmationCode!, input.ForceAliasCreation ?? false);
  return {};
}

/**
 * Confirms a sign-up with its code, for ConfirmSignUp and for the confirmation link
 * (oauth/confirm-user.ts): the same checks (user, status, code: expiry, single use, attempt limit)
 * and the same writes.
 */
export async function confirmSignUp(ctx: Ctx, client: ClientRecord, pool: PoolRecord, user: UserRecord | undefined, code: string, forceAlias: boolean): Promise<void> {
  if (!user) throw hidesUsers(client) ? codeMismatch() : notFound();
  if (user.status !== 'UNCONFIRMED') throw errors.notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  const codeHash = await checkCode(ctx.store, pool.id, user.usernameKey, 'SIGN_UP', code, ctx.now);
  // The code is used in the transaction of the write: when the alias is taken (AliasExistsException)
  // it stays valid, for the retry with ForceAliasCreation.
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    await useCode(tx, codeHash, pool.id, user.usernameKey, 'SIGN_UP');
    const attrs = { ...u.attributes };
    const auto = pool.settings.AutoVerifiedAttributes ?? [];
    // The code went to the phone when it is auto-verified, else to the email (notify.signUpChannel).
    if (auto.includes('phone_number') && attrs.phone_number) attrs.phone_number_verified = 'true';
    else if (auto.includes('email') && attrs.email) attrs.email_verified = 'true';
    await saveUser(tx, pool, { ...u, status: 'CONFIRMED', attributes: attrs, updatedAt: ctx.now }, { forceAlias, now: ctx.now });
  });
}
