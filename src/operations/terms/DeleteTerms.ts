import type { DeleteTermsRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadTerms } from './shared.js';

export async function DeleteTerms(input: DeleteTermsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (!(await ctx.store.config.deleteTerms(pool.id, input.TermsId!.toLowerCase()))) await loadTerms(ctx.store, pool.id, input.TermsId!);
  return {};
}
