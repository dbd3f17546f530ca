import type { AdminRespondToAuthChallengeRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadClient } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { respond } from './flows.js';

/** RespondToAuthChallenge, server side (with the pool named). */
export async function AdminRespondToAuthChallenge(input: AdminRespondToAuthChallengeRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const client = await loadClient(ctx.store, pool.id, input.ClientId!);
  return respond(ctx, pool, client, input);
}
