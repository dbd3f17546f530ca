/** Writing users: a user with its aliases (conflicts translated to Cognito errors), the locked re-read, attribute deletion. */
import { errors } from '../protocol/errors.js';
import { ConflictError } from '../store/errors.js';
import type { PoolRecord, Store, UserRecord } from '../store/types.js';
import { aliasClaims, loadUser } from './users.js';
import { pendingOf, withPending } from './attribute-updates.js';
import type { Ctx } from '../operations/context.js';

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

/**
 * Deletes attributes of a user (AdminDeleteUserAttributes, DeleteUserAttributes). The user is found
 * first (UserNotFoundException before any name is looked at); then each name must be in the schema
 * and neither required nor immutable, else InvalidParameterException "Invalid user attributes: "
 * with one line `user.<name>: <why>` a name, each ending with a newline (Cognito's text for names
 * outside the schema). Deleting email or phone drops its verified flag.
 */
export async function deleteAttributes(ctx: Ctx, pool: PoolRecord, username: string, names: string[]): Promise<void> {
  const schema = new Map((pool.settings.SchemaAttributes ?? []).map((a) => [a.Name!, a]));
  const problems: string[] = [];
  for (const name of names) {
    const def = schema.get(name);
    if (!def) problems.push(`${name}: Attribute does not exist in the schema.`);
    else if (def.Required || name === 'sub') problems.push(`${name}: The attribute is required`);
    else if (def.Mutable === false) problems.push(`${name}: Attribute cannot be updated. (changing an immutable attribute)`);
    else if ((pool.settings.UsernameAttributes ?? []).includes(name as 'email')) problems.push(`${name}: The attribute is required`);
  }
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, username);
    if (problems.length) throw errors.invalidParameter(`Invalid user attributes: ${problems.map((p) => `user.${p}\n`).join('')}`);
    const attrs = { ...u.attributes };
    const pending = { ...pendingOf(u) };
    for (const name of names) {
      delete attrs[name];
      delete pending[name];
      if (name === 'email') delete attrs.email_verified;
      if (name === 'phone_number') delete attrs.phone_number_verified;
    }
    await saveUser(tx, pool, { ...u, attributes: attrs, extra: withPending(u.extra, pending), updatedAt: ctx.now }, { now: ctx.now });
  });
}
