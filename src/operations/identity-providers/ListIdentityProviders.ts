import type { ListIdentityProvidersRequest } from '@aws-sdk/client-cognito-identity-provider';
import { epochSeconds, type Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';
import { loadPool } from '../pools/shared.js';
import { listKind, pageSize } from './shared.js';

/** The pool's providers by name (byte order): ProviderDescription, paged through the primary key. */
export async function ListIdentityProviders(input: ListIdentityProvidersRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const kind = listKind(pool.id);
  const after = decodeToken(kind, input.NextToken);
  const { items, next } = await page(kind, pageSize(input.MaxResults), (n) => ctx.store.identityProviders.list(pool.id, after, n), (p) => p.name);
  return {
    Providers: items.map((p) => ({ ProviderName: p.name, ProviderType: p.type, LastModifiedDate: epochSeconds(p.updatedAt), CreationDate: epochSeconds(p.createdAt) })),
    ...(next ? { NextToken: next } : {}),
  };
}
