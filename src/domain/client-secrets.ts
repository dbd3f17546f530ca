/**
 * Client secret rotation: an app client with a secret holds one or two (AddUserPoolClientSecret,
 * DeleteUserPoolClientSecret), and every place that checks the secret (SECRET_HASH, the plain
 * ClientSecret of GetTokensFromRefreshToken and RevokeToken, client authentication at the token
 * endpoint) accepts any of them, compared in constant time.
 *
 * A secret's id is `<client id>--<epoch milliseconds of its creation>` (the model's
 * ClientSecretDescriptorType: "<client-id>--<epoch-create-time>"). The client's current secret, the
 * one DescribeUserPoolClient shows as ClientSecret, is the oldest it still holds: the one the apps
 * had before the rotation began, until it is deleted (docs/decisions.md).
 */
import { timingSafeEqual } from 'node:crypto';
import type { ClientRecord } from '../store/types.js';

export interface ClientSecretEntry {
  /** `<client id>--<createdAt>`. */
  id: string;
  value: string;
  /** Epoch milliseconds. */
  createdAt: number;
}

/** Cognito's limit: two secrets a client, so one can replace the other without downtime. */
export const MAX_CLIENT_SECRETS = 2;

export const secretIdOf = (clientId: string, createdAt: number) => `${clientId}--${createdAt}`;

/**
 * The secrets a client row holds: the JSON list, or, for a client made before rotation existed,
 * its one secret (created with the client).
 */
export function secretsOfRow(clientId: string, secret: string | null, secretsJson: string | null, createdAt: number): ClientSecretEntry[] {
  if (secretsJson !== null) return JSON.parse(secretsJson) as ClientSecretEntry[];
  return secret === null ? [] : [{ id: secretIdOf(clientId, createdAt), value: secret, createdAt }];
}

/** The client's secrets, oldest first. */
export const clientSecrets = (client: ClientRecord): ClientSecretEntry[] => client.secrets;

/** The secret the client shows as ClientSecret: its oldest. */
export const currentSecret = (secrets: ClientSecretEntry[]): string | null => secrets[0]?.value ?? null;

function same(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}

/** Whether `given` is one of the client's secrets (every one compared, in constant time). */
export function isClientSecret(client: ClientRecord, given: string): boolean {
  let ok = false;
  for (const s of client.secrets) ok = same(s.value, given) || ok;
  return ok;
}

/** Whether the client is confidential (has at least one secret). */
export const hasSecret = (client: ClientRecord): boolean => client.secrets.length > 0;
