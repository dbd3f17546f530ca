import type { AdminRespondToAuthChallengeRequest } from '@aws-sdk/client-cognito-identity-provider';
import { answer } from '../../signin/index.js';
import { loadClient } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { toWire } from './wire.js';

/** RespondToAuthChallenge, server side (with the pool named). */
export async function AdminRespondToAuthChallenge(input: AdminRespondToAuthChallengeRequest, ctx: Ctx) {
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const client = await loadClient(ctx.store, pool.id, input.ClientId!);
  return toWire(await answer(ctx, pool, client, { channel: 'api', challengeName: input.ChallengeName, session: input.Session, responses: input.ChallengeResponses }));
}
