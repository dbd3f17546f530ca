/**
 * Builds the delivery chain from the configuration. Every message goes to:
 *   1. the outbox (store.messages), always, before anything else: readable at GET /_incognito/messages;
 *   2. the console (stderr), when consoleMessages is on (the only place a code is printed);
 *   3. SMTP, for EMAIL messages when smtpHost is set, in the background (see smtp.ts).
 * SMS messages go to the outbox and the console only: there is no SMS gateway.
 */
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import { logError } from '../log.js';
import { consoleLine } from './console.js';
import { nextMessageId } from './ids.js';
import { SmtpSender, type SmtpOptions } from './smtp.js';
import type { Delivery, OutgoingMessage } from './types.js';

export type { Delivery, OutgoingMessage } from './types.js';
export { maskDestination } from './mask.js';
export * from './templates.js';

export interface DeliveryOptions {
  /** Where console lines go (default: stderr). */
  write?: (line: string) => void;
  /** SMTP tuning (tests shorten the bounds). */
  smtp?: SmtpOptions;
  /** Counts each message delivered (src/metrics.ts). */
  metrics?: { messageSent(medium: string, kind: string): void };
}

const stderrWrite = (line: string): void => {
  process.stderr.write(line + '\n');
};

export function createDelivery(config: Config, store: Store, opts: DeliveryOptions = {}): Delivery {
  const write = opts.write ?? stderrWrite;
  const smtp = config.smtpHost
    ? new SmtpSender(
        {
          host: config.smtpHost,
          port: config.smtpPort,
          secure: config.smtpSecure,
          user: config.smtpUser,
          password: config.smtpPassword,
          from: config.smtpFrom,
        },
        opts.smtp,
      )
    : undefined;

  return {
    async deliver(msg: OutgoingMessage) {
      const { id, createdAt } = nextMessageId();
      // The outbox first: a failure here is the caller's (the database is down), nothing is sent.
      await store.messages.insert({
        id,
        poolId: msg.poolId,
        username: msg.username,
        medium: msg.medium,
        destination: msg.destination,
        kind: msg.kind,
        subject: msg.subject ?? null,
        body: msg.body,
        code: msg.code ?? null,
        createdAt,
      });
      opts.metrics?.messageSent(msg.medium, msg.kind);
      if (config.consoleMessages) {
        try {
          write(consoleLine(msg));
        } catch (e) {
          logError('could not print a message on the console', e instanceof Error ? e.message : e);
        }
      }
      if (smtp && msg.medium === 'EMAIL') smtp.send(msg, id);
    },
    async flush() {
      await smtp?.flush();
    },
    async close() {
      await smtp?.close();
    },
  };
}
