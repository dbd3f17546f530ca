import type { InitiateAuthRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import { loadClientAndPool } from '../clients/shared.js';
import type { Ctx } from '../context.js';
import { passwordAuth, refreshAuth, refreshSecretCheck, requireFlow, param, srpStart, unsupportedFlow } from './flows.js';

/** The client-side sign-in: USER_PASSWORD_AUTH, USER_SRP_AUTH, REFRESH_TOKEN_AUTH / REFRESH_TOKEN. */
export async function InitiateAuth(input: InitiateAuthRequest, ctx: Ctx) {
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  const p = input.AuthParameters;
  switch (input.AuthFlow) {
    case 'USER_PASSWORD_AUTH':
      requireFlow(client, 'USER_PASSWORD_AUTH');
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
    case 'ADMIN_USER_PASSWORD_AUTH':
    case 'ADMIN_NO_SRP_AUTH':
      throw errors.invalidParameter('Initiate Auth method not supported.');
    default:
      return unsupportedFlow(input.AuthFlow!);
  }
}
