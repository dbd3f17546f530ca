import type { AdminInitiateAuthRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import { loadClient } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { passwordAuth, refreshAuth, refreshSecretCheck, requireFlow, param, srpStart, unsupportedFlow } from './flows.js';

/** The server-side sign-in: ADMIN_USER_PASSWORD_AUTH (legacy ADMIN_NO_SRP_AUTH), USER_SRP_AUTH, refresh. */
export async function AdminInitiateAuth(input: AdminInitiateAuthRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const client = await loadClient(ctx.store, pool.id, input.ClientId!);
  const p = input.AuthParameters;
  switch (input.AuthFlow) {
    case 'ADMIN_USER_PASSWORD_AUTH':
    case 'ADMIN_NO_SRP_AUTH':
      requireFlow(client, 'ADMIN_USER_PASSWORD_AUTH');
      return passwordAuth(ctx, pool, client, p);
    case 'USER_SRP_AUTH':
      requireFlow(client, 'USER_SRP_AUTH');
      return srpStart(ctx, pool, client, p);
    case 'REFRESH_TOKEN_AUTH':
    case 'REFRESH_TOKEN':
      requireFlow(client, 'REFRESH_TOKEN_AUTH');
      if (client.settings.RefreshTokenRotation?.Feature === 'ENABLED') {
        throw errors.invalidParameter('REFRESH_TOKEN_AUTH is not allowed for clients with refresh token rotation enabled: use GetTokensFromRefreshToken.');
      }
      return refreshAuth(ctx, pool, client, param(p, 'REFRESH_TOKEN'), refreshSecretCheck(client, p));
    case 'USER_PASSWORD_AUTH':
      throw errors.invalidParameter('Initiate Auth method not supported.');
    default:
      return unsupportedFlow(input.AuthFlow!);
  }
}
