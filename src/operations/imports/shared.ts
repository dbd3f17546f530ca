/** What the import-job operations share: the job of a pool, and its wire form (UserImportJobType). */
import { presignedUrl } from '../../imports/upload.js';
import { errors } from '../../protocol/errors.js';
import type { ImportJob } from '../../store/repos/imports.js';
import type { Store } from '../../store/types.js';
import { epochSeconds, type Ctx } from '../context.js';

/** The job, which must belong to the pool. */
export async function loadJob(store: Store, poolId: string, jobId: string): Promise<ImportJob> {
  const job = await store.imports.get(jobId);
  if (!job || job.poolId !== poolId) throw errors.resourceNotFound(`Import job ${jobId} does not exist in user pool ${poolId}.`);
  return job;
}

export function renderJob(job: ImportJob, ctx: Pick<Ctx, 'secrets' | 'publicUrl'>): object {
  return {
    JobName: job.jobName,
    JobId: job.jobId,
    UserPoolId: job.poolId,
    // The same URL every time (it expires 15 minutes after the job was created).
    PreSignedUrl: presignedUrl(ctx.secrets, ctx.publicUrl, job.jobId, job.createdAt),
    CreationDate: epochSeconds(job.createdAt),
    ...(job.startedAt !== null ? { StartDate: epochSeconds(job.startedAt) } : {}),
    ...(job.completedAt !== null ? { CompletionDate: epochSeconds(job.completedAt) } : {}),
    Status: job.status,
    CloudWatchLogsRoleArn: job.roleArn,
    ImportedUsers: job.imported,
    SkippedUsers: job.skipped,
    FailedUsers: job.failed,
    ...(job.completionMessage !== null ? { CompletionMessage: job.completionMessage } : {}),
  };
}
