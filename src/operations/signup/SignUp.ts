import type { SignUpRequest } from '@aws-sdk/client-cognito-identity-provider';
import { signUp } from '../../account/sign-up.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';

/** Self-service sign-up (account/sign-up.ts). */
export async function SignUp(input: SignUpRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  return signUp(ctx, client, pool, input);
}
