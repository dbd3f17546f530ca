import type { UpdateUserPoolClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import { buildClientSettings } from '../../domain/client-settings.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadClient } from '../../domain/clients.js';
import { poolContext, renderClient } from './shared.js';

/** A full replace: every field the request omits goes back to its default. The secret stays. */
export async function UpdateUserPoolClient(input: UpdateUserPoolClientRequest, ctx: Ctx) {
  const { UserPoolId, ClientId, ClientName, ...rest } = input;
  const pool = await loadPool(ctx.store, UserPoolId!);
  const current = await loadClient(ctx.store, pool.id, ClientId!);
  const settings = buildClientSettings(rest, current.secret !== null, await poolContext(ctx.store, pool), 'updating');
  const updated = { ...current, name: ClientName ?? current.name, settings, updatedAt: ctx.now };
  if (!(await ctx.store.clients.update(updated))) throw errors.resourceNotFound(`User pool client ${current.id} does not exist.`);
  return { UserPoolClient: renderClient(updated) };
}
