import type { StartUserImportJobRequest } from '@aws-sdk/client-cognito-identity-provider';
import { canImport } from '../../domain/import-csv.js';
import { CognitoError } from '../../protocol/errors.js';
import type { Ctx } from '../context.js';
import { loadPool } from '../pools/shared.js';
import { loadJob, renderJob } from './shared.js';

const precondition = (message: string) => new CognitoError('PreconditionNotMetException', message);

/** Created → Pending: a node's runner picks the job up (src/imports/runner.ts). One active job a pool. */
export async function StartUserImportJob(input: StartUserImportJobRequest, ctx: Ctx) {
  const job = await ctx.store.transaction(async (tx) => {
    // The pool row lock serialises starts (and pool updates) in the pool.
    const pool = await loadPool(tx, input.UserPoolId!, { forUpdate: true });
    const job = await loadJob(tx, pool.id, input.JobId!);
    if (job.status !== 'Created') throw precondition(`The import job is ${job.status}: only a job in status Created can be started.`);
    if (job.uploadBytes === null) throw precondition("No file has been uploaded yet: PUT the CSV file to the job's PreSignedUrl first.");
    const refused = canImport(pool);
    if (refused) throw precondition(refused);
    const active = await tx.imports.active(pool.id);
    if (active) throw precondition(`Another import job (${active.jobId}) is ${active.status} in this user pool: one job runs at a time.`);
    if (!(await tx.imports.change(job.jobId, { status: 'Pending', started_at: ctx.now }, { from: ['Created'] }))) {
      throw precondition('The import job changed meanwhile: describe it and try again.');
    }
    return { ...job, status: 'Pending' as const, startedAt: ctx.now };
  });
  ctx.imports.kick();
  return { UserImportJob: renderJob(job, ctx) };
}
