import type { UpdateUserAttributesRequest } from '@aws-sdk/client-cognito-identity-provider';
import { planUpdate, withPending } from '../../domain/attribute-updates.js';
import { checkClientMayWrite, checkMutable, checkValues, toMap } from '../../domain/attributes.js';
import type { Ctx } from '../context.js';
import { lockUser, saveUser } from '../../domain/user-writes.js';
import { authorize, sendVerificationCode } from './shared.js';

/**
 * The signed-in user changes its attributes (those its client may write). A changed email or
 * phone number that the pool verifies automatically gets a code (CodeDeliveryDetailsList).
 */
export async function UpdateUserAttributes(input: UpdateUserAttributesRequest, ctx: Ctx) {
  const { pool, user, client } = await authorize(ctx, input.AccessToken!);
  const changes = toMap(input.UserAttributes);
  checkClientMayWrite(Object.keys(changes), client.settings, pool.settings);
  checkValues(changes, pool.settings);
  const { updated, verify } = await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    checkMutable(u.attributes, changes, pool.settings);
    const plan = planUpdate(pool, u, changes);
    const next = { ...u, attributes: plan.attributes, extra: withPending(u.extra, plan.pending), updatedAt: ctx.now };
    await saveUser(tx, pool, next, { now: ctx.now });
    return { updated: next, verify: plan.verify };
  });
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  const details = [];
  for (const attr of verify) details.push(await sendVerificationCode(ctx, pool, updated, attr, { clientId: client.id, source: 'UpdateUserAttribute' }));
  return details.length ? { CodeDeliveryDetailsList: details } : {};
}
