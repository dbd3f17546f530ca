import type { SetLogDeliveryConfigurationRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { checkLogConfigurations, renderLogDelivery } from './shared.js';

/**
 * Stores the pool's log delivery configuration (a full replace; an empty list turns it off).
 * incognito ships no logs to AWS: the events go to its own log (README, "Log delivery").
 */
export async function SetLogDeliveryConfiguration(input: SetLogDeliveryConfigurationRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const configs = checkLogConfigurations(pool, input.LogConfigurations ?? []);
  await ctx.store.config.putLogDelivery(pool.id, configs, ctx.now);
  return { LogDeliveryConfiguration: renderLogDelivery(pool.id, configs) };
}
