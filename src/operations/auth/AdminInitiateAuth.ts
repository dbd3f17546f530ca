import type { AdminInitiateAuthRequest } from '@aws-sdk/client-cognito-identity-provider';
import { start } from '../../signin/index.js';
import { loadClient } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { toWire } from './wire.js';

/** The server-side sign-in: ADMIN_USER_PASSWORD_AUTH (legacy ADMIN_NO_SRP_AUTH), USER_SRP_AUTH, CUSTOM_AUTH, refresh. */
export async function AdminInitiateAuth(input: AdminInitiateAuthRequest, ctx: Ctx) {
  if (input.ClientMetadata) ctx.signInValidationData = input.ClientMetadata;
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const client = await loadClient(ctx.store, pool.id, input.ClientId!);
  return toWire(await start(ctx, pool, client, { channel: 'api', side: 'admin', flow: input.AuthFlow!, parameters: input.AuthParameters, ...(input.Session !== undefined ? { session: input.Session } : {}) }));
}
