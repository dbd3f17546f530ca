import type { DescribeManagedLoginBrandingByClientRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadClient } from '../../domain/clients.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { renderBranding } from './managed-login.js';

/** The client's style; a client without one is ResourceNotFoundException. */
export async function DescribeManagedLoginBrandingByClient(input: DescribeManagedLoginBrandingByClientRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const client = await loadClient(ctx.store, pool.id, input.ClientId!);
  const b = await ctx.store.config.brandingOfClient(pool.id, client.id);
  // Message ours (unverified).
  if (!b) throw errors.resourceNotFound(`App client ${client.id} has no managed login branding style.`);
  return { ManagedLoginBranding: renderBranding(b) };
}
