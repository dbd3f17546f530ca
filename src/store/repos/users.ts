/**
 * users, with user_aliases (unique sign-in identifiers) kept in step in the same transaction. The
 * values ListUsers filters on are columns of users, each with an index in the filter's order.
 */
import { CompiledQuery, sql, type SelectQueryBuilder } from 'kysely';
import type { Db } from '../db.js';
import { BulkInsert, type SqliteRows } from '../bulk.js';
import type { Database } from '../schema.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import type { AliasClaim, PoolRecord, UserExtra, UserFilter, UserProfile, UserRecord } from '../types.js';
import type { UserMfa } from '../../domain/mfa.js';
import type { ReadRepo } from './reads.js';
import { READ_PLANNING } from '../prepared.js';

/** PostgreSQL: the reads' planner settings for the rest of the transaction (SET LOCAL), in one statement. */
const SET_READ_PLANNING_LOCALLY = `SELECT ${READ_PLANNING.map(([name, value]) => `set_config('${name}', '${value}', true)`).join(', ')}`;

/** The attributes ListUsers can filter on, besides username, sub and the two statuses: each a column of users. */
export const FILTERABLE_ATTRIBUTES = ['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username'] as const;
type FilterableAttribute = (typeof FILTERABLE_ATTRIBUTES)[number];

/** The column of users each filter compares (`status`, Enabled/Disabled, is the integer `enabled`). */
const FILTER_COLUMNS: Record<string, 'username_key' | 'sub' | 'status' | FilterableAttribute> = {
  username: 'username_key',
  sub: 'sub',
  'cognito:user_status': 'status',
  ...Object.fromEntries(FILTERABLE_ATTRIBUTES.map((a) => [a, a])),
};

const isFilterableAttribute = (c: string): c is FilterableAttribute => (FILTERABLE_ATTRIBUTES as readonly string[]).includes(c);

/**
 * A page of `attr = value` on an attribute column as one range of its index: the username key to
 * start after (`from`); 'past' when the cursor is past the value (every row has the value itself, so
 * the list has ended; a cursor at the value moves username_key on); undefined for the filters that
 * are not such a range (prefixes, username, sub, the statuses).
 */
function attributeRange(filter: UserFilter, after: string | undefined): { col: FilterableAttribute; from: string } | 'past' | undefined {
  const col = FILTER_COLUMNS[filter.attr];
  if (filter.prefix || !col || !isFilterableAttribute(col)) return undefined;
  const cursor = after === undefined ? undefined : parseCursor(after);
  if (cursor && cursor[0] > filter.value) return 'past';
  return { col, from: cursor && cursor[0] === filter.value ? cursor[1] : '' };
}

/** The columns of a user without its credentials (UserProfile). */
export type ProfileRow = Omit<Database['users'], 'password_hash' | 'password_updated_at' | 'srp_verifier'>;

export function toUserProfile(r: ProfileRow): UserProfile {
  return {
    poolId: r.pool_id,
    username: r.username,
    usernameKey: r.username_key,
    sub: r.sub,
    status: r.status as UserRecord['status'],
    enabled: Number(r.enabled) === 1,
    attributes: JSON.parse(r.attributes),
    // Most users have no MFA settings: null, nothing to parse.
    mfa: r.mfa === null || r.mfa === undefined ? {} : (JSON.parse(r.mfa) as UserMfa),
    extra: JSON.parse(r.extra) as UserExtra,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

export function toUser(r: Database['users']): UserRecord {
  const u = toUserProfile(r) as UserRecord;
  u.passwordHash = r.password_hash;
  u.passwordUpdatedAt = r.password_updated_at === null ? null : Number(r.password_updated_at);
  u.srpVerifier = r.srp_verifier;
  return u;
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
    // Null for a user without MFA settings (domain/mfa.ts writes no empty members).
    mfa: u.mfa && Object.keys(u.mfa).length > 0 ? JSON.stringify(u.mfa) : null,
    extra: JSON.stringify(u.extra),
    created_at: u.createdAt,
    updated_at: u.updatedAt,
    email: searchValue(u, 'email'),
    phone_number: searchValue(u, 'phone_number'),
    name: searchValue(u, 'name'),
    given_name: searchValue(u, 'given_name'),
    family_name: searchValue(u, 'family_name'),
    preferred_username: searchValue(u, 'preferred_username'),
  };
}

/** A filterable attribute's column value: null when the user has none (an empty value is none). */
function searchValue(u: UserRecord, a: FilterableAttribute): string | null {
  const v = u.attributes[a];
  return v === undefined || v === '' ? null : v;
}

/** The columns insertMany writes, in the order of bulkRow's values (pool_id is given apart). */
const BULK_COLUMNS = [
  ['username_key', 'text'],
  ['username', 'text'],
  ['sub', 'text'],
  ['status', 'text'],
  ['enabled', 'integer'],
  ['attributes', 'text'],
  ['password_hash', 'text'],
  ['password_updated_at', 'bigint'],
  ['srp_verifier', 'text'],
  ['mfa', 'text'],
  ['extra', 'text'],
  ['created_at', 'bigint'],
  ['updated_at', 'bigint'],
  ...FILTERABLE_ATTRIBUTES.map((a) => [a, 'text'] as const),
] as const;

/** toRow's values in BULK_COLUMNS' order, made directly (a bulk load makes one for every user). */
function bulkRow(u: UserRecord, attributesJson?: string): unknown[] {
  const a = u.attributes;
  const v = (x: string | undefined) => (x === undefined || x === '' ? null : x);
  return [
    u.usernameKey,
    u.username,
    u.sub,
    u.status,
    u.enabled ? 1 : 0,
    attributesJson ?? JSON.stringify(a),
    u.passwordHash,
    u.passwordUpdatedAt,
    u.srpVerifier,
    u.mfa && Object.keys(u.mfa).length > 0 ? JSON.stringify(u.mfa) : null,
    JSON.stringify(u.extra),
    u.createdAt,
    u.updatedAt,
    v(a.email),
    v(a.phone_number),
    v(a.name),
    v(a.given_name),
    v(a.family_name),
    v(a.preferred_username),
  ];
}

// bulkRow must give toRow's values in BULK_COLUMNS' order: checked once, on a user with every column set.
{
  const attributes = Object.fromEntries(FILTERABLE_ATTRIBUTES.map((a) => [a, `${a}-value`]));
  const u: UserRecord = {
    poolId: 'p', username: 'U', usernameKey: 'u', sub: 's', status: 'CONFIRMED', enabled: true, attributes, passwordHash: 'h',
    passwordUpdatedAt: 1, srpVerifier: 'v', mfa: { totp: { secret: 's', verifiedAt: 1 } }, extra: { signInFailures: { count: 1, lastAt: 1 } }, createdAt: 2, updatedAt: 3,
  };
  const r = toRow(u);
  if (JSON.stringify(bulkRow(u)) !== JSON.stringify(BULK_COLUMNS.map(([c]) => r[c]))) throw new Error('users.ts: bulkRow is out of step with toRow');
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

const existingKeysText = new Map<number, string>();
/** SQLite: the usernames of `n` keys of a pool that exist (pool id, then the keys). */
function existingKeysSql(n: number): string {
  let text = existingKeysText.get(n);
  if (text === undefined) {
    text = `select username_key from users where pool_id = ? and username_key in (${new Array(n).fill('?').join(', ')})`;
    if (existingKeysText.size < 100) existingKeysText.set(n, text);
  }
  return text;
}

const takenAliasesText = new Map<number, string>();
/** SQLite: the value keys of `n` alias values of one kind held in a pool (pool id, kind, then the values). */
function takenAliasesSql(n: number): string {
  let text = takenAliasesText.get(n);
  if (text === undefined) {
    text = `select value_key from user_aliases where pool_id = ? and kind = ? and value_key in (${new Array(n).fill('?').join(', ')})`;
    if (takenAliasesText.size < 100) takenAliasesText.set(n, text);
  }
  return text;
}

export class UserRepo {
  constructor(
    private readonly db: Db,
    private readonly kind: 'sqlite' | 'postgres',
    private readonly sqliteRows?: SqliteRows,
    /** The store's prepared reads (ListUsers' unfiltered page with its pool: listWithPool). */
    private readonly reads?: ReadRepo,
  ) {
    this.bulkUsers = new BulkInsert(kind, 'users', 'pool_id', BULK_COLUMNS);
    this.bulkAliases = new BulkInsert(kind, 'user_aliases', 'pool_id', [
      ['kind', 'text'],
      ['value_key', 'text'],
      ['username_key', 'text'],
    ]);
  }

  /**
   * SQLite: a read of committed rows (an import's decision), straight on the connection when it holds
   * no transaction, so that it does not wait for an import's transaction (SqliteRows.readCommitted);
   * else through Kysely.
   */
  private async readCommitted<R>(sql: string, params: unknown[]): Promise<R[]> {
    const direct = this.sqliteRows?.readCommitted?.(sql, params);
    if (direct) return direct as R[];
    return (await this.db.executeQuery<R>(CompiledQuery.raw(sql, params))).rows as R[];
  }

  private readonly bulkUsers: BulkInsert;
  private readonly bulkAliases: BulkInsert;

  private inTx<T>(fn: (db: Db) => Promise<T>): Promise<T> {
    if (this.db.isTransaction) return fn(this.db);
    return (this.db as any).transaction().execute(fn);
  }

  /** Inserts the user and claims its aliases. ConflictError('username' | 'sub' | 'alias:<kind>') when taken. */
  async insert(u: UserRecord, aliases: AliasClaim[] = []): Promise<void> {
    await this.inTx(async (db) => {
      await this.lockPool(db, u.poolId);
      try {
        await db.insertInto('users').values(toRow(u)).execute();
      } catch (e) {
        if (isUniqueViolation(e)) throw new ConflictError(String((e as Error).message).includes('sub') ? 'sub' : 'username');
        throw e;
      }
      await claimAliases(db, u, aliases);
    });
  }

  /**
   * Inserts many users of one pool at once, with the aliases each holds (`aliases[i]` for
   * `users[i]`), in one transaction: for bulk loads such as imports (see bulk.ts). Rows sorted by
   * username key write the indexes in fewer places. ConflictError when any username, sub or alias
   * is taken (nothing is written then): check first with existingKeys and takenAliases.
   * `attributesJson[i]`, where given, is JSON.stringify(users[i].attributes), made already.
   */
  async insertMany(users: UserRecord[], aliases: AliasClaim[][] = [], attributesJson: (string | undefined)[] = []): Promise<void> {
    if (users.length === 0) return;
    const poolId = users[0]!.poolId;
    if (users.some((u) => u.poolId !== poolId)) throw new Error('insertMany: users of one pool at a time');
    const claims: unknown[][] = [];
    users.forEach((u, i) => {
      for (const a of aliases[i] ?? []) claims.push([a.kind, a.valueKey, u.usernameKey]);
    });
    await this.inTx(async (db) => {
      await this.lockPool(db, poolId);
      // PostgreSQL: the check of each alias row's foreign key (its user) planned once per connection,
      // with the reads' planning (prepared.ts READ_PLANNING: the key's index, never a scan), instead
      // of anew for every row under the main pool's force_custom_plan.
      if (this.kind === 'postgres' && claims.length > 0) await sql.raw(SET_READ_PLANNING_LOCALLY).execute(db);
      try {
        await this.bulkUsers.run(db, this.sqliteRows, poolId, users.map((u, i) => bulkRow(u, attributesJson[i])));
      } catch (e) {
        if (isUniqueViolation(e)) throw new ConflictError(String((e as Error).message).includes('sub') ? 'sub' : 'username');
        throw e;
      }
      try {
        await this.bulkAliases.run(db, this.sqliteRows, poolId, claims);
      } catch (e) {
        if (isUniqueViolation(e)) throw new ConflictError('alias');
        throw e;
      }
    });
  }

  /**
   * PostgreSQL: users has no foreign key to user_pools (migration 0008: its check, planned anew for
   * every row, was a third of a bulk insert's time). A transaction that inserts users holds this lock
   * on the pool's row instead, once: the lock each row's check took, so DeleteUserPool (which locks
   * the row FOR UPDATE, then deletes the pool's users and the pool) waits for it, and no user is left
   * without its pool. SQLite keeps the foreign key (its check is a cheap lookup; SQLite runs one
   * transaction at a time anyway).
   */
  private async lockPool(db: Db, poolId: string): Promise<void> {
    if (this.kind !== 'postgres') return;
    const row = await db.selectFrom('user_pools').select('id').where('id', '=', poolId).forKeyShare().executeTakeFirst();
    if (!row) throw new Error(`user pool ${poolId} does not exist`);
  }

  /** Which of these username keys the pool has already. */
  async existingKeys(poolId: string, keys: string[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (this.kind === 'postgres') {
      // One index probe a key. With `in (...)`, a planner without statistics yet (a table that a bulk
      // load is filling) scanned every user of the pool for each query.
      for (let i = 0; i < keys.length; i += 5000) {
        const { rows } = await sql<{ k: string }>`select k from unnest(${keys.slice(i, i + 5000)}::text[]) as k
          cross join lateral (select 1 from users where pool_id = ${poolId} and username_key = k limit 1) as u`.execute(this.db);
        for (const r of rows) out.add(r.k);
      }
      return out;
    }
    // Statements of fixed text, made once a length (an import asks 500 keys at a time): Kysely's
    // builder took longer than the query to compile 500 parameters.
    for (let i = 0; i < keys.length; i += 500) {
      const slice = keys.slice(i, i + 500);
      const rows = await this.readCommitted<{ username_key: string }>(existingKeysSql(slice.length), [poolId, ...slice]);
      for (const r of rows) out.add(r.username_key);
    }
    return out;
  }

  /** Which of these alias claims are held in the pool already, as `kind\u0000valueKey`. */
  async takenAliases(poolId: string, claims: AliasClaim[]): Promise<Set<string>> {
    const out = new Set<string>();
    if (this.kind === 'postgres') {
      // One index probe a claim, as existingKeys.
      for (let i = 0; i < claims.length; i += 5000) {
        const chunk = claims.slice(i, i + 5000);
        const { rows } = await sql<{ kind: string; v: string }>`select c.kind, c.v from unnest(${chunk.map((c) => c.kind)}::text[], ${chunk.map((c) => c.valueKey)}::text[]) as c(kind, v)
          cross join lateral (select 1 from user_aliases where pool_id = ${poolId} and kind = c.kind and value_key = c.v limit 1) as a`.execute(this.db);
        for (const r of rows) out.add(`${r.kind}\u0000${r.v}`);
      }
      return out;
    }
    const byKind = new Map<string, string[]>();
    for (const c of claims) {
      const values = byKind.get(c.kind);
      if (values) values.push(c.valueKey);
      else byKind.set(c.kind, [c.valueKey]);
    }
    for (const [kind, values] of byKind) {
      for (let i = 0; i < values.length; i += 500) {
        // A statement of fixed text a length, as existingKeys.
        const slice = values.slice(i, i + 500);
        const rows = await this.readCommitted<{ value_key: string }>(takenAliasesSql(slice.length), [poolId, kind, ...slice]);
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
   * Writes the user back (everything but the username and pool; the filter columns with the
   * attributes), and, when `aliases` is given, replaces the aliases it holds
   * (ConflictError('alias:<kind>') when one is taken). Returns false when the user is gone.
   */
  async update(u: UserRecord, aliases?: AliasClaim[]): Promise<boolean> {
    return this.inTx(async (db) => {
      const { pool_id, username_key, username, created_at, ...set } = toRow(u);
      const r = await db.updateTable('users').set(set).where('pool_id', '=', pool_id).where('username_key', '=', username_key).executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
      if (aliases) {
        await db.deleteFrom('user_aliases').where('pool_id', '=', pool_id).where('username_key', '=', username_key).execute();
        await claimAliases(db, u, aliases);
      }
      return true;
    });
  }

  /** Deletes the user; its aliases, codes, group memberships and tokens go by ON DELETE CASCADE. */
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
   * always through an index (users_pk, users_sub, users_status, users_enabled, users_<attribute>)
   * read in that order from the cursor on. `after` is the cursor the previous page returned.
   */
  async list(poolId: string, opts: { filter?: UserFilter; after?: string; limit: number }): Promise<{ users: UserRecord[]; cursor?: string }> {
    const { filter, after, limit } = opts;
    if (!filter) {
      const rows = inPageOrder((await this.db.executeQuery<Database['users']>(this.unfilteredPage(poolId, after, limit + 1))).rows);
      const users = rows.slice(0, limit).map(toUser);
      return { users, ...(rows.length > limit ? { cursor: users[users.length - 1]!.usernameKey } : {}) };
    }
    const byKey = this.kind === 'postgres' ? this.keyPage(poolId, filter, after, limit + 1) : undefined;
    if (byKey) {
      const rows = inPageOrder((await this.db.executeQuery<Database['users']>(byKey)).rows);
      const users = rows.slice(0, limit).map(toUser);
      return { users, ...(rows.length > limit ? { cursor: JSON.stringify([filter.value, users[users.length - 1]!.usernameKey]) } : {}) };
    }
    const rows: { value: string | undefined; row: Database['users'] }[] = [];
    for (const { value, query } of this.filterQueries(poolId, filter, after, limit + 1)) {
      for (const row of await query.execute()) rows.push({ value, row });
      if (rows.length > limit) break;
    }
    const page = rows.slice(0, limit);
    const last = page[page.length - 1];
    return {
      users: page.map((r) => toUser(r.row)),
      ...(rows.length > limit && last ? { cursor: JSON.stringify([last.value ?? sortValue(filter, last.row), last.row.username_key]) } : {}),
    };
  }

  /**
   * The pool (its row, as PoolRepo.get reads it) and one page of its users, as `list` gives it: in one
   * prepared read when the page is one index range (no filter, or `=` on an attribute column:
   * ReadRepo.poolAndPage), which took two reads one after the other (the pool, then the page);
   * otherwise the pool and then the page. Undefined when there is no such pool. Outside transactions
   * only: on PostgreSQL those reads are planned for the reads' connections (repos/reads.ts), and in a
   * transaction they would be planned anew (and sorted, on a table without statistics).
   */
  async listWithPool(
    poolId: string,
    opts: { filter?: UserFilter; after?: string; limit: number },
    getPool: () => Promise<PoolRecord | undefined>,
  ): Promise<{ pool: PoolRecord; users: UserProfile[]; cursor?: string } | undefined> {
    const { filter, after, limit } = opts;
    const range = this.reads && !this.db.isTransaction ? (filter ? attributeRange(filter, after) : { from: after ?? '' }) : undefined;
    if (range && range !== 'past') {
      const equal = filter && 'col' in range ? { attr: range.col, value: filter.value } : undefined;
      const found = await this.reads!.poolAndPage(poolId, range.from, limit + 1, equal);
      if (!found) return undefined;
      const users = found.users.slice(0, limit);
      const last = users[users.length - 1];
      const more = found.users.length > limit && last;
      return { pool: found.pool, users, ...(more ? { cursor: filter ? JSON.stringify([filter.value, last.usernameKey]) : last.usernameKey } : {}) };
    }
    const pool = await getPool();
    return pool && { pool, ...(await this.list(poolId, opts)) };
  }

  /**
   * PostgreSQL: a page with its rows' places (page_n), when the filter allows it: none (read key by
   * key, see unfilteredPage), or `=` on a column that is not unique in a pool (an attribute: the
   * column's index in username order); undefined for the others (prefixes, username, sub, the
   * statuses), which `list` reads through filterQueries.
   */
  private keyPage(poolId: string, filter: UserFilter | undefined, after: string | undefined, n: number): CompiledQuery<Record<string, unknown>> | undefined {
    let col: FilterableAttribute | undefined;
    let from = after ?? '';
    if (filter) {
      const range = attributeRange(filter, after);
      if (!range || range === 'past') return undefined; // past the value: an empty page (list)
      ({ col, from } = range);
    }
    const params: unknown[] = [poolId, from, n];
    // The rows come with their place in the page (page_n), which the caller orders them by (inPageOrder):
    // an ORDER BY around the lateral joins would add a sort to the plan, however small.
    let page: string;
    if (col) {
      // `=` on an attribute: one range of the column's index, in username order, as `list` read it (a
      // recursive read key by key was measured at half the rate: bench/compare.mjs, docs/performance.md).
      // The row number follows the range's order (no sort).
      params.push(filter!.value);
      page = `SELECT row_number() OVER (ORDER BY s.username_key) AS page_n, s.* FROM (
          SELECT * FROM users WHERE pool_id = $1 AND ${col} = $4 AND username_key > $2 ORDER BY username_key LIMIT $3) s`;
    } else {
      page = `WITH RECURSIVE k(key, n) AS (
           SELECT ${nextKey('$2')}, 1
           UNION ALL
           SELECT ${nextKey('k.key')}, k.n + 1 FROM k WHERE k.key IS NOT NULL AND k.n < $3)
         SELECT k.n AS page_n, u.* FROM k CROSS JOIN LATERAL (SELECT * FROM users WHERE pool_id = $1 AND username_key = k.key OFFSET 0) u`;
    }
    return CompiledQuery.raw(page, params);
  }

  /**
   * A page of the pool's users by username key, from after `after`. SQLite reads users_pk in order.
   * PostgreSQL planned `WHERE pool_id = ? ORDER BY username_key LIMIT n` on a table without
   * statistics (right after an import, before autovacuum) as a read of every user of the pool and a
   * sort: it estimates a pool at 0.5% of the table, which makes the sort look cheaper than the index's
   * order. So there the page is read key after key, each `ORDER BY username_key LIMIT 1` (a first row
   * always costs less from the index in order than sorted), then each row by its primary key through
   * a subquery the planner cannot merge into a join (OFFSET 0): each step has one plan.
   */
  private unfilteredPage(poolId: string, after: string | undefined, n: number): CompiledQuery<Database['users']> {
    if (this.kind === 'sqlite') {
      let q = this.db.selectFrom('users').selectAll().where('pool_id', '=', poolId);
      if (after !== undefined) q = q.where('username_key', '>', after);
      return q.orderBy('username_key').limit(n).compile();
    }
    return this.keyPage(poolId, undefined, after, n) as CompiledQuery<Database['users']>;
  }

  /**
   * The query plans of a ListUsers page (EXPLAIN QUERY PLAN / EXPLAIN; no filter: the page by
   * username), for tests and diagnosis.
   */
  async explainList(poolId: string, filter: UserFilter | undefined, after?: string): Promise<string[]> {
    const out: string[] = [];
    const byKey = this.kind === 'postgres' ? this.keyPage(poolId, filter, after, 61) : undefined;
    const compiled = byKey ? [byKey] : filter ? this.filterQueries(poolId, filter, after, 61).map(({ query }) => query.compile()) : [this.unfilteredPage(poolId, after, 61)];
    for (const c of compiled) {
      const r = await this.db.executeQuery<Record<string, unknown>>(CompiledQuery.raw(`${this.kind === 'sqlite' ? 'explain query plan' : 'explain'} ${c.sql}`, [...c.parameters]));
      out.push(r.rows.map((row) => String(row.detail ?? row['QUERY PLAN'])).join('\n'));
    }
    return out;
  }

  /**
   * The queries of a filtered page, to run in order until `n` rows are found; each reads one index
   * range in (value, username_key) order. `value`: the filter value every row of that query has, when
   * it is not the column's own (status: Enabled/Disabled for enabled = 1/0).
   */
  private filterQueries(poolId: string, filter: UserFilter, after: string | undefined, n: number): { value?: string; query: SelectQueryBuilder<Database, 'users', Database['users']> }[] {
    const cursor = after === undefined ? undefined : parseCursor(after);
    const base = () => this.db.selectFrom('users').selectAll().where('pool_id', '=', poolId);
    if (filter.attr === 'status') {
      // Two values, each an equality on enabled read in username_key order: Disabled (0) sorts first.
      return ['Disabled', 'Enabled']
        .filter((v) => (filter.prefix ? v.startsWith(filter.value) : v === filter.value))
        .filter((v) => !cursor || v >= cursor[0])
        .map((v) => {
          let q = base().where('enabled', '=', v === 'Enabled' ? 1 : 0);
          if (cursor && v === cursor[0]) q = q.where('username_key', '>', cursor[1]);
          return { value: v, query: q.orderBy('username_key').limit(n) };
        });
    }
    const col = FILTER_COLUMNS[filter.attr];
    if (!col) throw new Error(`not a filterable attribute: ${filter.attr}`);
    // username_key and sub are unique in a pool: the value alone orders the rows.
    const unique = col === 'username_key' || col === 'sub';
    let q = base();
    if (col !== 'username_key' && col !== 'sub' && col !== 'status') q = q.where(col, 'is not', null);
    if (!filter.prefix) {
      // Every row has the value itself: the cursor only moves username_key on.
      if (cursor && cursor[0] > filter.value) return [];
      q = q.where(col, '=', filter.value);
      if (cursor && cursor[0] === filter.value) q = q.where('username_key', '>', cursor[1]);
      return [{ query: (unique ? q : q.orderBy('username_key')).limit(n) }];
    }
    // A prefix: the range [value, value + U+FFFF), from the cursor on when it is inside the range
    // (one lower bound, so that the index is entered at the cursor rather than at the range's start).
    q = q.where(col, '<', filter.value + '\uffff');
    if (cursor && cursor[0] >= filter.value) {
      q = unique ? q.where(col, '>', cursor[0]) : q.where((eb) => eb(eb.refTuple(col, 'username_key'), '>', eb.tuple(cursor[0], cursor[1])));
    } else {
      q = q.where(col, '>=', filter.value);
    }
    q = unique ? q.orderBy(col) : q.orderBy(col).orderBy('username_key');
    return [{ query: q.limit(n) }];
  }
}

/** The next username key of the pool after `after` (PostgreSQL; users_pk in order, one entry). */
const nextKey = (after: string) => `(SELECT username_key FROM users WHERE pool_id = $1 AND username_key > ${after} ORDER BY username_key LIMIT 1)`;

/** keyPage's rows by their place in the page (`page_n`; a row without one, the pool's alone, first); other rows as they are. */
function inPageOrder<R>(rows: R[]): R[] {
  const n = (r: R) => Number((r as { page_n?: unknown }).page_n ?? 0);
  return rows.length > 1 && (rows[0] as { page_n?: unknown }).page_n !== undefined ? rows.sort((a, b) => n(a) - n(b)) : rows;
}

/** A row's value of the filtered column, as the cursor holds it. */
function sortValue(filter: UserFilter, row: Database['users']): string {
  if (filter.attr === 'status') return Number(row.enabled) === 1 ? 'Enabled' : 'Disabled';
  return String(row[FILTER_COLUMNS[filter.attr]!] ?? '');
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
