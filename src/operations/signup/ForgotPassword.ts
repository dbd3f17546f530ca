import type { ForgotPasswordRequest } from '@aws-sdk/client-cognito-identity-provider';
import { forgotPassword } from '../../account/password-reset.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';

/** A password-reset code (account/password-reset.ts). */
export async function ForgotPassword(input: ForgotPasswordRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  return forgotPassword(ctx, client, pool, input);
}
