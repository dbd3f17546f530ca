import type { DescribeUserImportJobRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadJob, renderJob } from './shared.js';

/** The job, with its counts as far as the import has committed them. */
export async function DescribeUserImportJob(input: DescribeUserImportJobRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  return { UserImportJob: renderJob(await loadJob(ctx.store, pool.id, input.JobId!), ctx) };
}
