/** Builds the delivery chain from the configuration. (First cut: the outbox only.) */
import { randomUUID } from 'node:crypto';
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import type { Delivery, OutgoingMessage } from './types.js';

export function createDelivery(_config: Config, store: Store): Delivery {
  return {
    async deliver(msg: OutgoingMessage) {
      await store.messages.insert({
        id: randomUUID(),
        poolId: msg.poolId,
        username: msg.username,
        medium: msg.medium,
        destination: msg.destination,
        kind: msg.kind,
        subject: msg.subject ?? null,
        body: msg.body,
        code: msg.code ?? null,
        createdAt: Date.now(),
      });
    },
    async close() {},
  };
}
