import type { GetTokensFromRefreshTokenRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import { loadClientAndPool } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { clientSecretProblem } from './client-secret.js';
import { refreshAuth, requireFlow } from '../../signin/index.js';

/**
 * Refresh with the plain client secret. With RefreshTokenRotation ENABLED it returns a new refresh
 * token; the old one keeps working for RetryGracePeriodSeconds, then is RefreshTokenReuseException.
 */
export async function GetTokensFromRefreshToken(input: GetTokensFromRefreshTokenRequest, ctx: Ctx) {
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  const { client, pool } = await loadClientAndPool(ctx.store, input.ClientId!);
  requireFlow(client, 'REFRESH_TOKEN_AUTH');
  const problem = clientSecretProblem(client, input.ClientSecret);
  if (problem === 'missing') throw errors.notAuthorized(`Client ${client.id} is configured for secret but secret was not received`);
  if (problem === 'wrong') throw errors.notAuthorized(`Unable to verify secret for client ${client.id}`);
  const rotation = client.settings.RefreshTokenRotation;
  const r = await refreshAuth(
    ctx,
    pool,
    client,
    input.RefreshToken!,
    () => {},
    rotation?.Feature === 'ENABLED' ? { graceSeconds: rotation.RetryGracePeriodSeconds ?? 0 } : undefined,
    input.DeviceKey,
  );
  return { AuthenticationResult: r.tokens };
}
