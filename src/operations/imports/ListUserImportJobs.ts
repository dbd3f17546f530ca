import type { ListUserImportJobsRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { decodeToken, encodeToken } from '../pagination.js';
import { loadPool } from '../pools/shared.js';
import { renderJob } from './shared.js';

/** The pool's jobs, newest first, MaxResults (1 to 60) a page. */
export async function ListUserImportJobs(input: ListUserImportJobsRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const after = decodeToken(`import-jobs:${pool.id}`, input.PaginationToken, 'PaginationToken');
  const { jobs, cursor } = await ctx.store.imports.list(pool.id, after, input.MaxResults!);
  return {
    UserImportJobs: jobs.map((j) => renderJob(j, ctx)),
    ...(cursor !== undefined ? { PaginationToken: encodeToken(`import-jobs:${pool.id}`, cursor) } : {}),
  };
}
