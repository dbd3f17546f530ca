/**
 * users, with their secondary tables kept in step in the same transaction:
 * user_index (the values ListUsers can filter on) and user_aliases (unique sign-in identifiers).
 */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import type { AliasClaim, UserFilter, UserRecord } from '../types.js';

/** The attributes ListUsers can filter on, besides username, sub and the two statuses. */
export const FILTERABLE_ATTRIBUTES = ['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username'] as const;

export function toUser(r: Database['users']): UserRecord {
  return {
    poolId: r.pool_id,
    username: r.username,
    usernameKey: r.username_key,
    sub: r.sub,
    status: r.status as UserRecord['status'],
    enabled: Number(r.enabled) === 1,
    attributes: JSON.parse(r.attributes),
    passwordHash: r.password_hash,
    passwordUpdatedAt: r.password_updated_at === null ? null : Number(r.password_updated_at),
    srpVerifier: r.srp_verifier,
    extra: JSON.parse(r.extra),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toRow(u: UserRecord): Database['users'] {
  return {
    pool_id: u.poolId,
    username_key: u.usernameKey,
    username: u.username,
    sub: u.sub,
    status: u.status,
    enabled: u.enabled ? 1 : 0,
    attributes: JSON.stringify(u.attributes),
    password_hash: u.passwordHash,
    password_updated_at: u.passwordUpdatedAt,
    srp_verifier: u.srpVerifier,
    extra: JSON.stringify(u.extra),
    created_at: u.createdAt,
    updated_at: u.updatedAt,
  };
}

/** The (attribute, value) pairs of a user that ListUsers filters find. */
function indexRows(u: UserRecord): Database['user_index'][] {
  const pairs: [string, string][] = [
    ['username', u.usernameKey],
    ['sub', u.sub],
    ['cognito:user_status', u.status],
    ['status', u.enabled ? 'Enabled' : 'Disabled'],
  ];
  for (const a of FILTERABLE_ATTRIBUTES) {
    const v = u.attributes[a];
    if (v !== undefined && v !== '') pairs.push([a, v]);
  }
  return pairs.map(([attr, value]) => ({ pool_id: u.poolId, attr, value, username_key: u.usernameKey }));
}

/** A cursor is the last row's sort key: JSON `[value, username_key]` when filtered, else the key. */
function parseCursor(after: string): [string, string] {
  try {
    const c = JSON.parse(after);
    if (Array.isArray(c) && typeof c[0] === 'string' && typeof c[1] === 'string') return [c[0], c[1]];
  } catch {
    // fall through: an unreadable cursor starts after nothing it could name
  }
  return ['', after];
}

export class UserRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  private inTx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this.db);
    return (this.db as any).transaction().execute(fn);
  }

  /** Inserts the user and claims its aliases. ConflictError('username' | 'sub' | 'alias:<kind>') when taken. */
  async insert(u: UserRecord, aliases: AliasClaim[] = []): Promise<void> {
    await this.inTx(async (db) => {
      try {
        await db.insertInto('users').values(toRow(u)).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw new ConflictError(String((e as Error).message).includes('sub') ? 'sub' : 'username');
        throw e;
      }
      await db.insertInto('user_index').values(indexRows(u)).execute();
      await claimAliases(db, u, aliases);
    });
  }

  /**
   * Inserts many users at once (multi-row statements, in one transaction), with the aliases each
   * holds (`aliases[i]` for `users[i]`): for bulk loads such as imports. ConflictError when any
   * username or alias is taken: check first with existingKeys and takenAliases.
   */
  async insertMany(users: UserRecord[], aliases: AliasClaim[][] = []): Promise<void> {
    if (users.length === 0) return;
    await this.inTx(async (db) => {
      for (let i = 0; i < users.length; i += 200) {
        const chunk = users.slice(i, i + 200);
        try {
          await db.insertInto('users').values(chunk.map(toRow)).execute();
        } catch (e) {
          if (isUniqueViolation(e)) throw new ConflictError('username');
          throw e;
        }
        await db.insertInto('user_index').values(chunk.flatMap(indexRows)).execute();
        const claims = chunk.flatMap((u, j) =>
          (aliases[i + j] ?? []).map((a) => ({ pool_id: u.poolId, kind: a.kind, value_key: a.valueKey, username_key: u.usernameKey })),
        );
        if (claims.length) {
          try {
            await db.insertInto('user_aliases').values(claims).execute();
          } catch (e) {
            if (isUniqueViolation(e)) throw new ConflictError('alias');
            throw e;
          }
        }
      }
    });
  }

  /** Which of these username keys the pool has already. */
  async existingKeys(poolId: string, keys: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    for (let i = 0; i < keys.length; i += 500) {
      const rows = await this.db.selectFrom('users').select('username_key').where('pool_id', '=', poolId).where('username_key', 'in', keys.slice(i, i + 500)).execute();
      for (const r of rows) out.add(r.username_key);
    }
    return out;
  }

  /** Which of these alias claims are held in the pool already, as `kind\u0000valueKey`. */
  async takenAliases(poolId: string, claims: AliasClaim[]): Promise<Set<string>> {
    const out = new Set<string>();
    const byKind = new Map<string, string[]>();
    for (const c of claims) byKind.set(c.kind, [...(byKind.get(c.kind) ?? []), c.valueKey]);
    for (const [kind, values] of byKind) {
      for (let i = 0; i < values.length; i += 500) {
        const rows = await this.db
          .selectFrom('user_aliases')
          .select('value_key')
          .where('pool_id', '=', poolId)
          .where('kind', '=', kind)
          .where('value_key', 'in', values.slice(i, i + 500))
          .execute();
        for (const r of rows) out.add(`${kind}\u0000${r.value_key}`);
      }
    }
    return out;
  }

  async get(poolId: string, usernameKey: string, opts?: { forUpdate?: boolean }): Promise<UserRecord | undefined> {
    let q = this.db.selectFrom('users').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toUser(r);
  }

  async getBySub(poolId: string, sub: string): Promise<UserRecord | undefined> {
    const r = await this.db.selectFrom('users').selectAll().where('pool_id', '=', poolId).where('sub', '=', sub).executeTakeFirst();
    return r && toUser(r);
  }

  /** The user holding an alias (or username attribute) value. */
  async getByAlias(poolId: string, kind: string, valueKey: string): Promise<UserRecord | undefined> {
    const r = await this.db
      .selectFrom('user_aliases')
      .innerJoin('users', (j) => j.onRef('users.pool_id', '=', 'user_aliases.pool_id').onRef('users.username_key', '=', 'user_aliases.username_key'))
      .selectAll('users')
      .where('user_aliases.pool_id', '=', poolId)
      .where('user_aliases.kind', '=', kind)
      .where('user_aliases.value_key', '=', valueKey)
      .executeTakeFirst();
    return r && toUser(r as Database['users']);
  }

  /** The aliases a user holds now. */
  async aliasesOf(poolId: string, usernameKey: string): Promise<AliasClaim[]> {
    const rows = await this.db
      .selectFrom('user_aliases')
      .select(['kind', 'value_key'])
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .execute();
    return rows.map((r) => ({ kind: r.kind, valueKey: r.value_key }));
  }

  /**
   * Writes the user back (everything but the username and pool), re-indexes it, and, when `aliases`
   * is given, replaces the aliases it holds (ConflictError('alias:<kind>') when one is taken).
   * Returns false when the user is gone.
   */
  async update(u: UserRecord, aliases?: AliasClaim[]): Promise<boolean> {
    return this.inTx(async (db) => {
      const { pool_id, username_key, username, created_at, ...set } = toRow(u);
      const r = await db.updateTable('users').set(set).where('pool_id', '=', pool_id).where('username_key', '=', username_key).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      await db.deleteFrom('user_index').where('pool_id', '=', pool_id).where('username_key', '=', username_key).execute();
      await db.insertInto('user_index').values(indexRows(u)).execute();
      if (aliases) {
        await db.deleteFrom('user_aliases').where('pool_id', '=', pool_id).where('username_key', '=', username_key).execute();
        await claimAliases(db, u, aliases);
      }
      return true;
    });
  }

  /** Deletes the user; its index rows, aliases, codes and group memberships go by ON DELETE CASCADE. */
  async delete(poolId: string, usernameKey: string): Promise<boolean> {
    const r = await this.db.deleteFrom('users').where('pool_id', '=', poolId).where('username_key', '=', usernameKey).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async count(poolId: string): Promise<number> {
    const r = await this.db.selectFrom('users').select((eb) => eb.fn.countAll<number>().as('n')).where('pool_id', '=', poolId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /**
   * One page of users in a stable order: by username_key, or with a filter by (value, username_key),
   * always through an index. `after` is the cursor the previous page returned.
   */
  async list(poolId: string, opts: { filter?: UserFilter; after?: string; limit: number }): Promise<{ users: UserRecord[]; cursor?: string }> {
    const { filter, after, limit } = opts;
    if (!filter) {
      let q = this.db.selectFrom('users').selectAll().where('pool_id', '=', poolId);
      if (after !== undefined) q = q.where('username_key', '>', after);
      const rows = await q.orderBy('username_key').limit(limit + 1).execute();
      const users = rows.slice(0, limit).map(toUser);
      return { users, ...(rows.length > limit ? { cursor: users[users.length - 1]!.usernameKey } : {}) };
    }
    let q = this.db
      .selectFrom('user_index')
      .innerJoin('users', (j) => j.onRef('users.pool_id', '=', 'user_index.pool_id').onRef('users.username_key', '=', 'user_index.username_key'))
      .selectAll('users')
      .select('user_index.value as index_value')
      .where('user_index.pool_id', '=', poolId)
      .where('user_index.attr', '=', filter.attr);
    if (filter.prefix) {
      q = q.where('user_index.value', '>=', filter.value).where('user_index.value', '<', filter.value + '\uffff');
    } else {
      q = q.where('user_index.value', '=', filter.value);
    }
    if (after !== undefined) {
      const [v, k] = parseCursor(after);
      q = q.where((eb) =>
        eb.or([eb('user_index.value', '>', v), eb.and([eb('user_index.value', '=', v), eb('user_index.username_key', '>', k)])]),
      );
    }
    const rows = await q.orderBy('user_index.value').orderBy('user_index.username_key').limit(limit + 1).execute();
    const page = rows.slice(0, limit);
    const last = page[page.length - 1] as (Database['users'] & { index_value: string }) | undefined;
    return {
      users: page.map((r) => toUser(r as Database['users'])),
      ...(rows.length > limit && last ? { cursor: JSON.stringify([last.index_value, last.username_key]) } : {}),
    };
  }
}

async function claimAliases(db: Db, u: UserRecord, aliases: AliasClaim[]): Promise<void> {
  for (const a of aliases) {
    try {
      await db.insertInto('user_aliases').values({ pool_id: u.poolId, kind: a.kind, value_key: a.valueKey, username_key: u.usernameKey }).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError(`alias:${a.kind}`);
      throw e;
    }
  }
}
