/** The plain client secret that GetTokensFromRefreshToken and RevokeToken take: any of the client's secrets, compared in constant time. */
import { isClientSecret } from '../../domain/client-secrets.js';
import type { ClientRecord } from '../../store/types.js';

/** 'missing' | 'wrong' | undefined (fine, or the client has no secret). */
export function clientSecretProblem(client: ClientRecord, given: string | undefined): 'missing' | 'wrong' | undefined {
  if (client.secrets.length === 0) return undefined;
  if (!given) return 'missing';
  return isClientSecret(client, given) ? undefined : 'wrong';
}
