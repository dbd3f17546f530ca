import type { ListTermsRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';
import { loadPool } from '../pools/shared.js';
import { describeTerms, listKind, pageSize } from './shared.js';

/** The pool's terms documents (every client's), by id, paged. */
export async function ListTerms(input: ListTermsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const kind = listKind(pool.id);
  const after = decodeToken(kind, input.NextToken);
  const { items, next } = await page(kind, pageSize(input.MaxResults), (n) => ctx.store.config.listTerms(pool.id, after, n), (t) => t.termsId);
  return { Terms: items.map(describeTerms), ...(next ? { NextToken: next } : {}) };
}
