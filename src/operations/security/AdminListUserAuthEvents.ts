import type { AdminListUserAuthEventsRequest } from '@aws-sdk/client-cognito-identity-provider';
import { renderAuthEvent } from '../../domain/auth-events.js';
import { errors } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { decodeToken, encodeToken } from '../pagination.js';
import { eventUser, securedPool } from './shared.js';

const DEFAULT_PAGE = 60;

/** The user's auth events, newest first; MaxResults 0 or absent: 60 (the model's maximum). */
export async function AdminListUserAuthEvents(input: AdminListUserAuthEventsRequest, ctx: Ctx) {
  const pool = await securedPool(ctx.store, input.UserPoolId!);
  const user = await eventUser(ctx.store, pool, input.Username!);
  const limit = input.MaxResults ? input.MaxResults : DEFAULT_PAGE;
  const key = decodeToken(`events:${pool.id}:${user.usernameKey}`, input.NextToken);
  let before: { createdAt: number; eventId: string } | undefined;
  if (key !== undefined) {
    const i = key.indexOf(':');
    const createdAt = Number(key.slice(0, i));
    if (i < 0 || !Number.isSafeInteger(createdAt)) throw errors.invalidParameter('The NextToken is not valid: pass the token a previous response returned.');
    before = { createdAt, eventId: key.slice(i + 1) };
  }
  const rows = await ctx.store.authEvents.list(pool.id, user.usernameKey, before, limit + 1);
  const items = rows.slice(0, limit);
  const last = items[items.length - 1];
  return {
    AuthEvents: items.map(renderAuthEvent),
    ...(rows.length > limit && last ? { NextToken: encodeToken(`events:${pool.id}:${user.usernameKey}`, `${last.createdAt}:${last.eventId}`) } : {}),
  };
}
