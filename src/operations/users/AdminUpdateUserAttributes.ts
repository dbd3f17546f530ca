import type { AdminUpdateUserAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import { planUpdate, withPending } from '../../domain/attribute-updates.js';
import { checkMutable, checkValues, toMap } from '../../domain/attributes.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { sendVerificationCode } from '../self/shared.js';
import { NO_CLIENT } from '../../triggers/catalog.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';

/**
 * Changing the email or phone number un-verifies it, unless the same request sets it verified.
 * In pools that keep the original value until the new one is verified, the new value waits and a
 * code goes to it. In pools with UsernameAttributes the username attribute cannot be emptied.
 */
export async function AdminUpdateUserAttributes(input: AdminUpdateUserAttributesRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const changes = toMap(input.UserAttributes);
  checkValues(changes, pool.settings);
  const { updated, pending } = await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, input.Username!);
    checkMutable(u.attributes, changes, pool.settings);
    const plan = planUpdate(pool, u, changes);
    const next = { ...u, attributes: plan.attributes, extra: withPending(u.extra, plan.pending), updatedAt: ctx.now };
    await saveUser(tx, pool, next, { now: ctx.now });
    return { updated: next, pending: plan.verify.filter((a) => plan.pending[a] !== undefined) };
  });
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  for (const attr of pending) await sendVerificationCode(ctx, pool, updated, attr, { clientId: NO_CLIENT, source: 'UpdateUserAttribute' });
  return {};
}
