/**
 * SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)), required
 * from clients that have a secret. Compared in constant time; several usernames may be accepted
 * (the name the caller used, the username, an alias, the sub), and any of the client's secrets.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from '../protocol/errors.js';
import type { ClientRecord } from '../store/types.js';

export function secretHash(secret: string, username: string, clientId: string): string {
  return createHmac('sha256', secret).update(username + clientId).digest('base64');
}

/** Any of the client's secrets (one, or two during a rotation) makes a valid SECRET_HASH. */
export function checkSecretHash(client: ClientRecord, given: string | undefined, usernames: (string | undefined)[]): void {
  if (client.secrets.length === 0) return;
  if (given === undefined || given === '') {
    throw errors.notAuthorized(`Client ${client.id} is configured for secret but secret was not received`);
  }
  const g = Buffer.from(given);
  let ok = false;
  for (const name of new Set(usernames)) {
    if (name === undefined) continue;
    for (const s of client.secrets) {
      const expected = Buffer.from(secretHash(s.value, name, client.id));
      if (expected.length === g.length && timingSafeEqual(expected, g)) ok = true;
    }
  }
  if (ok) return;
  throw errors.notAuthorized(`Unable to verify secret hash for client ${client.id}`);
}
