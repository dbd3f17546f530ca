/**
 * import_jobs, import_files (the uploaded CSV in chunks) and import_log. Status changes are
 * conditional updates (from the statuses a change may leave), so two requests or two nodes never
 * both make the same change; a node runs a job only while it holds the job's lease.
 */
import type { Db } from '../db.js';
import { BulkInsert, type SqliteRows } from '../bulk.js';
import type { Database } from '../schema.js';

export type ImportStatus = 'Created' | 'Pending' | 'InProgress' | 'Stopping' | 'Stopped' | 'Succeeded' | 'Failed' | 'Expired';
/** Statuses of a job that is running or about to (one at a time in a pool; the pool is locked meanwhile). */
export const ACTIVE_STATUSES: ImportStatus[] = ['Pending', 'InProgress', 'Stopping'];

export interface ImportJob {
  jobId: string;
  poolId: string;
  jobName: string;
  roleArn: string;
  status: ImportStatus;
  createdAt: number;
  startedAt: number | null;
  completedAt: number | null;
  imported: number;
  skipped: number;
  failed: number;
  completionMessage: string | null;
  uploadBytes: number | null;
  linesDone: number;
  runner: string | null;
  leaseUntil: number | null;
}

const toJob = (r: Database['import_jobs']): ImportJob => ({
  jobId: r.job_id,
  poolId: r.pool_id,
  jobName: r.job_name,
  roleArn: r.role_arn,
  status: r.status as ImportStatus,
  createdAt: Number(r.created_at),
  startedAt: r.started_at === null ? null : Number(r.started_at),
  completedAt: r.completed_at === null ? null : Number(r.completed_at),
  imported: Number(r.imported),
  skipped: Number(r.skipped),
  failed: Number(r.failed),
  completionMessage: r.completion_message,
  uploadBytes: r.upload_bytes === null ? null : Number(r.upload_bytes),
  linesDone: Number(r.lines_done),
  runner: r.runner,
  leaseUntil: r.lease_until === null ? null : Number(r.lease_until),
});

/** Columns a change may set. */
export type ImportPatch = Partial<Omit<Database['import_jobs'], 'job_id' | 'pool_id' | 'job_name' | 'role_arn' | 'created_at'>>;

export class ImportRepo {
  private readonly bulkLog: BulkInsert;

  constructor(
    private readonly db: Db,
    kind: 'sqlite' | 'postgres',
    private readonly sqliteRows?: SqliteRows,
  ) {
    this.bulkLog = new BulkInsert(
      kind,
      'import_log',
      'job_id',
      [
        ['line', 'integer'],
        ['message', 'text'],
      ],
      50,
    );
  }

  async insert(j: ImportJob): Promise<void> {
    await this.db
      .insertInto('import_jobs')
      .values({
        job_id: j.jobId,
        pool_id: j.poolId,
        job_name: j.jobName,
        role_arn: j.roleArn,
        status: j.status,
        created_at: j.createdAt,
        started_at: j.startedAt,
        completed_at: j.completedAt,
        imported: j.imported,
        skipped: j.skipped,
        failed: j.failed,
        completion_message: j.completionMessage,
        upload_bytes: j.uploadBytes,
        lines_done: j.linesDone,
        runner: j.runner,
        lease_until: j.leaseUntil,
      })
      .execute();
  }

  async get(jobId: string): Promise<ImportJob | undefined> {
    const r = await this.db.selectFrom('import_jobs').selectAll().where('job_id', '=', jobId).executeTakeFirst();
    return r && toJob(r);
  }

  /** Newest first; `after` is the cursor the previous page returned. */
  async list(poolId: string, after: string | undefined, limit: number): Promise<{ jobs: ImportJob[]; cursor?: string }> {
    let q = this.db.selectFrom('import_jobs').selectAll().where('pool_id', '=', poolId);
    if (after !== undefined) {
      let c: [number, string] = [Number.MAX_SAFE_INTEGER, ''];
      try {
        const v = JSON.parse(after);
        if (Array.isArray(v) && typeof v[0] === 'number' && typeof v[1] === 'string') c = [v[0], v[1]];
      } catch {
        // an unreadable cursor starts from the newest
      }
      q = q.where((eb) => eb.or([eb('created_at', '<', c[0]), eb.and([eb('created_at', '=', c[0]), eb('job_id', '<', c[1])])]));
    }
    const rows = await q.orderBy('created_at', 'desc').orderBy('job_id', 'desc').limit(limit + 1).execute();
    const jobs = rows.slice(0, limit).map(toJob);
    const last = jobs[jobs.length - 1];
    return { jobs, ...(rows.length > limit && last ? { cursor: JSON.stringify([last.createdAt, last.jobId]) } : {}) };
  }

  /**
   * Applies the patch if the job is in one of `from` (and, with `runner`, still held by it; with
   * `unclaimed`, held by no node).
   * False when it was not: another request or node changed it first.
   */
  async change(jobId: string, patch: ImportPatch, where: { from?: ImportStatus[]; runner?: string; unclaimed?: boolean } = {}): Promise<boolean> {
    let q = this.db.updateTable('import_jobs').set(patch).where('job_id', '=', jobId);
    if (where.from) q = q.where('status', 'in', where.from);
    if (where.runner !== undefined) q = q.where('runner', '=', where.runner);
    if (where.unclaimed) q = q.where('runner', 'is', null);
    const r = await q.executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** A job of the pool that is running or about to. */
  async active(poolId: string): Promise<ImportJob | undefined> {
    const r = await this.db.selectFrom('import_jobs').selectAll().where('pool_id', '=', poolId).where('status', 'in', ACTIVE_STATUSES).executeTakeFirst();
    return r && toJob(r);
  }

  /** Created jobs older than `before` become Expired, and their files go. */
  async expire(before: number, now: number): Promise<void> {
    const stale = await this.db.selectFrom('import_jobs').select('job_id').where('status', '=', 'Created').where('created_at', '<', before).execute();
    for (const { job_id } of stale) {
      if (await this.change(job_id, { status: 'Expired', completed_at: now, completion_message: 'The import job expired before it was started.' }, { from: ['Created'] })) {
        await this.deleteFile(job_id);
      }
    }
  }

  /**
   * Claims a job to run: an active one whose lease is free or lapsed (a node that died). The
   * claim is a conditional update, so of two nodes only one gets a given job.
   */
  async claim(runner: string, now: number, leaseMs: number): Promise<ImportJob | undefined> {
    const candidates = await this.db
      .selectFrom('import_jobs')
      .select('job_id')
      .where('status', 'in', ACTIVE_STATUSES)
      .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
      .orderBy('created_at')
      .limit(5)
      .execute();
    for (const { job_id } of candidates) {
      const r = await this.db
        .updateTable('import_jobs')
        .set({ runner, lease_until: now + leaseMs })
        .where('job_id', '=', job_id)
        .where('status', 'in', ACTIVE_STATUSES)
        .where((eb) => eb.or([eb('lease_until', 'is', null), eb('lease_until', '<', now)]))
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) > 0) return this.get(job_id);
    }
    return undefined;
  }

  /** Frees every claim (a single-process SQLite store at start: no other process can hold one). */
  async releaseAll(): Promise<void> {
    await this.db.updateTable('import_jobs').set({ runner: null, lease_until: null }).where('runner', 'is not', null).execute();
  }

  async putChunk(jobId: string, seq: number, data: Buffer): Promise<void> {
    await this.db.insertInto('import_files').values({ job_id: jobId, seq, data }).execute();
  }

  async chunk(jobId: string, seq: number): Promise<Buffer | undefined> {
    const r = await this.db.selectFrom('import_files').select('data').where('job_id', '=', jobId).where('seq', '=', seq).executeTakeFirst();
    return r ? Buffer.from(r.data) : undefined;
  }

  async deleteFile(jobId: string): Promise<void> {
    await this.db.deleteFrom('import_files').where('job_id', '=', jobId).execute();
  }

  /** Log lines of one job (inside a transaction). */
  async addLog(jobId: string, rows: { line: number; message: string }[]): Promise<void> {
    await this.bulkLog.run(
      this.db,
      this.sqliteRows,
      jobId,
      rows.map((r) => [r.line, r.message]),
    );
  }

  /**
   * Records the log lines of rows committed out of line order (a batch of a window written in
   * username order), in one row: they go to import_log once every line before them is done.
   */
  async addPending(jobId: string, lines: readonly { line: number; message: string }[]): Promise<void> {
    if (lines.length === 0) return;
    // Keyed by the batch's first line: batches of a job never share a line.
    let first = Infinity;
    const pairs: [number, string][] = new Array(lines.length);
    for (let i = 0; i < lines.length; i++) {
      const l = lines[i]!;
      if (l.line < first) first = l.line;
      pairs[i] = [l.line, l.message];
    }
    await this.db.insertInto('import_pending').values({ job_id: jobId, line: first, lines: JSON.stringify(pairs) }).execute();
  }

  /** The pending log lines after line `after` (rows whose outcome is committed), by line. */
  async pending(jobId: string, after: number): Promise<Map<number, string>> {
    const rows = await this.db.selectFrom('import_pending').select('lines').where('job_id', '=', jobId).execute();
    const out = new Map<number, string>();
    for (const r of rows) {
      for (const [line, message] of JSON.parse(r.lines) as [number, string][]) if (line > after) out.set(line, message);
    }
    return out;
  }

  async deletePending(jobId: string): Promise<void> {
    await this.db.deleteFrom('import_pending').where('job_id', '=', jobId).execute();
  }

  /** Log lines after line `after`, in order. */
  async log(jobId: string, after: number, limit: number): Promise<{ line: number; message: string }[]> {
    const rows = await this.db
      .selectFrom('import_log')
      .select(['line', 'message'])
      .where('job_id', '=', jobId)
      .where('line', '>', after)
      .orderBy('line')
      .limit(limit)
      .execute();
    return rows.map((r) => ({ line: Number(r.line), message: r.message }));
  }
}
