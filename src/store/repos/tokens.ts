/**
 * token_families and refresh_tokens. A family is one sign-in: its refresh tokens (one, or a chain
 * when rotation is on) and every ID and access token minted from it carry its origin_jti.
 * Revocation is a fact in this table, so it holds across restarts and nodes.
 */
import { CompiledQuery, type Kysely } from 'kysely';
import { preparedRead, type PreparedRead, type ReadRunner } from '../prepared.js';
import type { Db } from '../db.js';
import type { Database } from '../schema.js';

export interface TokenFamily {
  originJti: string;
  poolId: string;
  clientId: string;
  usernameKey: string;
  /** Epoch seconds. */
  authTime: number;
  createdAt: number;
  expiresAt: number;
  revokedAt: number | null;
  /** The scopes a hosted (OAuth) sign-in granted; null for the API flows (their tokens get the admin scope). */
  scopes: string[] | null;
  /** The remembered device the sign-in was bound to (its access tokens carry device_key), else null. */
  deviceKey: string | null;
}

export interface RefreshTokenRecord {
  tokenHash: string;
  originJti: string;
  createdAt: number;
  expiresAt: number;
  replacedAt: number | null;
}

/**
 * What a sign-in takes as it is written (the token endpoint's authorization_code grant): the row of
 * auth_sessions `id` (the code), replaced by `to` (the used-code marker) only while its state is
 * still `from` (the code as read) and it has not expired at `now`.
 */
export interface SessionClaim {
  id: string;
  from: string;
  to: string;
  now: number;
}

/** The columns of a family and its first refresh token, as INSERT_FAMILY's batched form names its parameters. */
const FAMILY_PARAMS = 'origin_jti, pool_id, client_id, username_key, auth_time, created_at, expires_at, scopes, device_key';
const TOKEN_PARAMS = 'token_hash, t_origin_jti, t_created_at, t_expires_at, t_replaced_at';
const unnest = (names: string) => {
  const list = names.split(', ');
  return `unnest(${list.map((_, k) => `$${k + 1}::text[]`).join(', ')}) WITH ORDINALITY AS i(${names}, batch_i)`;
};
const FAMILY_FROM_I = `INSERT INTO token_families (origin_jti, pool_id, client_id, username_key, auth_time, created_at, expires_at, revoked_at, scopes, device_key)
  SELECT i.origin_jti, i.pool_id, i.client_id, i.username_key, CAST(i.auth_time AS bigint), CAST(i.created_at AS bigint), CAST(i.expires_at AS bigint), NULL, i.scopes, i.device_key`;
const TOKEN_FROM_I = `INSERT INTO refresh_tokens (token_hash, origin_jti, created_at, expires_at, replaced_at)
  SELECT i.token_hash, i.t_origin_jti, CAST(i.t_created_at AS bigint), CAST(i.t_expires_at AS bigint), CAST(i.t_replaced_at AS bigint)`;

/**
 * TokenRepo.insertFamily on PostgreSQL: the family inserted in a data-modifying WITH, its refresh
 * token after it (the token's foreign key is checked at the end of the statement). Parameters: the
 * family's columns, the refresh token's. Outside transactions on the prepared reads' connections
 * (generic plans, prepared.ts), and the sign-ins of concurrent requests written together by the batched
 * form (one statement, one commit: measured on one connection, PostgreSQL's CPU a sign-in 240 µs
 * alone, 73 by four, 35 by sixteen). A batch that fails (a user deleted meanwhile: the foreign key)
 * is run again one sign-in at a time, so each gets its own answer (prepared.ts runBatch).
 */
export const INSERT_FAMILY = preparedRead(
  'insert_family_v1',
  `WITH f AS (INSERT INTO token_families (origin_jti, pool_id, client_id, username_key, auth_time, created_at, expires_at, revoked_at, scopes, device_key)
       VALUES (?, ?, ?, ?, ?, ?, ?, NULL, ?, ?))
   INSERT INTO refresh_tokens (token_hash, origin_jti, created_at, expires_at, replaced_at) VALUES (?, ?, ?, ?, ?)`,
  undefined,
  `WITH i AS (SELECT * FROM ${unnest(`${FAMILY_PARAMS}, ${TOKEN_PARAMS}`)}),
        f AS (${FAMILY_FROM_I} FROM i)
   ${TOKEN_FROM_I} FROM i`,
);

/**
 * TokenRepo.insertFamily with a claim, on PostgreSQL: the code replaced by its used marker (an
 * UPDATE by primary key, only while its state is the one read and it has not expired), and the
 * family and its refresh token inserted from the UPDATE's result: both rows or neither, in one
 * statement and one commit. Outside transactions on the prepared reads' connections, concurrent
 * exchanges batched, as INSERT_FAMILY: the batched form takes each code of the batch in one UPDATE and
 * inserts the sign-ins of the codes it took, and returns each written sign-in's batch_i. Two
 * exchanges of one code in one batch: the UPDATE changes the row once, for one of them (PostgreSQL
 * uses one of the joined rows), and only that one's sign-in is written; in two statements, the second
 * UPDATE waits for the first's row lock and then finds the state changed. (INSERT ... SELECT: the
 * values typed by casts, since a parameter in a select list is not typed by its column.) Parameters:
 * the marker, the code's id, the code's state as read, now; the family's columns; the refresh token's.
 */
export const CLAIM_AND_INSERT_FAMILY = preparedRead(
  'claim_and_insert_family_v2',
  `WITH c AS (UPDATE auth_sessions SET state = ? WHERE id = ? AND state = ? AND expires_at > CAST(? AS bigint) RETURNING id),
     f AS (INSERT INTO token_families (origin_jti, pool_id, client_id, username_key, auth_time, created_at, expires_at, revoked_at, scopes, device_key)
       SELECT CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS text), CAST(? AS bigint), CAST(? AS bigint), CAST(? AS bigint), NULL, CAST(? AS text), CAST(? AS text) FROM c)
   INSERT INTO refresh_tokens (token_hash, origin_jti, created_at, expires_at, replaced_at)
     SELECT CAST(? AS text), CAST(? AS text), CAST(? AS bigint), CAST(? AS bigint), CAST(? AS bigint) FROM c
   RETURNING origin_jti`,
  undefined,
  `WITH i AS (SELECT * FROM ${unnest(`marker, code_id, code_state, now, ${FAMILY_PARAMS}, ${TOKEN_PARAMS}`)}),
        c AS (UPDATE auth_sessions s SET state = i.marker FROM i
               WHERE s.id = i.code_id AND s.state = i.code_state AND s.expires_at > CAST(i.now AS bigint) RETURNING i.batch_i),
        f AS (${FAMILY_FROM_I} FROM i JOIN c ON c.batch_i = i.batch_i),
        t AS (${TOKEN_FROM_I} FROM i JOIN c ON c.batch_i = i.batch_i RETURNING origin_jti)
   SELECT i.batch_i, t.origin_jti FROM t JOIN i ON i.t_origin_jti = t.origin_jti`,
);

export class TokenRepo {
  constructor(
    private readonly db: Db,
    private readonly kind: 'sqlite' | 'postgres' = 'sqlite',
    /** PostgreSQL outside transactions: runs on the generic-plan connections, batched (prepared.ts pgRunner). */
    private readonly writes?: ReadRunner,
  ) {}

  /** A PostgreSQL write of this repository: named, on the generic-plan connections when it can be. */
  private async pgWrite<R>(q: PreparedRead, params: unknown[]): Promise<R[]> {
    if (this.writes && !this.db.isTransaction) return this.writes<R>(q, params);
    return (await this.db.executeQuery<R>(CompiledQuery.raw(q.pg, params))).rows as R[];
  }

  /**
   * A new sign-in with its first refresh token, both or neither. PostgreSQL: one statement (the
   * family inserted in a data-modifying WITH, the token after it; the token's foreign key is checked
   * at the end of the statement), where a transaction took four (BEGIN, two inserts, COMMIT: a round
   * trip each, every sign-in). SQLite: the two inserts in the caller's transaction, or in one of their own.
   *
   * With `claim`: only if the claim holds (the code is still there, unused), the code replaced by its
   * used marker in the same statement (PostgreSQL: an UPDATE in the WITH, the inserts selecting from
   * its result; of two exchanges of one code the second's UPDATE waits for the first's and then finds
   * the state changed) or transaction (SQLite); false, and nothing written, when it does not. The
   * code exchange took three statements for this (the code taken, the sign-in written, the marker
   * inserted: three commits on PostgreSQL).
   */
  async insertFamily(f: TokenFamily, refresh: RefreshTokenRecord, claim?: SessionClaim): Promise<boolean> {
    const family = {
      origin_jti: f.originJti,
      pool_id: f.poolId,
      client_id: f.clientId,
      username_key: f.usernameKey,
      auth_time: f.authTime,
      created_at: f.createdAt,
      expires_at: f.expiresAt,
      revoked_at: null,
      scopes: f.scopes === null ? null : f.scopes.join(' '),
      device_key: f.deviceKey,
    };
    if (this.kind === 'postgres') {
      const t = refresh;
      const familyValues = [family.origin_jti, family.pool_id, family.client_id, family.username_key, family.auth_time, family.created_at, family.expires_at, family.scopes, family.device_key];
      const tokenValues = [t.tokenHash, t.originJti, t.createdAt, t.expiresAt, t.replacedAt];
      if (claim) {
        const rows = await this.pgWrite<{ origin_jti: string }>(CLAIM_AND_INSERT_FAMILY, [claim.to, claim.id, claim.from, claim.now, ...familyValues, ...tokenValues]);
        return rows.length > 0;
      }
      await this.pgWrite(INSERT_FAMILY, [...familyValues, ...tokenValues]);
      return true;
    }
    if (!this.db.isTransaction) return (this.db as Kysely<Database>).transaction().execute((trx) => new TokenRepo(trx, this.kind).insertFamily(f, refresh, claim));
    if (claim) {
      const r = await this.db
        .updateTable('auth_sessions')
        .set({ state: claim.to })
        .where('id', '=', claim.id)
        .where('state', '=', claim.from)
        .where('expires_at', '>', claim.now)
        .executeTakeFirst();
      if (Number(r.numUpdatedRows) === 0) return false;
    }
    await this.db.insertInto('token_families').values(family).execute();
    await this.insertRefresh(refresh);
    return true;
  }

  async insertRefresh(t: RefreshTokenRecord): Promise<void> {
    await this.db
      .insertInto('refresh_tokens')
      .values({ token_hash: t.tokenHash, origin_jti: t.originJti, created_at: t.createdAt, expires_at: t.expiresAt, replaced_at: t.replacedAt })
      .execute();
  }

  /** Marks a refresh token replaced (rotation); false when another request replaced it first. */
  async markReplaced(tokenHash: string, at: number): Promise<boolean> {
    const r = await this.db
      .updateTable('refresh_tokens')
      .set({ replaced_at: at })
      .where('token_hash', '=', tokenHash)
      .where('replaced_at', 'is', null)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Extends the family's lifetime to cover a newly rotated refresh token. */
  async extendFamily(originJti: string, expiresAt: number): Promise<void> {
    await this.db.updateTable('token_families').set({ expires_at: expiresAt }).where('origin_jti', '=', originJti).where('expires_at', '<', expiresAt).execute();
  }

  async revokeFamily(originJti: string, at: number): Promise<void> {
    await this.db.updateTable('token_families').set({ revoked_at: at }).where('origin_jti', '=', originJti).where('revoked_at', 'is', null).execute();
  }

  /** Global sign-out: every family of the user. */
  async revokeUser(poolId: string, usernameKey: string, at: number): Promise<void> {
    await this.db
      .updateTable('token_families')
      .set({ revoked_at: at })
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .where('revoked_at', 'is', null)
      .execute();
  }

  /** Deletes families that expired before `before` (their tokens with them). */
  async purgeExpired(before: number): Promise<void> {
    await this.db.deleteFrom('token_families').where('expires_at', '<', before).execute();
  }
}
