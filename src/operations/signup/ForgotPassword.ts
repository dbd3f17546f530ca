import type { ForgotPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { issueCode } from '../../domain/codes.js';
import { recoveryChannel, sendCode } from '../../domain/notify.js';
import { errors } from '../../protocol/errors.js';
import { cannotReset } from '../users/AdminResetUserPassword.js';
import { loadClientAndPool } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { simulated } from './ResendConfirmationCode.js';
import { hidesUsers, notFound, userForClient } from './shared.js';

/** A password-reset code to the user's verified email or phone (valid one hour). */
export async function ForgotPassword(input: ForgotPasswordRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  // A pool whose account recovery is admin_only has no self-service reset, whoever is named
  // (getmoto/moto#4469, from its author's runs against Cognito): before the user is looked up, so
  // the answer is the same for every name.
  if (pool.settings.AccountRecoverySetting?.RecoveryMechanisms?.some((m) => m.Name === 'admin_only')) {
    throw errors.notAuthorized('Contact administrator to reset password.');
  }
  const user = await userForClient(ctx.store, client, pool, input.Username!, input.SecretHash);
  // A user with a temporary password signs in with it (NEW_PASSWORD_REQUIRED); Cognito refuses the
  // reset, verified address or not (amplify-js#2955, aws-aspnet-cognito-identity-provider#37).
  if (user?.enabled && user.status === 'FORCE_CHANGE_PASSWORD') throw cannotReset();
  const channel = user && recoveryChannel(pool, user);
  if (!user || !user.enabled || !channel) {
    if (hidesUsers(client)) return { CodeDeliveryDetails: simulated(ctx, pool, input.Username!, 'recovery') };
    if (!user) throw notFound();
    if (!user.enabled) throw errors.notAuthorized('User is disabled.');
    throw errors.invalidParameter('Cannot reset password for the user as there is no registered/verified email or phone_number');
  }
  const code = await issueCode(ctx.store, pool.id, user.usernameKey, 'FORGOT_PASSWORD', ctx.now);
  return { CodeDeliveryDetails: await sendCode(ctx.delivery, pool, user, channel, 'FORGOT_PASSWORD', code) };
}
