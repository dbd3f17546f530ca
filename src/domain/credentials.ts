/**
 * A password as stored: an argon2id hash (for the password flows) and an SRP salt and verifier
 * (for USER_SRP_AUTH), the latter sealed with the master key since it is derived from the password
 * with a fast hash. Every place that sets a password goes through passwordFields.
 */
import { hashPassword } from './passwords.js';
import { makeVerifier, type SrpVerifier } from './srp.js';
import type { Secrets } from './secrets.js';
import type { PoolRecord, UserRecord } from '../store/types.js';

const context = (poolId: string, username: string) => `srp:${poolId}:${username}`;

/** The fields of a user record that a new password sets. */
export async function passwordFields(
  secrets: Secrets,
  pool: Pick<PoolRecord, 'id'>,
  username: string,
  password: string,
  now: number,
): Promise<Pick<UserRecord, 'passwordHash' | 'srpVerifier' | 'passwordUpdatedAt'>> {
  const passwordHash = await hashPassword(password);
  return { passwordHash, srpVerifier: sealVerifier(secrets, pool.id, username, password), passwordUpdatedAt: now };
}

/** The sealed SRP salt and verifier of a password (the SRP identity is the real username). */
export function sealVerifier(secrets: Secrets, poolId: string, username: string, password: string): string {
  return secrets.seal(JSON.stringify(makeVerifier(poolId, username, password)), context(poolId, username));
}

/** The user's SRP salt and verifier, or undefined when it has none (no password yet). */
export function openVerifier(secrets: Secrets, user: Pick<UserRecord, 'poolId' | 'username' | 'srpVerifier'>): SrpVerifier | undefined {
  if (!user.srpVerifier) return undefined;
  return JSON.parse(secrets.open(user.srpVerifier, context(user.poolId, user.username)).toString('utf8')) as SrpVerifier;
}
