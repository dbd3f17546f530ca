import type { CreateUserPoolClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import { buildClientSettings } from '../../domain/client-settings.js';
import { newClientId, newClientSecret } from '../../domain/ids.js';
import { errors } from '../../protocol/errors.js';
import { secretIdOf } from '../../domain/client-secrets.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { poolContext, renderClient } from './shared.js';

export async function CreateUserPoolClient(input: CreateUserPoolClientRequest, ctx: Ctx) {
  const { UserPoolId, ClientName, GenerateSecret, ClientSecret, ...rest } = input;
  if (GenerateSecret && ClientSecret !== undefined) {
    throw errors.invalidParameter('ClientSecret cannot be set when GenerateSecret is true: set one or the other.');
  }
  const pool = await loadPool(ctx.store, UserPoolId!);
  const secret = ClientSecret ?? (GenerateSecret ? newClientSecret() : null);
  const settings = buildClientSettings(rest, secret !== null, await poolContext(ctx.store, pool), 'creating');
  const id = newClientId();
  const client = {
    id,
    poolId: pool.id,
    name: ClientName!,
    secret,
    secrets: secret === null ? [] : [{ id: secretIdOf(id, ctx.now), value: secret, createdAt: ctx.now }],
    createdAt: ctx.now,
    updatedAt: ctx.now,
    settings,
  };
  await ctx.store.clients.insert(client);
  return { UserPoolClient: renderClient(client) };
}
