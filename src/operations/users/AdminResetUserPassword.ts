import type { AdminResetUserPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { issueCode } from '../../domain/codes.js';
import { recoveryChannel, sendCode } from '../../domain/notify.js';
import { loadPoolAndUser } from '../../domain/users.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { cannotReset } from '../../account/shared.js';
import { lockUser } from '../../domain/user-writes.js';
import { NO_CLIENT } from '../../triggers/catalog.js';

/**
 * The user must reset the password before signing in again (RESET_REQUIRED); a reset code goes to
 * the verified email or phone, which ConfirmForgotPassword takes.
 */
export async function AdminResetUserPassword(input: AdminResetUserPasswordRequest, ctx: Ctx) {
  const { pool, user: found } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  // Checked and written on the locked row, so a change made meanwhile is not overwritten.
  const { u, channel } = await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, found.username);
    if (u.status === 'UNCONFIRMED' || u.status === 'FORCE_CHANGE_PASSWORD') throw cannotReset();
    const channel = recoveryChannel(pool, u);
    if (!channel) throw errors.invalidParameter('Cannot reset password for the user as there is no registered/verified email or phone_number');
    await tx.users.update({ ...u, status: 'RESET_REQUIRED', updatedAt: ctx.now });
    return { u, channel };
  });
  const code = await issueCode(ctx.store, pool.id, u.usernameKey, 'FORGOT_PASSWORD', ctx.now);
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  await sendCode(ctx, pool, u, channel, 'ADMIN_RESET_PASSWORD', code, { clientId: NO_CLIENT });
  return {};
}
