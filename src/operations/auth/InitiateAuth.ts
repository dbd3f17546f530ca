import type { InitiateAuthRequest } from '@aws-sdk/client-cognito-identity-provider';
import { start } from '../../signin/index.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { toWire } from './wire.js';

/** The client-side sign-in: USER_PASSWORD_AUTH, USER_SRP_AUTH, CUSTOM_AUTH, REFRESH_TOKEN_AUTH / REFRESH_TOKEN. */
export async function InitiateAuth(input: InitiateAuthRequest, ctx: Ctx) {
  if (input.ClientMetadata) ctx.signInValidationData = input.ClientMetadata;
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  return toWire(await start(ctx, pool, client, { channel: 'api', side: 'client', flow: input.AuthFlow!, parameters: input.AuthParameters, ...(input.Session !== undefined ? { session: input.Session } : {}) }));
}
