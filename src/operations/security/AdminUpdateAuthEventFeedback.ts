import type { AdminUpdateAuthEventFeedbackRequest } from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { eventUser, securedPool } from './shared.js';

/** An administrator marks one of the user's events Valid or Invalid (Provider "Admin"). */
export async function AdminUpdateAuthEventFeedback(input: AdminUpdateAuthEventFeedbackRequest, ctx: Ctx) {
  const pool = await securedPool(ctx.store, input.UserPoolId!);
  const user = await eventUser(ctx.store, pool, input.Username!);
  const feedback = { FeedbackValue: input.FeedbackValue!, Provider: 'Admin', at: ctx.now };
  if (!(await ctx.store.authEvents.setFeedback(pool.id, user.usernameKey, input.EventId!, feedback))) {
    throw errors.resourceNotFound(`Auth event ${input.EventId} does not exist for this user.`);
  }
  return {};
}
