import type { GetLogDeliveryConfigurationRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { renderLogDelivery } from './shared.js';

/** The pool's log delivery configuration; none set: the pool id and an empty list. */
export async function GetLogDeliveryConfiguration(input: GetLogDeliveryConfigurationRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  return { LogDeliveryConfiguration: renderLogDelivery(pool.id, (await ctx.store.config.getLogDelivery(pool.id)) ?? []) };
}
