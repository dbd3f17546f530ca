import type { DescribeTermsRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadTerms, renderTerms } from './shared.js';

export async function DescribeTerms(input: DescribeTermsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  return { Terms: renderTerms(await loadTerms(ctx.store, pool.id, input.TermsId!)) };
}
