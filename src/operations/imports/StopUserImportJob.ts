import type { StopUserImportJobRequest } from '@aws-sdk/client-cognito-identity-provider';
import { STOPPED_MESSAGE } from '../../imports/runner.js';
import { CognitoError } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadJob, renderJob } from './shared.js';

/**
 * A job not yet picked up is Stopped at once; a running one becomes Stopping and its runner stops
 * it after the batch in hand (Stopped). A stopped job cannot be started again.
 */
export async function StopUserImportJob(input: StopUserImportJobRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const job = await loadJob(ctx.store, pool.id, input.JobId!);
  const done = { completed_at: ctx.now, completion_message: STOPPED_MESSAGE };
  if (job.status === 'Pending' && job.runner === null && (await ctx.store.imports.change(job.jobId, { status: 'Stopped', ...done }, { from: ['Pending'], unclaimed: true }))) {
    await ctx.store.imports.deleteFile(job.jobId);
  } else if (!(await ctx.store.imports.change(job.jobId, { status: 'Stopping' }, { from: ['Pending', 'InProgress'] }))) {
    throw new CognitoError('PreconditionNotMetException', `The import job is ${job.status}: only a Pending or InProgress job can be stopped.`);
  }
  return { UserImportJob: renderJob(await loadJob(ctx.store, pool.id, job.jobId), ctx) };
}
