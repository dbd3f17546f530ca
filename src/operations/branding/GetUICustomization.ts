import type { GetUICustomizationRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadClient } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { ALL, renderUi } from './ui.js';

/**
 * The customization that applies: with ClientId, the client's own, else the pool's (ClientId ALL);
 * nothing set: the pool id and the client id alone.
 */
export async function GetUICustomization(input: GetUICustomizationRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const clientId = input.ClientId ?? ALL;
  if (clientId !== ALL) {
    await loadClient(ctx.store, pool.id, clientId);
    const own = await ctx.store.config.getUi(pool.id, clientId);
    if (own) return { UICustomization: renderUi(own) };
  }
  const all = await ctx.store.config.getUi(pool.id, ALL);
  return { UICustomization: all ? renderUi(all) : { UserPoolId: pool.id, ClientId: clientId } };
}
