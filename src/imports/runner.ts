/**
 * Runs user import jobs in the background. Every node polls for an active job whose lease is free
 * (or lapsed: its node died) and claims it with a conditional update, so exactly one node runs a
 * given job. The file is read from the database as a stream (parsed in a worker thread:
 * parse-off-thread.ts), a window of rows at a time (100,000):
 * the window's outcomes are decided in file order (against what the database holds, then the rows
 * before), then written sorted by username, in short transactions (about 20 ms on SQLite, where API
 * requests wait for them) with a yield to the event loop between them. Sorted, the rows of one
 * transaction land close together in every index of users, which are all ordered by (value,
 * username): an import writes each index page a few times instead of once per row. The window's new
 * subs are handed out in that order too, for the index on sub. While a window is written, the next
 * one is read and decided (on PostgreSQL the database works meanwhile).
 *
 * The window's size is what keeps an import's cost a row from growing with the pool: a transaction
 * writes a 1/(window / rows a transaction) slice of the window's key range, and the pages of each
 * index in that slice hold (pool / window) existing entries for every new one, so once the pool is
 * large each new row dirties a page of its own in each index (written to the WAL at every commit).
 * Measured in isolation (the users table and its indexes, 500 rows a transaction, WAL pages written
 * a user while the pool grows from 500,000 to 1,000,000): 1.47 with windows of 20,000, 0.83 with
 * 100,000; 200,000 gained nothing more. Two windows are held at a time (one written, the next
 * decided).
 *
 * Each transaction commits its users, their log lines (as one import_pending row) and the job's
 * counts, and only while this node still holds the claim. When the whole window is written, its
 * log lines go to import_log in line order and lines_done (every line up to it is done) moves to
 * the window's end. A crash (SIGKILL) loses at most the transaction in flight: the next run starts
 * after lines_done, skips the lines that import_pending holds (their users are written and
 * counted), and decides the rest again. No user is duplicated or half-written, the counts always
 * match the users that exist, and import_log only ever grows in line order.
 */
import { randomUUID } from 'node:crypto';
import type { UserRecord, AliasClaim, PoolRecord, Store } from '../store/types.js';
import type { ImportJob } from '../store/repos/imports.js';
import { aliasClaims } from '../domain/users.js';
import { checkImportFile, ImportFileError, logLine, type RowOutcome } from '../domain/import-csv.js';
import { readImportFileOffThread } from './parse-off-thread.js';
import { ConflictError } from '../store/errors.js';

export interface RunnerOptions {
  /** How long a claim holds without renewal (each batch renews it). */
  leaseMs: number;
  /** How often an idle node looks for work. */
  pollMs: number;
  /** The most rows in one batch (a transaction on PostgreSQL; on SQLite a transaction may hold several). */
  batchSize: number;
  /**
   * How long one batch should take, in ms (undefined: 20 on SQLite, 100 on PostgreSQL): the rows per
   * batch follow it. On SQLite an API write waits for the batch in progress (and its transaction's
   * commit); the hot reads do not.
   */
  batchMs?: number;
  /**
   * SQLite: how long one transaction of several batches may stay open, in ms (undefined: 150), on
   * the import's own connection (Store.importTransaction); API writes wait for it meanwhile.
   */
  transactionMs?: number;
  /** Rows decided, then written in username order, at a time. */
  windowSize: number;
  /** Created jobs not started within this expire. */
  expireAfterMs: number;
  /** Writes a job's log lines to the server log (undefined: not written). */
  log?: (jobId: string, lines: string[]) => void;
  onError: (msg: string, e: unknown) => void;
  /** Counts users decided and jobs ended (src/metrics.ts); undefined with --metrics false. */
  metrics?: {
    importUsersDecided(counts: { imported: number; skipped: number; failed: number }): void;
    importJobEnded(status: string, seconds: number | undefined): void;
  };
}

export const DEFAULT_RUNNER_OPTIONS: Omit<RunnerOptions, 'onError'> = {
  leaseMs: 15_000,
  pollMs: 1_000,
  batchSize: 2_000,
  windowSize: 100_000,
  expireAfterMs: 24 * 3600_000,
};

/**
 * UTF-16 code-unit order: the database's byte order but for rare characters, which is enough to
 * write in few places (and faster than sort()'s default).
 */
const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);

/**
 * Sorts (stably) in runs of 2,000 merged pairwise, yielding to I/O between steps (`step`: every
 * step, or when the pacer says): one sort() of a window's keys (20,000 then) kept API requests
 * waiting for tens of milliseconds.
 */
async function sortYielding<T>(items: T[], cmp: (a: T, b: T) => number, step: () => Promise<void> | undefined = yieldToIo): Promise<T[]> {
  let runs: T[][] = [];
  for (let i = 0; i < items.length; i += YIELD_EVERY_ROWS) {
    runs.push(items.slice(i, i + YIELD_EVERY_ROWS).sort(cmp));
    await step();
  }
  while (runs.length > 1) {
    const merged: T[][] = [];
    for (let i = 0; i < runs.length; i += 2) {
      merged.push(i + 1 < runs.length ? merge(runs[i]!, runs[i + 1]!, cmp) : runs[i]!);
      await step();
    }
    runs = merged;
  }
  return runs[0] ?? [];
}

/** Two sorted runs as one; of equal items, `a`'s come first. */
function merge<T>(a: T[], b: T[], cmp: (a: T, b: T) => number): T[] {
  const out: T[] = new Array(a.length + b.length);
  let i = 0;
  let j = 0;
  let k = 0;
  while (i < a.length && j < b.length) out[k++] = cmp(b[j]!, a[i]!) < 0 ? b[j++]! : a[i++]!;
  while (i < a.length) out[k++] = a[i++]!;
  while (j < b.length) out[k++] = b[j++]!;
  return out;
}

/** A lowercase hexadecimal digit's value, or -1. */
const hexDigit = (c: number) => (c >= 48 && c <= 57 ? c - 48 : c >= 97 && c <= 102 ? c - 87 : -1);

/**
 * Random UUIDs (lowercase hexadecimal) in order, without comparing them: placed by their first four
 * digits (65,536 buckets, a window's subs spread evenly over them), then the few in one bucket put
 * in order. About a tenth of sortYielding's time on a window's subs; anything else is sorted by it.
 */
export async function sortSubs(subs: string[]): Promise<string[]> {
  const n = subs.length;
  const bucket = new Int32Array(n);
  const starts = new Int32Array(65_537);
  for (let i = 0; i < n; i++) {
    const s = subs[i]!;
    const b = (hexDigit(s.charCodeAt(0)) << 12) | (hexDigit(s.charCodeAt(1)) << 8) | (hexDigit(s.charCodeAt(2)) << 4) | hexDigit(s.charCodeAt(3));
    if (b < 0 || s.length < 4) return sortYielding(subs, byString);
    bucket[i] = b;
    starts[b + 1]++;
  }
  for (let b = 1; b <= 65_536; b++) starts[b]! += starts[b - 1]!;
  const out: string[] = new Array(n);
  for (let i = 0; i < n; i++) out[starts[bucket[i]!]!++] = subs[i]!;
  // Ordered between buckets now: an insertion sort only moves each one within its bucket.
  for (let i = 1; i < n; i++) {
    const s = out[i]!;
    let j = i - 1;
    while (j >= 0 && out[j]! > s) {
      out[j + 1] = out[j]!;
      j--;
    }
    out[j + 1] = s;
  }
  return out;
}

/**
 * A window's log lines in line order, placed by line number rather than sorted: a sort of a
 * window's 100,000 lines held the event loop for tens of milliseconds.
 */
function inLineOrder(done: Map<number, string>): { line: number; message: string }[] {
  let min = Infinity;
  let max = -Infinity;
  for (const line of done.keys()) {
    if (line < min) min = line;
    if (line > max) max = line;
  }
  if (!done.size) return [];
  const slots: (string | undefined)[] = new Array(max - min + 1);
  for (const [line, message] of done) slots[line - min] = message;
  const out: { line: number; message: string }[] = [];
  for (let i = 0; i < slots.length; i++) if (slots[i] !== undefined) out.push({ line: min + i, message: slots[i]! });
  return out;
}

/** Rows a sort's run holds (sorted in one go). */
const YIELD_EVERY_ROWS = 2_000;
/** Rows a window's decision goes through between two looks at the clock (pacer). */
const STEP_ROWS = 500;

/**
 * Log lines moved from import_pending to import_log in one transaction. On PostgreSQL each
 * transaction waits for its commit to reach the disk: 500 a transaction, a window's 100,000 lines
 * took 1.2-2.1 s to move, while no user of the next window was written.
 */
const FLUSH_LINES = { sqlite: 2_000, postgres: 10_000 } as const;

/** Lets waiting I/O (API requests) run: between transactions and between queries of a window's checks. */
const yieldToIo = () => new Promise<void>((resolve) => setImmediate(resolve));

/**
 * Between two transactions (and two flushes of log lines): lets the API requests that arrived
 * during the transaction run before the next one. One setImmediate did not: a request's read
 * (store/prepared.ts) waits for the end of the loop's turn with a setImmediate of its own, queued
 * after the writer's, so each read of a request waited for one more transaction (on SQLite, where
 * a transaction holds the event loop). Three turns let a request with two reads in a row finish in
 * between; an empty turn costs microseconds.
 */
const yieldToRequests = async () => {
  for (let i = 0; i < 3; i++) await yieldToIo();
};

/**
 * The longest a window's decision works between two yields, in ms. It shares the event loop with
 * the window before being written, which runs a transaction (about 20 ms on SQLite) at each of its
 * yields: yielding every 2,000 rows and every query (about 350 steps for 100,000 rows), a decision
 * ended about 0.4 s after the window before was written, and the writer waited for it.
 */
const STEP_MS = 4;

/** A step function that yields to I/O only once STEP_MS have passed since it last did. */
function pacer(): () => Promise<void> | undefined {
  let last = performance.now();
  return () => {
    if (performance.now() - last < STEP_MS) return undefined;
    return yieldToIo().then(() => {
      last = performance.now();
    });
  };
}

/** One data row's decided outcome: its log line, and the user to create when it is imported. */
interface Entry {
  line: number;
  /** Where the entry goes in the write order (the username key; '' for a row without a user). */
  key: string;
  outcome: 'imported' | 'skipped' | 'failed';
  message: string;
  user?: UserRecord;
  claims?: AliasClaim[];
  /** JSON.stringify(user.attributes), when the parser made it (RowOutcome.attributesJson). */
  attributesJson?: string;
}

export const SUCCEEDED_MESSAGE = 'Import Job Completed Successfully.';
export const STOPPED_MESSAGE = 'The Import Job was stopped by the developer.';
/** Cognito's message for a job that ends Failed because fewer users were imported than failed or skipped. */
export const TOO_MANY_MESSAGE = 'Too many users have failed or been skipped during the import.';

/** The batch lost its claim (another node took the job over, or it was stopped): roll it back. */
class ClaimLost extends Error {}

type Counts = { imported: number; skipped: number; failed: number };
/** How a window's writing ended: all written, claim lost, node closing, or a username or alias taken meanwhile. */
type WindowEnd = 'done' | 'lost' | 'closing' | 'conflict';
/** Rows of the file, `end` the last line read; `done`: the log lines of its rows already committed. */
type Window = { rows: RowOutcome[]; end: number; done: Map<number, string> };
type WindowResult = { end: 'done' | 'lost' | 'closing'; redecided: boolean };
/** A window's decided entries, and what it imports (its username keys and alias claims: decide's `seen`). */
type Decided = { entries: Entry[]; seen: Seen };
/** What a window imports: its username keys, and its alias claims as `kind\u0000valueKey` (takenAliases' form). */
type Seen = { users: ReadonlySet<string>; aliases: ReadonlySet<string> };
type UserRow = Extract<RowOutcome, { kind: 'user' }>;
const NO_CLAIMS: AliasClaim[] = [];
/** The MFA settings and extra of an imported user without any (shared: only ever read, by insertMany). */
const NO_MFA: UserRecord['mfa'] = Object.freeze({});
const NO_EXTRA: UserRecord['extra'] = Object.freeze({});

export class ImportRunner {
  readonly id = randomUUID();
  private timer: NodeJS.Timeout | undefined;
  private busy: Promise<void> | undefined;
  private closing = false;
  /**
   * SQLite: the most rows in a transaction of several batches, from its commits' time: a commit
   * writes every page the transaction changed while holding the event loop, so it is kept near
   * batchMs too. Rows whose pages the batches share (an index written in order) commit cheaply and
   * a transaction takes many; rows that each change pages of their own (an index of values spread
   * over a large pool) take as many as a batch did before.
   */
  private transactionRows = Infinity;
  /** Rows per batch, adapted to batchMs as batches are timed. */
  private batchRows = 200;
  /** When this node began running each job (for the job duration metric). */
  private readonly began = new Map<string, number>();

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
    this.began.set(job.jobId, performance.now());
    try {
      await this.runClaimed(job);
    } finally {
      this.began.delete(job.jobId);
    }
  }

  private async runClaimed(job: ImportJob): Promise<void> {
    const { store } = this;
    const pool = await store.pools.get(job.poolId);
    if (!pool) return;
    if (job.status === 'Stopping') return this.finish(job, 'Stopped', STOPPED_MESSAGE);
    // Not Pending any more: stopped between the claim and now (finish it as Stopped at once).
    if (job.status === 'Pending' && !(await store.imports.change(job.jobId, { status: 'InProgress' }, { from: ['Pending'], runner: this.id }))) {
      return this.afterLostClaim(job);
    }

    const counts: Counts = { imported: job.imported, skipped: job.skipped, failed: job.failed };
    try {
      // A file that cannot be imported fails before any user is: read it once through first (a
      // resumed job has passed this already).
      if (job.linesDone <= 1) await checkImportFile(() => this.file(job.jobId), pool);
      // The log lines of the window in progress whose rows are committed (a resumed job: lines after
      // lines_done that a run before wrote).
      const done = await store.imports.pending(job.jobId, job.linesDone);
      const rows = readImportFileOffThread(this.file(job.jobId), pool, { skipLines: job.linesDone });
      // While a window is written, the next one is read and decided (on PostgreSQL the database
      // works meanwhile); it is decided knowing what the window being written imports.
      let writing: { result: Promise<WindowResult>; seen: Seen } | undefined;
      try {
        for await (const window of this.windows(rows, done, job.linesDone)) {
          let decided = await this.decide(pool, window.rows, writing?.seen);
          if (writing) {
            const previous = await writing.result;
            writing = undefined;
            if (previous.end !== 'done') return previous.end === 'lost' ? this.afterLostClaim(job) : this.release(job);
            // The window before was decided again (a username or alias taken meanwhile): so is this one.
            if (previous.redecided) decided = await this.decide(pool, window.rows);
          }
          // This node is closing: the job goes back, to resume after the windows written.
          if (this.closing) return this.release(job);
          const result = this.writeWindow(job, pool, window, decided.entries, counts);
          result.catch(() => {}); // awaited below; not an unhandled rejection while the next window is read
          writing = { result, seen: decided.seen };
        }
        if (writing) {
          const last = await writing.result;
          writing = undefined;
          if (last.end === 'lost') return this.afterLostClaim(job);
          if (last.end === 'closing') return this.release(job);
        }
      } finally {
        // Reading failed while a window was being written: let that end first.
        if (writing) await writing.result.catch(() => {});
      }
    } catch (e) {
      if (e instanceof ImportFileError) return this.finish(job, 'Failed', e.message);
      throw e;
    }
    // As Cognito, a job in which more users failed or were skipped than were imported ends Failed
    // (docs/decisions.md, "User import jobs").
    if (counts.failed + counts.skipped > counts.imported) return this.finish(job, 'Failed', TOO_MANY_MESSAGE);
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

  /** The rows in windows of windowSize (the first one after `start`, skipping the lines `done` holds). */
  private async *windows(rows: AsyncIterable<RowOutcome>, done: Map<number, string>, start: number): AsyncGenerator<Window> {
    let window: Window = { rows: [], end: start, done };
    for await (const row of rows) {
      window.end = row.line;
      if (!window.done.has(row.line)) window.rows.push(row);
      if (window.rows.length >= this.opts.windowSize) {
        yield window;
        window = { rows: [], end: window.end, done: new Map() };
      }
    }
    if (window.rows.length || window.done.size) yield window;
  }

  /**
   * Writes a decided window, adding each committed row's log line to `window.done`, then moves its
   * log lines to import_log. When a username or alias was taken meanwhile (an API request between
   * the decision and the write), the rows not written yet are decided again against the database as
   * it is now (`redecided`).
   */
  private async writeWindow(job: ImportJob, pool: PoolRecord, window: Window, entries: Entry[], counts: Counts): Promise<WindowResult> {
    let redecided = false;
    for (let attempt = 1; ; attempt++) {
      const end = await this.write(job, entries, window.done, counts);
      if (end === 'lost' || end === 'closing') return { end, redecided };
      if (end === 'done') break;
      if (attempt >= 5) throw new Error(`import ${job.jobId}: usernames or aliases kept being taken during the import; the job will retry`);
      redecided = true;
      entries = (
        await this.decide(
          pool,
          window.rows.filter((r) => !window.done.has(r.line)),
        )
      ).entries;
    }
    if (!(await this.flush(job, window.done, window.end))) return { end: 'lost', redecided };
    return { end: 'done', redecided };
  }

  /**
   * A written window's log lines into import_log, in line order, a few thousand a transaction, each
   * moving lines_done on (to `windowEnd` with the last, which also clears import_pending). False
   * when the claim was lost.
   */
  private async flush(job: ImportJob, done: Map<number, string>, windowEnd: number): Promise<boolean> {
    const lines = inLineOrder(done);
    const size = FLUSH_LINES[this.store.kind];
    for (let i = 0; i === 0 || i < lines.length; i += size) {
      const chunk = lines.slice(i, i + size);
      const last = i + size >= lines.length;
      try {
        await this.store.transaction(async (tx) => {
          await tx.imports.addLog(job.jobId, chunk);
          if (last) await tx.imports.deletePending(job.jobId);
          const linesDone = last ? windowEnd : chunk[chunk.length - 1]!.line;
          if (!(await tx.imports.change(job.jobId, { lines_done: linesDone, lease_until: Date.now() + this.opts.leaseMs }, { from: ['InProgress'], runner: this.id }))) {
            throw new ClaimLost();
          }
        });
      } catch (e) {
        if (e instanceof ClaimLost) return false;
        throw e;
      }
      this.opts.log?.(job.jobId, chunk.map((l) => l.message));
      await yieldToRequests();
    }
    return true;
  }

  /**
   * The outcome of each row, decided in file order as Cognito does: a username (or username
   * attribute) that the pool or an earlier row of the file has is SKIPPED, an alias another user
   * holds is FAILED. Returned in write order: by username key, rows of one username in file order.
   * `before`: what the rows of the window still being written import (Decided.seen), which may not
   * be in the database yet.
   */
  private async decide(pool: PoolRecord, rows: RowOutcome[], before?: Seen): Promise<Decided> {
    const now = Date.now();
    const step = pacer();
    // The rows with a user, by their index in `rows`, and their username keys.
    const users: number[] = [];
    const keyOf: string[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      const o = rows[i]!;
      if (o.kind !== 'user') continue;
      users.push(i);
      keyOf[i] = o.usernameKey;
    }
    // The write order, sorted once: by username key, rows of one username in file order.
    const sorted = await sortYielding(
      users,
      (i, j) => {
        const a = keyOf[i]!;
        const b = keyOf[j]!;
        return a < b ? -1 : a > b ? 1 : i - j;
      },
      step,
    );
    const keys: string[] = [];
    for (const i of sorted) if (keys.length === 0 || keys[keys.length - 1] !== keyOf[i]) keys.push(keyOf[i]!);
    const existing = new Set<string>();
    // In slices, with a yield between them (on SQLite each query holds the one connection).
    const slice = this.store.kind === 'sqlite' ? 500 : 5000;
    for (let i = 0; i < keys.length; i += slice) {
      for (const k of await this.store.users.existingKeys(pool.id, keys.slice(i, i + slice))) existing.add(k);
      await step();
    }
    // The alias claims of each row's user (none at all in a pool without username attributes or aliases).
    const claimsOf: AliasClaim[][] = new Array(rows.length);
    const allClaims: AliasClaim[] = [];
    const claiming = !!(pool.settings.UsernameAttributes?.length || pool.settings.AliasAttributes?.length);
    for (let n = 0; n < sorted.length; n++) {
      const i = sorted[n]!;
      const c = rows[i] as UserRow;
      const claims = claiming ? aliasClaims(pool, { status: 'RESET_REQUIRED', attributes: c.attributes }) : NO_CLAIMS;
      claimsOf[i] = claims;
      for (const a of claims) allClaims.push(a);
      if (claiming && n % STEP_ROWS === STEP_ROWS - 1) await step();
    }
    const taken = new Set<string>();
    for (let i = 0; i < allClaims.length; i += slice) {
      for (const t of await this.store.users.takenAliases(pool.id, allClaims.slice(i, i + slice))) taken.add(t);
      await step();
    }
    const usernameKinds = new Set<string>(pool.settings.UsernameAttributes ?? []);
    // What this window imports, as decided so far.
    const seenUsers = new Set<string>();
    const seenAliases = new Set<string>();
    // An alias claim another user holds: in the database, in this window or in the one being written.
    const aliasHeld = (k: string) => taken.has(k) || seenAliases.has(k) || (before !== undefined && before.aliases.has(k));
    // The claims' keys of the row being decided (`kind\u0000valueKey`, made once a claim).
    const claimKeys: string[] = [];
    // Decided in file order; rows without a user (failed as read) are written first.
    const entries: Entry[] = [];
    const entryOf: Entry[] = new Array(rows.length);
    for (let i = 0; i < rows.length; i++) {
      if (i % STEP_ROWS === STEP_ROWS - 1) await step();
      const o = rows[i]!;
      if (o.kind === 'failed') {
        entries.push({ line: o.line, key: '', outcome: 'failed', message: logLine('FAILED', o.line, o.reason) });
        continue;
      }
      const key = o.usernameKey;
      const claims = claimsOf[i]!;
      let clash: AliasClaim | undefined;
      claimKeys.length = 0;
      for (const c of claims) {
        const k = `${c.kind}\u0000${c.valueKey}`;
        claimKeys.push(k);
        if (clash === undefined && aliasHeld(k)) clash = c;
      }
      if (existing.has(key) || seenUsers.has(key) || (before !== undefined && before.users.has(key)) || (clash && usernameKinds.has(clash.kind))) {
        entryOf[i] = { line: o.line, key, outcome: 'skipped', message: logLine('SKIPPED', o.line, 'The user already exists.') };
        continue;
      }
      if (clash) {
        entryOf[i] = { line: o.line, key, outcome: 'failed', message: logLine('FAILED', o.line, `An account with the given ${clash.kind} already exists.`) };
        continue;
      }
      seenUsers.add(key);
      for (const k of claimKeys) seenAliases.add(k);
      const user: UserRecord = {
        poolId: pool.id,
        username: o.username,
        usernameKey: key,
        sub: o.sub,
        status: 'RESET_REQUIRED',
        enabled: true,
        attributes: o.attributes,
        passwordHash: null,
        srpVerifier: null,
        passwordUpdatedAt: null,
        mfa: o.mfaEnabled ? { mfaOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] } : NO_MFA,
        extra: NO_EXTRA,
        createdAt: now,
        updatedAt: now,
      };
      entryOf[i] = { line: o.line, key, outcome: 'imported', message: logLine('SUCCEEDED', o.line), user, claims, attributesJson: o.attributesJson };
    }
    for (const i of sorted) entries.push(entryOf[i]!);
    await step();
    // The window's new subs (random UUIDs), handed out in username order: then the users_sub index
    // is written in a few places per transaction too, rather than one page per user. Not where the
    // username is the sub (pools with UsernameAttributes), whose order is the sub's already.
    const bySub: number[] = [];
    for (const i of sorted) {
      const e = entryOf[i]!;
      if (e.user && e.user.username !== e.user.sub) bySub.push(i);
    }
    const subs = await sortSubs(bySub.map((i) => entryOf[i]!.user!.sub));
    bySub.forEach((i, k) => {
      entryOf[i]!.user!.sub = subs[k]!;
      // The row keeps the sub its user was given: when the window is decided again (a username or
      // alias taken meanwhile), its rows not yet written share out their own subs, never one that a
      // written user of the window already holds.
      (rows[i] as UserRow).sub = subs[k]!;
    });
    return { entries, seen: { users: seenUsers, aliases: seenAliases } };
  }

  /**
   * Writes decided entries in transactions of about batchMs each, yielding to API requests between
   * them; each committed entry's log line goes into `done`. On SQLite (store.importTransaction) a
   * transaction holds several such batches, up to about transactionMs, yielding between them too:
   * the hot reads answer meanwhile, and each commit writes the pages the batches changed once.
   */
  private async write(job: ImportJob, entries: Entry[], done: Map<number, string>, counts: Counts): Promise<WindowEnd> {
    const targetMs = this.opts.batchMs ?? (this.store.kind === 'sqlite' ? 20 : 100);
    const long = this.store.importTransaction?.bind(this.store);
    const longest = this.opts.transactionMs ?? 150;
    for (let i = 0; i < entries.length; ) {
      // The batches of this transaction, and the counts as they will be once it commits.
      const written: Entry[][] = [];
      const next = { ...counts };
      const began = performance.now();
      const batches = async (tx: Store) => {
        let j = i;
        do {
          const batch = entries.slice(j, j + Math.max(1, Math.min(this.batchRows, i + this.transactionRows - j)));
          const started = performance.now();
          if (!(await this.writeBatch(tx, job, batch, next))) throw new ClaimLost();
          written.push(batch);
          j += batch.length;
          // The next batch's size, from this one's time (at most halved or doubled at a time).
          const ms = Math.max(performance.now() - started, 0.1);
          this.batchRows = Math.round(Math.min(this.opts.batchSize, Math.max(20, batch.length * Math.min(2, Math.max(0.5, targetMs / ms)))));
          if (long) await yieldToRequests();
          // (Requests waiting for the main connection, writes and transactions, end it here: they go first.)
        } while (long && j < entries.length && j - i < this.transactionRows && performance.now() - began < longest && !this.store.importWaited?.() && !this.closing);
        bodyEnd = performance.now();
      };
      let bodyEnd = 0;
      try {
        await (long ?? ((fn: (tx: Store) => Promise<void>) => this.store.transaction(fn)))(batches);
      } catch (e) {
        if (e instanceof ClaimLost) return 'lost';
        // A username or alias taken since the window was decided: decide the rest again.
        if (e instanceof ConflictError) return 'conflict';
        throw e;
      }
      if (long) {
        // The next transaction's rows, from this one's commit time (at most halved or doubled at a time).
        const commitMs = Math.max(performance.now() - bodyEnd, 0.1);
        let rows = 0;
        for (const batch of written) rows += batch.length;
        this.transactionRows = Math.max(20, Math.round(rows * Math.min(2, Math.max(0.5, targetMs / commitMs))));
      }
      for (const batch of written) {
        for (const e of batch) done.set(e.line, e.message);
        i += batch.length;
      }
      this.opts.metrics?.importUsersDecided({ imported: next.imported - counts.imported, skipped: next.skipped - counts.skipped, failed: next.failed - counts.failed });
      Object.assign(counts, next);
      await yieldToRequests();
      if (this.closing) return 'closing';
    }
    return 'done';
  }

  /**
   * Writes one batch in the transaction: the new users (RESET_REQUIRED) with their aliases, the
   * entries' log lines (pending) and the counts (`next`, moved on by the batch). False when the claim
   * was lost (the caller rolls the transaction back); ConflictError when a username or alias was
   * taken meanwhile.
   */
  private async writeBatch(tx: Store, job: ImportJob, batch: Entry[], next: Counts): Promise<boolean> {
    for (const e of batch) next[e.outcome]++;
    const users = batch.filter((e) => e.user);
    await tx.users.insertMany(
      users.map((e) => e.user!),
      users.map((e) => e.claims!),
      users.map((e) => e.attributesJson),
    );
    await tx.imports.addPending(job.jobId, batch);
    return tx.imports.change(
      job.jobId,
      { imported: next.imported, skipped: next.skipped, failed: next.failed, lease_until: Date.now() + this.opts.leaseMs },
      { from: ['InProgress'], runner: this.id },
    );
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

  /**
   * Ends the job; the log lines still pending (a job stopped within a window) go to import_log, and
   * to the server log.
   */
  private async finish(job: ImportJob, status: 'Succeeded' | 'Failed' | 'Stopped', message: string): Promise<void> {
    let lines: { line: number; message: string }[] = [];
    const done = await this.store.transaction(async (tx) => {
      const now = await tx.imports.get(job.jobId);
      if (!now) return false;
      const pending = await tx.imports.pending(job.jobId, now.linesDone);
      const ok = await tx.imports.change(
        job.jobId,
        { status, completed_at: Date.now(), completion_message: message, runner: null, lease_until: null },
        { from: status === 'Stopped' ? ['Stopping'] : ['InProgress'], runner: this.id },
      );
      if (!ok) return false;
      lines = [...pending].sort((a, b) => a[0] - b[0]).map(([line, message]) => ({ line, message }));
      await tx.imports.addLog(job.jobId, lines);
      await tx.imports.deletePending(job.jobId);
      return true;
    });
    if (!done) return;
    const began = this.began.get(job.jobId);
    this.opts.metrics?.importJobEnded(status, began === undefined ? undefined : (performance.now() - began) / 1000);
    if (lines.length) this.opts.log?.(job.jobId, lines.map((l) => l.message));
    await this.store.imports.deleteFile(job.jobId);
  }
}
