import type { DescribeRiskConfigurationRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadClient } from '../../domain/clients.js';
import type { Ctx } from '../context.js';
import { renderRisk } from './risk.js';
import { securedPool } from './shared.js';

/**
 * The risk configuration that applies: with ClientId, the client's own when it has one, else the
 * pool's (answered without ClientId, since it is not the client's); nothing set: the pool id alone.
 */
export async function DescribeRiskConfiguration(input: DescribeRiskConfigurationRequest, ctx: Ctx) {
  const pool = await securedPool(ctx.store, input.UserPoolId!);
  if (input.ClientId !== undefined) {
    await loadClient(ctx.store, pool.id, input.ClientId);
    const own = await ctx.store.authEvents.getRisk(pool.id, input.ClientId);
    if (own) return { RiskConfiguration: renderRisk(pool.id, input.ClientId, own) };
  }
  return { RiskConfiguration: renderRisk(pool.id, undefined, await ctx.store.authEvents.getRisk(pool.id, '')) };
}
