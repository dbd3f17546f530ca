/** Helpers the user operations share: writing a user with its aliases, conflict translation. */
import { errors } from '../../protocol/errors.js';
import { ConflictError } from '../../store/errors.js';
import type { PoolRecord, Store, UserRecord } from '../../store/types.js';
import { aliasClaims, loadUser } from '../../domain/users.js';

function aliasMessage(what: string): string {
  const kind = what.slice('alias:'.length);
  return kind === 'phone_number' ? 'An account with the given phone_number already exists.' : `An account with the given ${kind} already exists.`;
}

/**
 * Writes the user back with the aliases its state implies. An alias held by another user is an
 * AliasExistsException, unless `forceAlias` moves it (the other user's attribute is un-verified).
 */
export async function saveUser(tx: Store, pool: PoolRecord, user: UserRecord, opts: { forceAlias?: boolean; now: number }): Promise<void> {
  const claims = aliasClaims(pool, user);
  if (opts.forceAlias) {
    for (const c of claims) {
      const holder = await tx.users.getByAlias(pool.id, c.kind, c.valueKey);
      if (holder && holder.usernameKey !== user.usernameKey) {
        const attrs = { ...holder.attributes };
        if (c.kind === 'email') attrs.email_verified = 'false';
        else if (c.kind === 'phone_number') attrs.phone_number_verified = 'false';
        else delete attrs[c.kind];
        const moved = { ...holder, attributes: attrs, updatedAt: opts.now };
        await tx.users.update(moved, aliasClaims(pool, moved));
      }
    }
  }
  try {
    await tx.users.update(user, claims);
  } catch (e) {
    if (e instanceof ConflictError && e.what.startsWith('alias:')) throw errors.aliasExists(aliasMessage(e.what));
    throw e;
  }
}

/**
 * Inserts a new user: a taken username (or username attribute, in pools that sign in with email or
 * phone) is UsernameExistsException; then its aliases are claimed as in saveUser.
 */
export async function insertUser(
  tx: Store,
  pool: PoolRecord,
  user: UserRecord,
  opts: { existsMessage: string; forceAlias?: boolean; now: number },
): Promise<void> {
  const usernameKinds = new Set<string>(pool.settings.UsernameAttributes ?? []);
  try {
    await tx.users.insert(user, aliasClaims(pool, user).filter((c) => usernameKinds.has(c.kind)));
  } catch (e) {
    if (e instanceof ConflictError) {
      throw errors.usernameExists(e.what.startsWith('alias:') ? aliasMessage(e.what) : opts.existsMessage);
    }
    throw e;
  }
  if (pool.settings.AliasAttributes?.length) await saveUser(tx, pool, user, opts);
}

/** loadUser inside a transaction, with the row locked (PostgreSQL) so the write-back loses nothing. */
export async function lockUser(tx: Store, pool: PoolRecord, name: string): Promise<UserRecord> {
  const found = await loadUser(tx, pool, name);
  const locked = await tx.users.get(pool.id, found.usernameKey, { forUpdate: true });
  if (!locked) throw errors.userNotFound('User does not exist.');
  return locked;
}
