import type { CreateUserImportJobRequest } from '@aws-sdk/client-cognito-identity-provider';
import { randomString } from '../../domain/ids.js';
import { errors } from '../../protocol/errors.js';
import type { ImportJob } from '../../store/repos/imports.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { renderJob } from './shared.js';

const ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@\/-]{1,512}$/;

/** A job in status Created, with the PreSignedUrl to PUT the CSV file to (15 minutes). */
export async function CreateUserImportJob(input: CreateUserImportJobRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (!ROLE_ARN.test(input.CloudWatchLogsRoleArn!)) {
    throw errors.invalidParameter(`CloudWatchLogsRoleArn must be an IAM role ARN (arn:aws:iam::<account id>:role/<name>), not '${input.CloudWatchLogsRoleArn}'.`);
  }
  const job: ImportJob = {
    jobId: `import-${randomString(10, 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789')}`,
    poolId: pool.id,
    jobName: input.JobName!,
    roleArn: input.CloudWatchLogsRoleArn!,
    status: 'Created',
    createdAt: ctx.now,
    startedAt: null,
    completedAt: null,
    imported: 0,
    skipped: 0,
    failed: 0,
    completionMessage: null,
    uploadBytes: null,
    linesDone: 1,
    runner: null,
    leaseUntil: null,
  };
  await ctx.store.imports.insert(job);
  return { UserImportJob: renderJob(job, ctx) };
}
