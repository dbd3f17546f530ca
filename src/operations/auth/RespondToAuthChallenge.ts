import type { RespondToAuthChallengeRequest } from '@aws-sdk/client-cognito-identity-provider';
import { answer } from '../../signin/index.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { toWire } from './wire.js';

/** Answers the challenge a sign-in asked (PASSWORD_VERIFIER, NEW_PASSWORD_REQUIRED, CUSTOM_CHALLENGE, ...). */
export async function RespondToAuthChallenge(input: RespondToAuthChallengeRequest, ctx: Ctx) {
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  return toWire(await answer(ctx, pool, client, { channel: 'api', challengeName: input.ChallengeName, session: input.Session, responses: input.ChallengeResponses }));
}
