import type { UpdateAuthEventFeedbackRequest } from '@aws-sdk/client-cognito-identity-provider';
import { openFeedbackToken } from '../../domain/auth-events.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { eventUser, securedPool } from './shared.js';

/**
 * The user's own feedback on an event, authorized by the event's FeedbackToken (what the
 * notification email's links carry; domain/auth-events.ts). Provider "User".
 */
export async function UpdateAuthEventFeedback(input: UpdateAuthEventFeedbackRequest, ctx: Ctx) {
  const pool = await securedPool(ctx.store, input.UserPoolId!);
  const user = await eventUser(ctx.store, pool, input.Username!);
  if (!openFeedbackToken(ctx.secrets, pool.id, user.usernameKey, input.EventId!, input.FeedbackToken!)) {
    throw errors.notAuthorized('The feedback token is not valid for this event and user.');
  }
  const feedback = { FeedbackValue: input.FeedbackValue!, Provider: 'User', at: ctx.now };
  if (!(await ctx.store.authEvents.setFeedback(pool.id, user.usernameKey, input.EventId!, feedback))) {
    throw errors.resourceNotFound(`Auth event ${input.EventId} does not exist for this user.`);
  }
  return {};
}
