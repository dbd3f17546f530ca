/** The wire form of a client secret (ClientSecretDescriptorType). */
import type { ClientSecretEntry } from '../../domain/client-secrets.js';
import { epochSeconds } from '../context.js';

/** `withValue`: only AddUserPoolClientSecret, for a secret it generated, shows the value. */
export function renderSecret(s: ClientSecretEntry, withValue: boolean): object {
  return {
    ClientSecretId: s.id,
    ...(withValue ? { ClientSecretValue: s.value } : {}),
    ClientSecretCreateDate: epochSeconds(s.createdAt),
  };
}
