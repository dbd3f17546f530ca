import type { ListResourceServersRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';
import { loadPool } from '../pools/shared.js';
import { listKind, pageSize, renderResourceServer } from './shared.js';

/** The pool's resource servers by identifier (byte order), paged through the primary key. */
export async function ListResourceServers(input: ListResourceServersRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const kind = listKind(pool.id);
  const after = decodeToken(kind, input.NextToken);
  const { items, next } = await page(
    kind,
    pageSize(input.MaxResults),
    (n) => ctx.store.resourceServers.list(pool.id, after, n),
    (rs) => rs.identifier,
  );
  return { ResourceServers: items.map(renderResourceServer), ...(next ? { NextToken: next } : {}) };
}
