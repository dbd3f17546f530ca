import type { VerifyUserAttributeRequest } from '@aws-sdk/client-cognito-identity-provider';
import { pendingOf, withPending } from '../../domain/attribute-updates.js';
import { consumeCode } from '../../domain/codes.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';
import { authorize } from './shared.js';

/**
 * The code from GetUserAttributeVerificationCode (or UpdateUserAttributes): the attribute is
 * verified, and a value that waited for verification replaces the old one. An email or phone that
 * is an alias of another user is AliasExistsException.
 */
export async function VerifyUserAttribute(input: VerifyUserAttributeRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  const name = input.AttributeName!;
  if (name !== 'email' && name !== 'phone_number') throw errors.invalidParameter(`Only email and phone_number can be verified, not ${name}.`);
  await consumeCode(ctx.store, pool.id, user.usernameKey, `VERIFY:${name}`, input.Code!, ctx.now);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    const pending = { ...pendingOf(u) };
    const attributes = { ...u.attributes };
    if (pending[name] !== undefined) {
      attributes[name] = pending[name]!;
      delete pending[name];
    }
    if (!attributes[name]) throw errors.invalidParameter(`The user has no ${name} to verify.`);
    attributes[name === 'email' ? 'email_verified' : 'phone_number_verified'] = 'true';
    await saveUser(tx, pool, { ...u, attributes, extra: withPending(u.extra, pending), updatedAt: ctx.now }, { now: ctx.now });
  });
  return {};
}
