import type { ResendConfirmationCodeRequest } from '@aws-sdk/client-cognito-identity-provider';
import { resendConfirmationCode } from '../../account/sign-up.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';

/** A new sign-up code (account/sign-up.ts). */
export async function ResendConfirmationCode(input: ResendConfirmationCodeRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  return resendConfirmationCode(ctx, client, pool, input);
}
