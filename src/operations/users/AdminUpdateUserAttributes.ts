import type { AdminUpdateUserAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import { checkMutable, checkValues, toMap } from '../../domain/attributes.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { lockUser, saveUser } from './shared.js';

/**
 * Changing the email or phone number un-verifies it, unless the same request sets it verified.
 * In pools with UsernameAttributes the username attribute cannot be emptied.
 */
export async function AdminUpdateUserAttributes(input: AdminUpdateUserAttributesRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const changes = toMap(input.UserAttributes);
  checkValues(changes, pool.settings);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, input.Username!);
    checkMutable(u.attributes, changes, pool.settings);
    const attrs = { ...u.attributes, ...changes };
    for (const [attr, flag] of [['email', 'email_verified'], ['phone_number', 'phone_number_verified']] as const) {
      if (changes[attr] !== undefined && changes[attr] !== u.attributes[attr] && changes[flag] === undefined) attrs[flag] = 'false';
      if (changes[attr] === '') {
        if ((pool.settings.UsernameAttributes ?? []).includes(attr)) throw errors.invalidParameter(`Cannot remove the ${attr} of a user whose username it is.`);
        delete attrs[attr];
        delete attrs[flag];
      }
    }
    for (const [k, v] of Object.entries(attrs)) if (v === '') delete attrs[k];
    await saveUser(tx, pool, { ...u, attributes: attrs, updatedAt: ctx.now }, { now: ctx.now });
  });
  return {};
}
