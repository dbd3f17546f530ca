import type { ConfirmForgotPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { confirmForgotPassword } from '../../account/password-reset.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';

/** The reset code and a new password (account/password-reset.ts). */
export async function ConfirmForgotPassword(input: ConfirmForgotPasswordRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  return confirmForgotPassword(ctx, client, pool, input);
}
