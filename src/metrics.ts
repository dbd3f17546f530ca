/**
 * The server's metrics, served at GET /metrics in the Prometheus text format (prom-client).
 * One Metrics per server (its own registry: tests run several servers in one process). Absent
 * when `--metrics false`: every recorder is then a no-op at the call site (`ctx.metrics?.…`).
 *
 * Cardinality is bounded: operations are the Cognito operation names (unknown targets count as
 * `unknown`), HTTP paths are grouped (the hosted endpoints by their fixed path, the others by
 * route), outcomes are `ok` or the Cognito error type / HTTP status; no pool, client or user ids.
 */
import { collectDefaultMetrics, Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Store } from './store/types.js';

/** Request latency buckets, in seconds: sub-millisecond reads to multi-second imports/triggers. */
const LATENCY_BUCKETS = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

export type TokenKind = 'id' | 'access' | 'refresh';
/** How a token came to be: a sign-in's completion, a refresh, or the client_credentials grant. */
export type TokenGrant = 'sign_in' | 'refresh' | 'client_credentials';

/**
 * Node's default metrics (CPU, memory, event loop lag, GC, handles) describe the process, not a
 * server: collected once per process (each collection starts an event-loop monitor and a GC observer).
 */
let processMetrics: Registry | undefined;
function processRegistry(): Registry {
  if (!processMetrics) {
    processMetrics = new Registry();
    collectDefaultMetrics({ register: processMetrics });
  }
  return processMetrics;
}

type Child<T> = { inc(v?: number): void } & T;

export class Metrics {
  readonly registry = new Registry();
  readonly contentType = this.registry.contentType;

  private readonly requests = new Counter({
    name: 'incognito_requests_total',
    help: 'Requests answered, by operation (Cognito operation name, or the HTTP route group) and outcome (ok, the Cognito error type, or the HTTP status of a non-API route)',
    labelNames: ['operation', 'outcome'] as const,
    registers: [this.registry],
  });
  private readonly latency = new Histogram({
    name: 'incognito_request_duration_seconds',
    help: 'Time from the request arriving to its answer sent, by operation (or HTTP route group)',
    labelNames: ['operation'] as const,
    buckets: LATENCY_BUCKETS,
    registers: [this.registry],
  });
  private readonly signins = new Counter({
    name: 'incognito_signin_steps_total',
    help: 'Sign-in steps by channel (api, hosted), step (the AuthFlow that starts a sign-in, or the challenge answered) and result (signed_in, challenge: another step is asked, or the error type)',
    labelNames: ['channel', 'step', 'result'] as const,
    registers: [this.registry],
  });
  private readonly tokens = new Counter({
    name: 'incognito_tokens_issued_total',
    help: 'Tokens issued, by kind (id, access, refresh) and grant (sign_in, refresh, client_credentials)',
    labelNames: ['kind', 'grant'] as const,
    registers: [this.registry],
  });
  private readonly importJobs = new Counter({
    name: 'incognito_import_jobs_total',
    help: 'User import jobs ended on this node, by status (Succeeded, Failed, Stopped)',
    labelNames: ['status'] as const,
    registers: [this.registry],
  });
  private readonly importUsers = new Counter({
    name: 'incognito_import_users_total',
    help: 'Users of import jobs decided on this node, by result (imported, skipped, failed); rate() gives the import rate',
    labelNames: ['result'] as const,
    registers: [this.registry],
  });
  private readonly importSeconds = new Histogram({
    name: 'incognito_import_job_duration_seconds',
    help: 'Time an import job ran on this node, from its claim to its end',
    buckets: [0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600],
    registers: [this.registry],
  });
  private readonly messages = new Counter({
    name: 'incognito_messages_sent_total',
    help: 'Messages delivered (outbox, console, SMTP), by medium (EMAIL, SMS) and kind',
    labelNames: ['medium', 'kind'] as const,
    registers: [this.registry],
  });

  /** Per-label children, so the request path hashes no label object (prom-client's labels() does). */
  private readonly requestChildren = new Map<string, Child<object>>();
  private readonly latencyChildren = new Map<string, { observe(v: number): void }>();

  constructor(store: Store) {
    const stats = () => store.dbStats?.();
    if (store.kind === 'postgres') {
      const g = (name: string, help: string, pick: (s: NonNullable<ReturnType<typeof stats>>) => number | undefined) =>
        new Gauge({
          name,
          help,
          registers: [this.registry],
          collect() {
            const s = stats();
            const v = s && pick(s);
            if (v !== undefined) this.set(v);
          },
        });
      g('incognito_db_pool_connections', 'PostgreSQL pool: connections open (busy or idle)', (s) => s.total);
      g('incognito_db_pool_idle_connections', 'PostgreSQL pool: connections open and idle', (s) => s.idle);
      g('incognito_db_pool_waiting_requests', 'PostgreSQL pool: queries waiting for a connection', (s) => s.waiting);
    }
    new Gauge({
      name: 'incognito_db_queued_reads',
      help: 'Reads queued for the next batch (SQLite: reads of this turn of the event loop; PostgreSQL: reads waiting to be batched)',
      registers: [this.registry],
      collect() {
        this.set(stats()?.queuedReads ?? 0);
      },
    });
  }

  /** One answered request (the place server.ts writes its log line). */
  request(operation: string, outcome: string, seconds: number): void {
    const key = operation + '\u0000' + outcome;
    let c = this.requestChildren.get(key);
    if (!c) this.requestChildren.set(key, (c = this.requests.labels(operation, outcome)));
    c.inc();
    let h = this.latencyChildren.get(operation);
    if (!h) this.latencyChildren.set(operation, (h = this.latency.labels(operation)));
    h.observe(seconds);
  }

  signInStep(channel: string, step: string, result: string): void {
    this.signins.inc({ channel, step, result });
  }

  tokensIssued(grant: TokenGrant, kinds: Partial<Record<TokenKind, boolean>>): void {
    for (const kind of ['id', 'access', 'refresh'] as const) if (kinds[kind]) this.tokens.inc({ kind, grant });
  }

  importUsersDecided(counts: { imported: number; skipped: number; failed: number }): void {
    for (const result of ['imported', 'skipped', 'failed'] as const) if (counts[result] > 0) this.importUsers.inc({ result }, counts[result]);
  }

  importJobEnded(status: string, seconds: number | undefined): void {
    this.importJobs.inc({ status });
    if (seconds !== undefined) this.importSeconds.observe(seconds);
  }

  messageSent(medium: string, kind: string): void {
    this.messages.inc({ medium, kind });
  }

  /** The exposition text: Node's default metrics (process-wide), then this server's. */
  async scrape(): Promise<string> {
    return (await processRegistry().metrics()) + '\n' + (await this.registry.metrics());
  }
}
