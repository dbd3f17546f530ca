import type { AdminSetUserSettingsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import { lockUser } from '../../domain/user-writes.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';

/** The deprecated SMS MFA options (only SMS with phone_number is valid), returned as MFAOptions. */
export async function AdminSetUserSettings(input: AdminSetUserSettingsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  for (const o of input.MFAOptions ?? []) {
    if (o.DeliveryMedium !== 'SMS' || o.AttributeName !== 'phone_number') {
      throw errors.invalidParameter('Only SMS MFA with the phone_number attribute can be set with MFAOptions.');
    }
  }
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, input.Username!);
    await tx.users.update({ ...u, extra: { ...u.extra, mfaOptions: input.MFAOptions ?? [] }, updatedAt: ctx.now });
  });
  return {};
}
