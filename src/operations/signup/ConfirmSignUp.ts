import type { ConfirmSignUpRequest } from '@aws-sdk/client-cognito-identity-provider';
import { confirmSignUpRequest } from '../../account/sign-up.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';

/** Confirms a sign-up with its code (account/sign-up.ts). */
export async function ConfirmSignUp(input: ConfirmSignUpRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  return confirmSignUpRequest(ctx, client, pool, input);
}
