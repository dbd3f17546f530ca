import type { GetUserAttributeVerificationCodeRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { authorize, sendVerificationCode } from './shared.js';

/** Sends a code that VerifyUserAttribute takes, to the user's email or phone number. */
export async function GetUserAttributeVerificationCode(input: GetUserAttributeVerificationCodeRequest, ctx: Ctx) {
  const { pool, user, client } = await authorize(ctx, input.AccessToken!);
  const name = input.AttributeName!;
  if (name !== 'email' && name !== 'phone_number') throw errors.invalidParameter(`Only email and phone_number can be verified, not ${name}.`);
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  return { CodeDeliveryDetails: await sendVerificationCode(ctx, pool, user, name, { clientId: client.id, source: 'VerifyUserAttribute' }) };
}
