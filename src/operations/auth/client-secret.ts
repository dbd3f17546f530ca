/** The plain client secret that GetTokensFromRefreshToken and RevokeToken take, compared in constant time. */
import { timingSafeEqual } from 'node:crypto';
import type { ClientRecord } from '../../store/types.js';

/** 'missing' | 'wrong' | undefined (fine, or the client has no secret). */
export function clientSecretProblem(client: ClientRecord, given: string | undefined): 'missing' | 'wrong' | undefined {
  if (client.secret === null) return undefined;
  if (!given) return 'missing';
  const a = Buffer.from(client.secret);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b) ? undefined : 'wrong';
}
