/**
 * SECRET_HASH = Base64(HMAC-SHA256(key = client secret, message = username + client id)), required
 * from clients that have a secret. Compared in constant time; several usernames may be accepted
 * (the name the caller used, the username, an alias, the sub).
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import { errors } from '../protocol/errors.js';
import type { ClientRecord } from '../store/types.js';

export function secretHash(secret: string, username: string, clientId: string): string {
  return createHmac('sha256', secret).update(username + clientId).digest('base64');
}

export function checkSecretHash(client: ClientRecord, given: string | undefined, usernames: (string | undefined)[]): void {
  if (client.secret === null) return;
  if (given === undefined || given === '') {
    throw errors.notAuthorized(`Client ${client.id} is configured for secret but secret was not received`);
  }
  const g = Buffer.from(given);
  for (const name of new Set(usernames)) {
    if (name === undefined) continue;
    const expected = Buffer.from(secretHash(client.secret, name, client.id));
    if (expected.length === g.length && timingSafeEqual(expected, g)) return;
  }
  throw errors.notAuthorized(`Unable to verify secret hash for client ${client.id}`);
}
