import type { ListUserPoolClientSecretsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadClient } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { renderSecret } from './secrets.js';

/**
 * The client's secrets, ids and creation dates, never their values; all in one page (two at most,
 * so NextToken is never returned; one given is ignored, as the model's documentation says).
 */
export async function ListUserPoolClientSecrets(input: ListUserPoolClientSecretsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const client = await loadClient(ctx.store, pool.id, input.ClientId!);
  return { ClientSecrets: client.secrets.map((s) => renderSecret(s, false)) };
}
