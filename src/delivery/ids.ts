/**
 * Outbox ids: UUID version 7 (RFC 9562), time-ordered and monotonic within the process, so that
 * messages created in the same millisecond still list newest first (the outbox orders by
 * created_at, then id).
 */
import { randomBytes } from 'node:crypto';

let lastMs = 0;
let seq = 0;

/** A new id and the creation time (epoch ms) it encodes; never earlier than the previous one. */
export function nextMessageId(now = Date.now()): { id: string; createdAt: number } {
  let ms = now;
  if (ms > lastMs) {
    seq = 0;
  } else {
    // Same millisecond (or the clock went back): count on; 4096 in one millisecond moves to the next.
    ms = lastMs;
    if (++seq > 0xfff) {
      ms += 1;
      seq = 0;
    }
  }
  lastMs = ms;
  const b = randomBytes(16);
  b.writeUIntBE(ms, 0, 6);
  b[6] = 0x70 | (seq >> 8);
  b[7] = seq & 0xff;
  b[8] = 0x80 | (b[8]! & 0x3f);
  const h = b.toString('hex');
  return { id: `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`, createdAt: ms };
}
