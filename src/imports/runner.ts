/**
 * Runs user import jobs in the background. Every node polls for an active job whose lease is free
 * (or lapsed: its node died) and claims it with a conditional update, so exactly one node runs a
 * given job. The file is read from the database as a stream and imported in batches; each batch
 * commits in one transaction with the job's counts, its log lines and the last line done, and only
 * while this node still holds the claim. A crash (SIGKILL) therefore loses at most the batch in
 * flight, which the next run redoes: no user is duplicated or half-written, and the counts always
 * match the users that exist.
 */
import { randomUUID } from 'node:crypto';
import type { UserRecord, AliasClaim, PoolRecord, Store } from '../store/types.js';
import type { ImportJob } from '../store/repos/imports.js';
import { aliasClaims } from '../domain/users.js';
import { ImportFileError, logLine, readImportFile, scanImportFile, type RowOutcome } from '../domain/import-csv.js';
import { ConflictError } from '../store/errors.js';

export interface RunnerOptions {
  /** How long a claim holds without renewal (each batch renews it). */
  leaseMs: number;
  /** How often an idle node looks for work. */
  pollMs: number;
  /** Rows per transaction. */
  batchSize: number;
  /** Created jobs not started within this expire. */
  expireAfterMs: number;
  /** Writes a job's log lines to the server log (undefined: not written). */
  log?: (jobId: string, lines: string[]) => void;
  onError: (msg: string, e: unknown) => void;
}

export const DEFAULT_RUNNER_OPTIONS: Omit<RunnerOptions, 'onError'> = {
  leaseMs: 15_000,
  pollMs: 1_000,
  batchSize: 500,
  expireAfterMs: 24 * 3600_000,
};

export const SUCCEEDED_MESSAGE = 'Import Job Completed Successfully.';
export const STOPPED_MESSAGE = 'The Import Job was stopped by the developer.';

/** The batch lost its claim (another node took the job over, or it was stopped): roll it back. */
class ClaimLost extends Error {}

export class ImportRunner {
  readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;
  private closing = false;

  constructor(private readonly store: Store, private readonly opts: RunnerOptions) {}

  start(): void {
    this.timer = setInterval(() => this.kick(), this.opts.pollMs);
    this.timer.unref();
    this.kick();
  }

  /** Looks for work now (StartUserImportJob calls it on its node). */
  kick(): void {
    if (this.busy || this.closing) return;
    this.busy = this.work()
      .catch((e) => this.opts.onError('import runner failed', e))
      .finally(() => {
        this.busy = undefined;
      });
  }

  /** Stops taking work; a job in progress stops after its batch and its claim is released for others. */
  async close(): Promise<void> {
    this.closing = true;
    if (this.timer) clearInterval(this.timer);
    await this.busy;
  }

  private async work(): Promise<void> {
    const now = Date.now();
    await this.store.imports.expire(now - this.opts.expireAfterMs, now);
    for (;;) {
      if (this.closing) return;
      const job = await this.store.imports.claim(this.id, Date.now(), this.opts.leaseMs);
      if (!job) return;
      await this.run(job);
    }
  }

  private async run(job: ImportJob): Promise<void> {
    const { store } = this;
    const pool = await store.pools.get(job.poolId);
    if (!pool) return;
    if (job.status === 'Stopping') return this.finish(job, 'Stopped', STOPPED_MESSAGE);
    // Not Pending any more: stopped between the claim and now (finish it as Stopped at once).
    if (job.status === 'Pending' && !(await store.imports.change(job.jobId, { status: 'InProgress' }, { from: ['Pending'], runner: this.id }))) {
      return this.afterLostClaim(job);
    }

    const counts = { imported: job.imported, skipped: job.skipped, failed: job.failed };
    let batch: RowOutcome[] = [];
    try {
      // A file that cannot be imported fails before any user is: read it once through first (a
      // resumed job has passed this already).
      if (job.linesDone <= 1) await scanImportFile(this.file(job.jobId), pool);
      for await (const outcome of readImportFile(this.file(job.jobId), pool, { skipLines: job.linesDone })) {
        batch.push(outcome);
        if (batch.length >= this.opts.batchSize) {
          if (!(await this.commit(job, pool, batch, counts))) return this.afterLostClaim(job);
          batch = [];
          // Let API requests through between batches (on SQLite they wait for the batch's transaction).
          await new Promise((r) => setTimeout(r, 10));
          if (this.closing) return this.release(job);
        }
      }
      if (batch.length && !(await this.commit(job, pool, batch, counts))) return this.afterLostClaim(job);
    } catch (e) {
      if (e instanceof ImportFileError) return this.finish(job, 'Failed', e.message);
      throw e;
    }
    return this.finish(job, 'Succeeded', SUCCEEDED_MESSAGE);
  }

  /** The uploaded file, chunk by chunk from the database. */
  private async *file(jobId: string): AsyncGenerator<Buffer> {
    for (let seq = 0; ; seq++) {
      const chunk = await this.store.imports.chunk(jobId, seq);
      if (!chunk) return;
      yield chunk;
    }
  }

  /**
   * Imports one batch in one transaction: new users (RESET_REQUIRED) with their aliases, the log
   * lines, the counts and the last line done. False when the claim was lost (nothing written).
   */
  private async commit(job: ImportJob, pool: PoolRecord, batch: RowOutcome[], counts: { imported: number; skipped: number; failed: number }): Promise<boolean> {
    const now = Date.now();
    const next = { ...counts };
    let lines: { jobId: string; line: number; message: string }[] = [];
    try {
      await this.store.transaction(async (tx) => {
        next.imported = counts.imported;
        next.skipped = counts.skipped;
        next.failed = counts.failed;
        lines = [];
        const candidates = batch.filter((o): o is Extract<RowOutcome, { kind: 'user' }> => o.kind === 'user');
        const existing = await tx.users.existingKeys(pool.id, candidates.map((c) => c.usernameKey));
        const records = new Map<number, { user: UserRecord; claims: AliasClaim[] }>();
        for (const c of candidates) {
          const user: UserRecord = {
            poolId: pool.id,
            username: c.username,
            usernameKey: c.usernameKey,
            sub: c.sub,
            status: 'RESET_REQUIRED',
            enabled: true,
            attributes: c.attributes,
            passwordHash: null,
            srpVerifier: null,
            passwordUpdatedAt: null,
            extra: {},
            createdAt: now,
            updatedAt: now,
          };
          records.set(c.line, { user, claims: aliasClaims(pool, user) });
        }
        const taken = await tx.users.takenAliases(pool.id, [...records.values()].flatMap((r) => r.claims));
        const usernameKinds = new Set<string>(pool.settings.UsernameAttributes ?? []);
        const seenKeys = new Set<string>();
        const toInsert: UserRecord[] = [];
        const toClaim: AliasClaim[][] = [];
        for (const o of batch) {
          if (o.kind === 'failed') {
            next.failed++;
            lines.push({ jobId: job.jobId, line: o.line, message: logLine('FAILED', o.line, o.reason) });
            continue;
          }
          const { user, claims } = records.get(o.line)!;
          const clash = claims.find((c) => taken.has(`${c.kind}\u0000${c.valueKey}`) || seenKeys.has(`alias\u0000${c.kind}\u0000${c.valueKey}`));
          if (existing.has(user.usernameKey) || seenKeys.has(user.usernameKey) || (clash && usernameKinds.has(clash.kind))) {
            next.skipped++;
            lines.push({ jobId: job.jobId, line: o.line, message: logLine('SKIPPED', o.line, 'The user already exists.') });
            continue;
          }
          if (clash) {
            next.failed++;
            lines.push({ jobId: job.jobId, line: o.line, message: logLine('FAILED', o.line, `An account with the given ${clash.kind} already exists.`) });
            continue;
          }
          seenKeys.add(user.usernameKey);
          for (const c of claims) seenKeys.add(`alias\u0000${c.kind}\u0000${c.valueKey}`);
          toInsert.push(user);
          toClaim.push(claims);
          next.imported++;
          lines.push({ jobId: job.jobId, line: o.line, message: logLine('SUCCEEDED', o.line) });
        }
        await tx.users.insertMany(toInsert, toClaim);
        await tx.imports.addLog(lines);
        const ok = await tx.imports.change(
          job.jobId,
          { imported: next.imported, skipped: next.skipped, failed: next.failed, lines_done: batch[batch.length - 1]!.line, lease_until: Date.now() + this.opts.leaseMs },
          { from: ['InProgress'], runner: this.id },
        );
        if (!ok) throw new ClaimLost();
      });
    } catch (e) {
      if (e instanceof ClaimLost) return false;
      // A user created by the API between the check and the insert: the batch is redone next time.
      if (e instanceof ConflictError) throw new Error(`import ${job.jobId}: a username or alias was taken during the batch; the job will retry it`);
      throw e;
    }
    Object.assign(counts, next);
    this.opts.log?.(job.jobId, lines.map((l) => l.message));
    return true;
  }

  /** The claim was lost: stopped by the developer (finish it as Stopped), or taken over by another node. */
  private async afterLostClaim(job: ImportJob): Promise<void> {
    const now = await this.store.imports.get(job.jobId);
    if (now?.status === 'Stopping' && now.runner === this.id) return this.finish(now, 'Stopped', STOPPED_MESSAGE);
  }

  /** Gives the job back (this node is closing): another node, or this one restarted, resumes it. */
  private async release(job: ImportJob): Promise<void> {
    await this.store.imports.change(job.jobId, { runner: null, lease_until: null }, { runner: this.id });
  }

  private async finish(job: ImportJob, status: 'Succeeded' | 'Failed' | 'Stopped', message: string): Promise<void> {
    const done = await this.store.imports.change(
      job.jobId,
      { status, completed_at: Date.now(), completion_message: message, runner: null, lease_until: null },
      { from: status === 'Stopped' ? ['Stopping'] : ['InProgress'], runner: this.id },
    );
    if (done) await this.store.imports.deleteFile(job.jobId);
  }
}
