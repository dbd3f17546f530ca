/** Shared by the advanced security operations: the pool (which must have it on) and the user. */
import { requireAdvancedSecurity } from '../../domain/auth-events.js';
import { findUser } from '../../domain/users.js';
import { errors } from '../../protocol/errors.js';
import type { PoolRecord, Store, UserRecord } from '../../store/types.js';
import { loadPool } from '../pools/shared.js';

export async function securedPool(store: Store, poolId: string): Promise<PoolRecord> {
  const pool = await loadPool(store, poolId);
  requireAdvancedSecurity(pool);
  return pool;
}

export async function eventUser(store: Store, pool: PoolRecord, username: string): Promise<UserRecord> {
  const user = await findUser(store, pool, username);
  if (!user) throw errors.userNotFound('User does not exist.');
  return user;
}
