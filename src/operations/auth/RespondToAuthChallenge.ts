import type { RespondToAuthChallengeRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadClientAndPool } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { respond } from './flows.js';

/** Answers PASSWORD_VERIFIER (SRP) or NEW_PASSWORD_REQUIRED. */
export async function RespondToAuthChallenge(input: RespondToAuthChallengeRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  return respond(ctx, pool, client, input);
}
