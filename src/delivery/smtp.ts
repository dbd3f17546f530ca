/**
 * The SMTP sink for EMAIL messages (nodemailer, pooled connections). Sending happens in the
 * background: send() returns at once, a failure is logged (without the body, the code or the
 * password) and never reaches the caller, as Cognito itself sends asynchronously. close() waits
 * for the sends under way, up to a bound, then abandons them.
 */
import nodemailer from 'nodemailer';
import type { Transporter } from 'nodemailer';
import { logError } from '../log.js';
import { maskEmail } from './mask.js';
import { DEFAULT_INVITATION_SUBJECT, DEFAULT_VERIFICATION_SUBJECT, looksLikeHtml } from './templates.js';
import type { OutgoingMessage } from './types.js';

export interface SmtpSettings {
  host: string;
  port: number;
  secure: boolean;
  user?: string | undefined;
  password?: string | undefined;
  from: string;
}

export interface SmtpOptions {
  /** How long close() waits for the sends under way before it abandons them (ms). */
  closeTimeoutMs?: number;
  /** Most sends under way at once; a message beyond it is not emailed (it stays in the outbox). */
  maxPending?: number;
  /** Connection, greeting and DNS timeout (ms). */
  connectTimeoutMs?: number;
}

/** One address, nothing that could add a recipient or a header. */
const SINGLE_ADDRESS = /^[^\s@,;:<>()[\]"\\]+@[^\s@,;:<>()[\]"\\]+$/;

export class SmtpSender {
  private readonly transport: Transporter;
  private readonly pending = new Set<Promise<void>>();
  private closed = false;
  private readonly closeTimeoutMs: number;
  private readonly maxPending: number;
  /** The password and its AUTH encodings, kept out of the logs. */
  private readonly credentials: string[] = [];

  constructor(private readonly settings: SmtpSettings, opts: SmtpOptions = {}) {
    this.closeTimeoutMs = opts.closeTimeoutMs ?? 5000;
    this.maxPending = opts.maxPending ?? 1000;
    const connectTimeout = opts.connectTimeoutMs ?? 10_000;
    this.transport = nodemailer.createTransport({
      pool: true,
      maxConnections: 5,
      host: settings.host,
      port: settings.port,
      secure: settings.secure,
      ...(settings.user !== undefined ? { auth: { user: settings.user, pass: settings.password ?? '' } } : {}),
      connectionTimeout: connectTimeout,
      greetingTimeout: connectTimeout,
      dnsTimeout: connectTimeout,
      socketTimeout: 30_000,
      logger: false,
      disableFileAccess: true,
      disableUrlAccess: true,
    });
    // A transport-level error (not tied to one message) must not become an unhandled 'error' event.
    this.transport.on('error', (e: unknown) => logError('SMTP transport error', this.describe(e, [])));
    if (settings.password) {
      const pass = settings.password;
      this.credentials = [pass, Buffer.from(pass).toString('base64'), Buffer.from(`\0${settings.user ?? ''}\0${pass}`).toString('base64')];
    }
  }

  /** Messages whose sending has not finished yet. */
  get pendingCount(): number {
    return this.pending.size;
  }

  /** Starts sending `msg` (recorded in the outbox as `id`) and returns at once. */
  send(msg: OutgoingMessage, id: string): void {
    const what = `message ${id} (pool ${msg.poolId}, ${msg.kind}, to ${maskEmail(msg.destination)})`;
    if (this.closed) {
      logError(`SMTP: not sending ${what}`, 'delivery is closing');
      return;
    }
    if (!SINGLE_ADDRESS.test(msg.destination)) {
      logError(`SMTP: not sending ${what}`, 'the destination is not a single email address');
      return;
    }
    if (this.pending.size >= this.maxPending) {
      logError(`SMTP: not sending ${what}`, `${this.pending.size} messages are already being sent`);
      return;
    }
    const subject = (msg.subject ?? (msg.kind === 'INVITATION' ? DEFAULT_INVITATION_SUBJECT : DEFAULT_VERIFICATION_SUBJECT)).replace(/[\r\n]+/g, ' ');
    const content = looksLikeHtml(msg.body) ? { html: msg.body } : { text: msg.body };
    const secrets = [msg.code, msg.body];
    let p: Promise<void>;
    try {
      p = this.transport
        .sendMail({ from: this.settings.from, to: msg.destination, subject, ...content })
        .then(
          () => undefined,
          (e: unknown) => logError(`SMTP: sending ${what} failed`, this.describe(e, secrets)),
        )
        .finally(() => this.pending.delete(p));
    } catch (e) {
      logError(`SMTP: sending ${what} failed`, this.describe(e, secrets));
      return;
    }
    this.pending.add(p);
  }

  /** Resolves when every send started so far has finished (sent or failed). */
  async flush(): Promise<void> {
    while (this.pending.size > 0) await Promise.allSettled([...this.pending]);
  }

  /** Waits for the sends under way (at most closeTimeoutMs), then closes the connections. */
  async close(): Promise<void> {
    if (this.closed) return;
    this.closed = true;
    if (this.pending.size > 0) {
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<void>((resolve) => {
        timer = setTimeout(resolve, this.closeTimeoutMs);
        timer.unref();
      });
      await Promise.race([this.flush(), timeout]);
      clearTimeout(timer);
    }
    const abandoned = this.pending.size;
    this.transport.close({ force: abandoned > 0 });
    if (abandoned > 0) {
      logError(`SMTP: closing with ${abandoned} message(s) not sent yet`, `gave up after ${this.closeTimeoutMs} ms (the outbox has them)`);
      // The forced close fails them at once; let their failures be logged.
      const settle = new Promise<void>((resolve) => setTimeout(resolve, 1000).unref());
      await Promise.race([this.flush(), settle]);
    }
  }

  /**
   * An error as a log line: nodemailer's code, SMTP reply code and command, and the message with
   * anything secret taken out (a server may echo what it was sent).
   */
  private describe(e: unknown, secrets: (string | undefined)[]): string {
    const err = (e ?? {}) as { message?: unknown; code?: unknown; responseCode?: unknown; command?: unknown };
    let text = typeof err.message === 'string' ? err.message : String(e);
    for (const s of [...this.credentials, ...secrets]) if (s && s.length >= 3) text = text.split(s).join('[redacted]');
    const parts = [
      typeof err.code === 'string' ? err.code : undefined,
      typeof err.responseCode === 'number' ? `reply ${err.responseCode}` : undefined,
      typeof err.command === 'string' ? `command ${err.command.split(' ')[0]}` : undefined,
      text,
    ];
    return parts.filter((x) => x !== undefined).join(': ');
  }
}
