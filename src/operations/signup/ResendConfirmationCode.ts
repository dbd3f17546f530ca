import type { ResendConfirmationCodeRequest } from '@aws-sdk/client-cognito-identity-provider';
import { issueCode } from '../../domain/codes.js';
import { deliveryDetails, sendCode, signUpChannel } from '../../domain/notify.js';
import { errors } from '../../protocol/errors.js';
import { loadClientAndPool } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { hidesUsers, notFound, userForClient } from './shared.js';

export async function ResendConfirmationCode(input: ResendConfirmationCodeRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  const user = await userForClient(ctx.store, client, pool, input.Username!, input.SecretHash);
  if (!user || !user.enabled) {
    if (hidesUsers(client)) return { CodeDeliveryDetails: simulated(input.Username!) };
    throw user ? errors.notAuthorized('User is disabled.') : notFound();
  }
  if (user.status !== 'UNCONFIRMED') throw errors.invalidParameter('User is already confirmed.');
  const channel = signUpChannel(pool, user);
  if (!channel) throw errors.invalidParameter('There is no auto-verified email or phone_number to send a confirmation code to.');
  const code = await issueCode(ctx.store, pool.id, user.usernameKey, 'SIGN_UP', ctx.now);
  return { CodeDeliveryDetails: await sendCode(ctx.delivery, pool, user, channel, 'RESEND_CODE', code, { publicUrl: ctx.publicUrl, clientId: client.id }) };
}

/** What PreventUserExistenceErrors answers for a user that does not exist: a plausible masked email. */
export function simulated(name: string) {
  const local = name.includes('@') ? name : `${name}@example.com`;
  return deliveryDetails({ medium: 'EMAIL', attribute: 'email', destination: local });
}
