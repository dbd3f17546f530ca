import type { ListUsersRequest } from '@aws-sdk/client-cognito-identity-provider';
import { renderUser, usernameKey } from '../../domain/users.js';
import { errors } from '../../protocol/errors.js';
import { FILTERABLE_ATTRIBUTES } from '../../store/repos/users.js';
import type { PoolRecord, UserFilter, UserRecord } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { decodeToken, encodeToken } from '../pagination.js';
import { loadPool } from '../pools/shared.js';

const SEARCHABLE = new Set<string>(['username', 'sub', 'cognito:user_status', 'status', ...FILTERABLE_ATTRIBUTES]);
const FILTER = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** `attr = "value"` or `attr ^= "value"` (prefix), Cognito's ListUsers filter language. */
export function parseFilter(pool: PoolRecord, filter: string | undefined): UserFilter | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const m = FILTER.exec(filter);
  // Cognito's text for any filter it cannot parse (aws/aws-sdk-php#1088, #1961).
  if (!m) throw errors.invalidParameter('Error while parsing filter.');
  const attr = m[1]!;
  if (!SEARCHABLE.has(attr)) {
    throw errors.invalidParameter(`Invalid search attribute: ${attr}. Searchable: ${[...SEARCHABLE].join(', ')}.`);
  }
  let value = m[3]!.replace(/\\(.)/g, '$1');
  if (attr === 'username') value = usernameKey(pool, value);
  // cognito:user_status is case-insensitive (the model's ListUsers.Filter text); statuses are stored upper-case.
  if (attr === 'cognito:user_status') value = value.toUpperCase();
  return { attr, value, prefix: m[2] === '^=' };
}

/** A stable order (by username, or by the filtered value then username), paged through an index. */
export async function ListUsers(input: ListUsersRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const filter = parseFilter(pool, input.Filter);
  const kind = `users/${pool.id}/${input.Filter ?? ''}`;
  const after = decodeToken(kind, input.PaginationToken, 'PaginationToken');
  const limit = input.Limit || 60;
  const { users, cursor } = await ctx.store.users.list(pool.id, { filter, after, limit });
  const only = input.AttributesToGet ? new Set(input.AttributesToGet) : undefined;
  if (only) checkAttributesToGet(pool, only, users);
  return {
    Users: users.map((u) => renderUser(u, only)),
    ...(cursor !== undefined ? { PaginationToken: encodeToken(kind, cursor) } : {}),
  };
}

/**
 * Cognito answers AttributesToGet naming an attribute that is not in the pool's schema, or that a
 * user of the results has no value for, with "One or more requested attributes do not exist."
 * (the model's AttributesToGet text; aws/aws-sdk-js#2570, #3091). `sub` is always there.
 */
function checkAttributesToGet(pool: PoolRecord, names: Set<string>, users: UserRecord[]): void {
  const schema = new Set((pool.settings.SchemaAttributes ?? []).map((a) => a.Name!));
  for (const name of names) {
    if (name === 'sub') continue;
    if (!schema.has(name) || users.some((u) => u.attributes[name] === undefined)) {
      throw errors.invalidParameter('One or more requested attributes do not exist.');
    }
  }
}
