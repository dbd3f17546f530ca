import type { ResendConfirmationCodeRequest } from '@aws-sdk/client-cognito-identity-provider';
import { issueCode } from '../../domain/codes.js';
import { deliveryDetails, recoveryChannel, sendCode, signUpChannel } from '../../domain/notify.js';
import type { PoolRecord } from '../../store/types.js';
import { errors } from '../../protocol/errors.js';
import { loadClientAndPool } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { hidesUsers, notFound, userForClient } from './shared.js';

export async function ResendConfirmationCode(input: ResendConfirmationCodeRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  const user = await userForClient(ctx.store, client, pool, input.Username!, input.SecretHash);
  if (!user || !user.enabled) {
    if (hidesUsers(client)) return { CodeDeliveryDetails: simulated(ctx, pool, input.Username!, 'sign-up') };
    throw user ? errors.notAuthorized('User is disabled.') : notFound();
  }
  if (user.status !== 'UNCONFIRMED') throw errors.invalidParameter('User is already confirmed.');
  const channel = signUpChannel(pool, user);
  if (!channel) throw errors.invalidParameter('There is no auto-verified email or phone_number to send a confirmation code to.');
  const code = await issueCode(ctx.store, pool.id, user.usernameKey, 'SIGN_UP', ctx.now);
  return { CodeDeliveryDetails: await sendCode(ctx.delivery, pool, user, channel, 'RESEND_CODE', code, { publicUrl: ctx.publicUrl, clientId: client.id }) };
}

/**
 * What PreventUserExistenceErrors answers for a user that does not exist (or cannot be sent a
 * code): delivery details shaped as a real user's would be in this pool, so that the answer does
 * not tell them apart: the medium the pool would use for this purpose (sign-up: its auto-verified
 * attributes; password reset: its AccountRecoverySetting), to a masked address made from the name
 * (an email, or a phone number stable per pool and name). Pools that would send nothing answer
 * with an email, as they always did.
 */
export function simulated(ctx: Pick<Ctx, 'secrets'>, pool: PoolRecord, name: string, purpose: 'sign-up' | 'recovery') {
  const email = name.includes('@') ? name : `${name}@example.com`;
  const digits = /^\+[0-9]{8,15}$/.test(name)
    ? name
    : `+1${BigInt(`0x${ctx.secrets.mac('simulated-phone', `${pool.id}\u0000${name}`).subarray(0, 8).toString('hex')}`).toString().slice(-10).padStart(10, '0')}`;
  // The attributes users of this pool would have: a phone where the pool verifies, signs in with or
  // aliases phone numbers; an email where it does so with emails, or has no phone.
  const uses = (a: string) =>
    [pool.settings.AutoVerifiedAttributes, pool.settings.UsernameAttributes, pool.settings.AliasAttributes].some((l) => (l as string[] | undefined)?.includes(a));
  const attributes: Record<string, string> = {};
  if (uses('phone_number')) Object.assign(attributes, { phone_number: digits, phone_number_verified: 'true' });
  if (uses('email') || !uses('phone_number')) Object.assign(attributes, { email, email_verified: 'true' });
  const channel = purpose === 'sign-up' ? signUpChannel(pool, { attributes }) : recoveryChannel(pool, { attributes });
  return deliveryDetails(channel ?? { medium: 'EMAIL', attribute: 'email', destination: email });
}
