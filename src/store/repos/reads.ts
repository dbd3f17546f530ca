/**
 * The hot reads, as prepared statements (store/prepared.ts): a pool with the users its username may
 * name (the admin operations on one user), a pool's creation time with the user of one username
 * key and without credentials (AdminGetUser), a user by username key, alias or sub (findUser: the
 * sign-in flows, the client-side operations), a client with its pool, and an access token's
 * client, pool, sign-in and user (every access-token operation). Each is one
 * statement, so one round trip on PostgreSQL; which row is the user is decided by the caller
 * (domain/users.ts), which knows the pool's rules (case sensitivity, username and alias attributes).
 */
import type { Database } from '../schema.js';
import { preparedRead, type PreparedRead, type ReadRunner } from '../prepared.js';
import type { ClientRecord, GroupRecord, PoolRecord, UserProfile, UserRecord } from '../types.js';
import { POOL_COLUMNS, toPool } from './pools.js';
import { toClient } from './clients.js';
import { toGroup } from './groups.js';
import { FILTERABLE_ATTRIBUTES, toUser, toUserProfile, type ProfileRow } from './users.js';
import type { RefreshTokenRecord, TokenFamily } from './tokens.js';
import type { AuthSessionRecord } from './sessions.js';

const USER_COLUMNS = [
  'pool_id',
  'username_key',
  'username',
  'sub',
  'status',
  'enabled',
  'attributes',
  'password_hash',
  'password_updated_at',
  'srp_verifier',
  'mfa',
  'extra',
  'created_at',
  'updated_at',
] as const;
/** A user without its credentials (UserProfile). */
const PROFILE_COLUMNS = USER_COLUMNS.filter((c) => c !== 'password_hash' && c !== 'password_updated_at' && c !== 'srp_verifier');
const CLIENT_COLUMNS = ['id', 'pool_id', 'name', 'secret', 'created_at', 'updated_at', 'settings', 'secrets'] as const;
const FAMILY_COLUMNS = ['origin_jti', 'pool_id', 'client_id', 'username_key', 'auth_time', 'created_at', 'expires_at', 'revoked_at', 'scopes', 'device_key'] as const;

/** `t.a AS pa, t.b AS pb, ...`: every result column named, the same on both dialects. */
const columns = (table: string, names: readonly string[], prefix = '') => names.map((c) => `${table}.${c} AS ${prefix}${c}`).join(', ');

/** The row of `prefix`ed columns as the table's own row. */
function unprefix<T>(r: Record<string, unknown>, prefix: string, names: readonly string[]): T {
  const out: Record<string, unknown> = {};
  for (const c of names) out[c] = r[prefix + c];
  return out as T;
}

/**
 * A pool's columns in a hot read. SQLite: the pool's row (`p_` columns). PostgreSQL: the pool's id
 * and the version of its row (`p_version`: xmin and ctid, which every UPDATE of the row changes, on
 * any node), without the row: its settings are kilobytes of JSON (4.3 KB for a default pool), kept
 * compressed in the row, so that every read decompressed them, sent them and decoded them on the
 * node, for every read of a batch. ReadRepo.poolOf takes the pool from the node's copy of that
 * version, or reads the row (POOL_BY_ID) when the node has none. Every read still reaches the
 * database, so several nodes on one database see a pool's change at their next request.
 */
const POOL_VERSION = `p.xmin::text || ':' || p.ctid::text`;
const POOL_SELECT = columns('p', POOL_COLUMNS, 'p_');
const PG_POOL_SELECT = `p.id AS p_id, ${POOL_VERSION} AS p_version`;
/** The read's SQL with PostgreSQL's pool columns (PG_POOL_SELECT) for the pool's row. */
const pgPool = (sql: string) => {
  if (!sql.includes(POOL_SELECT)) throw new Error('pgPool: the read does not select the pool columns');
  return sql.replace(POOL_SELECT, PG_POOL_SELECT);
};

/** The pool's row by id, with its version (ReadRepo.poolOf, when the node has no copy of the version read). */
const POOL_BY_ID = preparedRead(
  'pool_by_id_v1',
  `SELECT ${POOL_COLUMNS.join(', ')}, NULL AS version FROM user_pools p WHERE p.id = ?`,
  `SELECT ${POOL_COLUMNS.join(', ')}, ${POOL_VERSION} AS version FROM user_pools p WHERE p.id = ?`,
);

/**
 * The pool, and the users whose username key is the name or its lower-case form (which one counts
 * depends on the pool's case sensitivity, known once the pool is read). `via_key` is the username
 * key. Parameters: pool id, name, lower-case name.
 */
const POOL_AND_USERS_SQL = `SELECT ${POOL_SELECT}, u.username_key AS via_key, ${columns('u', USER_COLUMNS)}
     FROM user_pools p LEFT JOIN users u ON u.pool_id = p.id AND u.username_key IN (?, ?)
    WHERE p.id = ?`;
const POOL_AND_USERS = preparedRead('pool_and_users_v3', POOL_AND_USERS_SQL, pgPool(POOL_AND_USERS_SQL));

/**
 * Whether the pool exists (and when it was created), with the user of one username key and without
 * the user's credentials: AdminGetUser, once the node knows the pool's rules for usernames (fixed at
 * its creation) and so the one key to look for. Always one row when the pool exists. Parameters:
 * username key, pool id.
 */
const POOL_AND_PROFILE = preparedRead(
  'pool_and_profile_v2',
  `SELECT p.created_at AS p_created_at, ${columns('u', PROFILE_COLUMNS)}
     FROM user_pools p LEFT JOIN users u ON u.pool_id = p.id AND u.username_key = ?
    WHERE p.id = ?`,
);

/**
 * As POOL_AND_PROFILE, and the holder of one alias (or username attribute) of the name, without
 * credentials, in the same statement: AdminGetUser in a pool whose users may be named by an alias
 * (an email-as-username pool, looked up by email, took two statements one after the other: a round
 * trip each on PostgreSQL, a turn of the event loop each on SQLite). The alias by every column of
 * user_aliases' primary key (see USER_BY_ALIAS; tests/query-plans.test.ts shows each lookup
 * entering its primary key). Always one row when the pool exists. Parameters: username key, alias
 * kind, alias value key, pool id.
 */
const POOL_PROFILE_AND_ALIAS = preparedRead(
  'pool_profile_and_alias_v1',
  `SELECT p.created_at AS p_created_at, ${columns('u', PROFILE_COLUMNS)}, a.kind AS via, ${columns('au', PROFILE_COLUMNS, 'a_')}
     FROM user_pools p LEFT JOIN users u ON u.pool_id = p.id AND u.username_key = ?
     LEFT JOIN user_aliases a ON a.pool_id = p.id AND a.kind = ? AND a.value_key = ?
     LEFT JOIN users au ON au.pool_id = a.pool_id AND au.username_key = a.username_key
    WHERE p.id = ?`,
);

/**
 * The user holding one alias (or username attribute): its kind and value key. Equality on every
 * column of user_aliases' primary key, so that the primary key is the only index a planner can
 * sensibly use, with or without statistics: with IN lists instead, PostgreSQL planned a table
 * without statistics (right after an import) as a scan of every alias of the pool
 * (tests/query-plans.test.ts). Parameters: pool id, kind, value key.
 */
const USER_BY_ALIAS = preparedRead(
  'user_by_alias_v3',
  `SELECT a.kind AS via, a.value_key AS via_key, ${columns('u', USER_COLUMNS)}
     FROM user_aliases a JOIN users u ON u.pool_id = a.pool_id AND u.username_key = a.username_key
    WHERE a.pool_id = ? AND a.kind = ? AND a.value_key = ?`,
);

const USER_BY_KEY = preparedRead('user_by_key_v2', `SELECT ${columns('u', USER_COLUMNS)} FROM users u WHERE u.pool_id = ? AND u.username_key = ?`);

const USER_BY_SUB = preparedRead('user_by_sub_v2', `SELECT ${columns('u', USER_COLUMNS)} FROM users u WHERE u.pool_id = ? AND u.sub = ?`);

const CLIENT_WITH_POOL_SQL = `SELECT ${columns('c', CLIENT_COLUMNS)}, ${POOL_SELECT}
     FROM user_pool_clients c JOIN user_pools p ON p.id = c.pool_id
    WHERE c.id = ?`;
const CLIENT_WITH_POOL = preparedRead('client_with_pool_v3', CLIENT_WITH_POOL_SQL, pgPool(CLIENT_WITH_POOL_SQL));

/**
 * A client with its pool and the pool's resource servers (their identifiers and scopes), one row a
 * resource server (one with null resource-server columns when the pool has none): the token
 * endpoint's client_credentials grant, which read the scopes with a second statement after the
 * client. A pool has a few resource servers (Cognito allows 25). Parameter: client id.
 */
const CLIENT_POOL_SCOPES_SQL = `SELECT ${columns('c', CLIENT_COLUMNS)}, ${POOL_SELECT}, rs.identifier AS r_identifier, rs.scopes AS r_scopes
     FROM user_pool_clients c JOIN user_pools p ON p.id = c.pool_id
     LEFT JOIN resource_servers rs ON rs.pool_id = c.pool_id
    WHERE c.id = ?`;
const CLIENT_POOL_SCOPES = preparedRead('client_pool_scopes_v2', CLIENT_POOL_SCOPES_SQL, pgPool(CLIENT_POOL_SCOPES_SQL));

/** A client with its pool, and a sign-in with its user: both sides optional, always one row. */
const ACCESS_SQL = `SELECT ${columns('c', CLIENT_COLUMNS, 'c_')}, ${POOL_SELECT},
          ${columns('f', FAMILY_COLUMNS, 'f_')}, ${columns('u', USER_COLUMNS, 'u_')}
     FROM (SELECT 1 AS one) x
     LEFT JOIN user_pool_clients c ON c.id = ?
     LEFT JOIN user_pools p ON p.id = c.pool_id
     LEFT JOIN token_families f ON f.origin_jti = ?
     LEFT JOIN users u ON u.pool_id = f.pool_id AND u.username_key = f.username_key`;
const ACCESS = preparedRead('access_v4', ACCESS_SQL, pgPool(ACCESS_SQL));

/**
 * A refresh token by its hash, with its sign-in and the sign-in's user (REFRESH_TOKEN_AUTH, the
 * token endpoint's refresh_token grant, RevokeToken): primary keys all the way. Parameter: token hash.
 */
const REFRESH = preparedRead(
  'refresh_v1',
  `SELECT t.token_hash AS t_token_hash, t.created_at AS t_created_at, t.expires_at AS t_expires_at, t.replaced_at AS t_replaced_at,
          ${columns('f', FAMILY_COLUMNS, 'f_')}, ${columns('u', USER_COLUMNS, 'u_')}
     FROM refresh_tokens t JOIN token_families f ON f.origin_jti = t.origin_jti
     JOIN users u ON u.pool_id = f.pool_id AND u.username_key = f.username_key
    WHERE t.token_hash = ?`,
);

/**
 * As REFRESH, with the groups of the sign-in's user, one row a group (one row with null group columns
 * when there is none), by name: REFRESH_TOKEN_AUTH and the refresh_token grant mint tokens with the
 * groups' claims, which took a second statement after this one (a round trip on PostgreSQL). Each
 * group by its primary key as in GROUPS_OF_USER (on PostgreSQL in a subquery the planner cannot
 * merge into a join). Parameter: token hash.
 */
const REFRESH_GROUP_COLUMNS = `g.name AS g_name, g.description AS g_description, g.role_arn AS g_role_arn, g.precedence AS g_precedence,
    g.created_at AS g_created_at, g.updated_at AS g_updated_at`;
const REFRESH_AND_GROUPS_FROM = `SELECT t.token_hash AS t_token_hash, t.created_at AS t_created_at, t.expires_at AS t_expires_at, t.replaced_at AS t_replaced_at,
          ${columns('f', FAMILY_COLUMNS, 'f_')}, ${columns('u', USER_COLUMNS, 'u_')}, ${REFRESH_GROUP_COLUMNS}
     FROM refresh_tokens t JOIN token_families f ON f.origin_jti = t.origin_jti
     JOIN users u ON u.pool_id = f.pool_id AND u.username_key = f.username_key
     LEFT JOIN group_members m ON m.pool_id = f.pool_id AND m.username_key = f.username_key`;
const REFRESH_AND_GROUPS = preparedRead(
  'refresh_and_groups_v1',
  `${REFRESH_AND_GROUPS_FROM}
     LEFT JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
    WHERE t.token_hash = ? ORDER BY m.group_name`,
  `${REFRESH_AND_GROUPS_FROM}
     LEFT JOIN LATERAL (SELECT * FROM groups WHERE pool_id = m.pool_id AND name = m.group_name OFFSET 0) g ON true
    WHERE t.token_hash = ? ORDER BY m.group_name`,
);

/**
 * A user by username key with the user's groups by name (as REFRESH_AND_GROUPS, without the token):
 * the token endpoint's authorization_code grant, which read the groups (the tokens' claims) with a
 * second statement. Parameters: pool id, username key.
 */
const USER_AND_GROUPS_FROM = `SELECT ${columns('u', USER_COLUMNS, 'u_')}, ${REFRESH_GROUP_COLUMNS}
     FROM users u LEFT JOIN group_members m ON m.pool_id = u.pool_id AND m.username_key = u.username_key`;
const USER_AND_GROUPS = preparedRead(
  'user_and_groups_v1',
  `${USER_AND_GROUPS_FROM}
     LEFT JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
    WHERE u.pool_id = ? AND u.username_key = ? ORDER BY m.group_name`,
  `${USER_AND_GROUPS_FROM}
     LEFT JOIN LATERAL (SELECT * FROM groups WHERE pool_id = m.pool_id AND name = m.group_name OFFSET 0) g ON true
    WHERE u.pool_id = ? AND u.username_key = ? ORDER BY m.group_name`,
);

/**
 * The client with its pool (both optional) and, as REFRESH_AND_GROUPS, a refresh token with its
 * sign-in, user and the user's groups, in one statement: InitiateAuth REFRESH_TOKEN_AUTH read the
 * client, then the token (two round trips one after the other on PostgreSQL). One row a group (one
 * row with null group columns when there is none, or null token columns when the token is unknown).
 * SQLite: the groups in the order the subquery read them (group_members_user, by name; an outer
 * ORDER BY would sort them in a temporary b-tree). Parameters: client id, token hash.
 */
const CLIENT_AND_REFRESH_SELECT = `SELECT ${columns('c', CLIENT_COLUMNS, 'c_')}, ${POOL_SELECT}, rt.*
     FROM (SELECT 1 AS one) x
     LEFT JOIN user_pool_clients c ON c.id = ?
     LEFT JOIN user_pools p ON p.id = c.pool_id`;
const CLIENT_AND_REFRESH = preparedRead(
  'client_and_refresh_v2',
  `${CLIENT_AND_REFRESH_SELECT}
     LEFT JOIN (${REFRESH_AND_GROUPS_FROM}
       LEFT JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
      WHERE t.token_hash = ? ORDER BY m.group_name) rt ON 1 = 1`,
  `${pgPool(CLIENT_AND_REFRESH_SELECT)}
     LEFT JOIN LATERAL (${REFRESH_AND_GROUPS_FROM}
       LEFT JOIN LATERAL (SELECT * FROM groups WHERE pool_id = m.pool_id AND name = m.group_name OFFSET 0) g ON true
      WHERE t.token_hash = ?) rt ON true
    ORDER BY rt.g_name`,
);

/**
 * A client with its pool (both optional) and a row of auth_sessions by id (optional) with the user
 * its username_key names (an authorization code's, migration 0016) and the user's groups by name, as
 * USER_AND_GROUPS: the token endpoint's authorization_code grant, which read the client and then took
 * the code, then read the user (three round trips one after the other on PostgreSQL). One row a group
 * (one row with null group columns when the user has none, null user columns when there is no user,
 * null code columns when there is no code). Reads the code without taking it: the exchange takes it
 * in the statement that writes the sign-in (TokenRepo.insertFamily's claim). SQLite: the groups in
 * the order the subquery read them, as CLIENT_AND_REFRESH. Parameters: client id, the code's hash.
 */
const CODE_USER_AND_GROUPS_FROM = `SELECT s.id AS s_id, s.pool_id AS s_pool_id, s.client_id AS s_client_id, s.state AS s_state, s.expires_at AS s_expires_at,
          ${columns('u', USER_COLUMNS, 'u_')}, ${REFRESH_GROUP_COLUMNS}
     FROM auth_sessions s LEFT JOIN users u ON u.pool_id = s.pool_id AND u.username_key = s.username_key
     LEFT JOIN group_members m ON m.pool_id = u.pool_id AND m.username_key = u.username_key`;
const CLIENT_AND_CODE = preparedRead(
  'client_and_code_v3',
  `${CLIENT_AND_REFRESH_SELECT.replace('rt.*', 'sg.*')}
     LEFT JOIN (${CODE_USER_AND_GROUPS_FROM}
       LEFT JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
      WHERE s.id = ? ORDER BY m.group_name) sg ON 1 = 1`,
  `${pgPool(CLIENT_AND_REFRESH_SELECT).replace('rt.*', 'sg.*')}
     LEFT JOIN LATERAL (${CODE_USER_AND_GROUPS_FROM}
       LEFT JOIN LATERAL (SELECT * FROM groups WHERE pool_id = m.pool_id AND name = m.group_name OFFSET 0) g ON true
      WHERE s.id = ?) sg ON true
    ORDER BY sg.g_name`,
);

/**
 * A user's groups, by name (the cognito:groups claim of every token minted). Each group by its
 * primary key, in a subquery the planner cannot merge into a join (OFFSET 0): on a table without
 * statistics PostgreSQL otherwise read every group of the pool. Parameters: pool id, username key.
 */
const GROUPS_OF_USER_SELECT = `SELECT g.pool_id AS pool_id, g.name AS name, g.description AS description, g.role_arn AS role_arn,
    g.precedence AS precedence, g.created_at AS created_at, g.updated_at AS updated_at`;
const GROUPS_OF_USER = preparedRead(
  'groups_of_user_v1',
  `${GROUPS_OF_USER_SELECT}
     FROM group_members m JOIN groups g ON g.pool_id = m.pool_id AND g.name = m.group_name
    WHERE m.pool_id = ? AND m.username_key = ? ORDER BY m.group_name`,
  `${GROUPS_OF_USER_SELECT}
     FROM group_members m
     CROSS JOIN LATERAL (SELECT * FROM groups WHERE pool_id = m.pool_id AND name = m.group_name OFFSET 0) g
    WHERE m.pool_id = ? AND m.username_key = ? ORDER BY m.group_name`,
);

/**
 * A pool and a page of its users in username order after a username key (`''` for the first page):
 * ListUsers without a filter, in one statement. The pool's columns on the page's first row only (its
 * settings are kilobytes of JSON), one row with null user columns when the pool has no user after the
 * key, none when there is no such pool; `page_n` is each row's place (the caller orders by it: no
 * ORDER BY around the join). The page is one range of users_pk read in order: on PostgreSQL the only
 * index a plan can use for it (migration 0015 made the others partial on columns this does not
 * compare), with a generic plan on the reads' connections, where a scan of the table and a sort are
 * ruled out (prepared.ts, READ_PLANNING). Before (custom plans, which priced a sort of the pool below
 * the index's order on a table without statistics), the page was read key by key.
 * Parameters: pool id, after, the rows wanted (text: every parameter is text), pool id.
 */
const FIRST_ROW_ONLY = (expression: string, as: string) => `CASE WHEN u.page_n IS NULL OR u.page_n = 1 THEN ${expression} END AS ${as}`;
/** The pool's columns (PostgreSQL: its id and version, POOL_SELECT) on a page's first row. */
const PAGE_POOL_SELECT = POOL_COLUMNS.map((c) => FIRST_ROW_ONLY(`p.${c}`, `p_${c}`)).join(', ');
const PG_PAGE_POOL_SELECT = `${FIRST_ROW_ONLY('p.id', 'p_id')}, ${FIRST_ROW_ONLY(POOL_VERSION, 'p_version')}`;
/** A page read: SQLite's SQL and PostgreSQL's. */
const pageRead = (name: string, sql: string) => {
  if (!sql.includes(PAGE_POOL_SELECT)) throw new Error('pageRead: the read does not select the pool columns');
  return preparedRead(name, sql, sql.replace(PAGE_POOL_SELECT, PG_PAGE_POOL_SELECT));
};
const POOL_AND_PAGE = pageRead(
  'pool_and_page_v3',
  `SELECT ${PAGE_POOL_SELECT}, u.*
     FROM user_pools p LEFT JOIN (
       SELECT row_number() OVER (ORDER BY username_key) AS page_n, ${PROFILE_COLUMNS.join(', ')}
         FROM users WHERE pool_id = ? AND username_key > ? ORDER BY username_key LIMIT CAST(? AS integer)) u ON 1 = 1
    WHERE p.id = ?`,
);

/**
 * As POOL_AND_PAGE, the users whose attribute equals a value (ListUsers `email = "..."`, `given_name =
 * "..."`, ...): one range of the attribute's index (users_<attribute>, partial on the attribute being
 * set, which the comparison implies), in username order. One statement per attribute.
 * Parameters: pool id, value, after, the rows wanted (text), pool id.
 */
export type FilterableAttribute = (typeof FILTERABLE_ATTRIBUTES)[number];
const ATTRIBUTE_PAGES = Object.fromEntries(
  FILTERABLE_ATTRIBUTES.map((a) => [
    a,
    pageRead(
      `pool_and_${a}_page_v3`,
      `SELECT ${PAGE_POOL_SELECT}, u.*
         FROM user_pools p LEFT JOIN (
           SELECT row_number() OVER (ORDER BY username_key) AS page_n, ${PROFILE_COLUMNS.join(', ')}
             FROM users WHERE pool_id = ? AND ${a} = ? AND username_key > ? ORDER BY username_key LIMIT CAST(? AS integer)) u ON 1 = 1
        WHERE p.id = ?`,
    ),
  ]),
) as Record<FilterableAttribute, PreparedRead>;

/** The hot reads by name, for tests/query-plans.test.ts (EXPLAIN of each). */
export const HOT_READS = { POOL_BY_ID, POOL_AND_USERS, POOL_AND_PROFILE, POOL_PROFILE_AND_ALIAS, USER_BY_ALIAS, USER_BY_KEY, USER_BY_SUB, CLIENT_WITH_POOL, CLIENT_POOL_SCOPES, CLIENT_AND_CODE, ACCESS, REFRESH, REFRESH_AND_GROUPS, CLIENT_AND_REFRESH, USER_AND_GROUPS, GROUPS_OF_USER, POOL_AND_PAGE, ...Object.fromEntries(FILTERABLE_ATTRIBUTES.map((a) => [`POOL_AND_${a.toUpperCase()}_PAGE`, ATTRIBUTE_PAGES[a]])) } as Record<string, PreparedRead>;

/** A user a name may refer to: `via` '' = by its username key, else the alias kind; `viaKey` the key that matched. */
export interface UserCandidate {
  via: string;
  viaKey: string;
  user: UserRecord;
}

type CandidateRow = Database['users'] & { via: string | null; via_key: string | null };
type PoolColumns = { [K in (typeof POOL_COLUMNS)[number] as `p_${K}`]: Database['user_pools'][K] } & { p_version?: string | null };

/**
 * The pools a node has read from PostgreSQL, each with the version of its row (POOL_SELECT): shared
 * by a store and its transactions. A version read inside a transaction that changed the pool is the
 * transaction's own (its xmin): no other read sees it, so a rolled-back change is never taken for
 * the pool.
 */
export class PoolVersions {
  private readonly known = new Map<string, { version: string; record: PoolRecord }>();
  get(id: string, version: string): PoolRecord | undefined {
    const k = this.known.get(id);
    return k && k.version === version ? k.record : undefined;
  }
  set(id: string, version: string, record: PoolRecord): void {
    if (this.known.size >= 10_000) this.known.clear();
    this.known.set(id, { version, record });
  }
}

const toPoolFromPrefixed = (r: PoolColumns) =>
  toPool({ id: r.p_id, region: r.p_region, name: r.p_name, created_at: r.p_created_at, updated_at: r.p_updated_at, settings: r.p_settings, tags: r.p_tags });

function toFamily(f: Database['token_families']): TokenFamily {
  return {
    originJti: f.origin_jti,
    poolId: f.pool_id,
    clientId: f.client_id,
    usernameKey: f.username_key,
    authTime: Number(f.auth_time),
    createdAt: Number(f.created_at),
    expiresAt: Number(f.expires_at),
    revokedAt: f.revoked_at === null ? null : Number(f.revoked_at),
    scopes: f.scopes === null ? null : f.scopes.split(' '),
    deviceKey: f.device_key ?? null,
  };
}

export class ReadRepo {
  constructor(
    private readonly run: ReadRunner,
    readonly pools: PoolVersions = new PoolVersions(),
  ) {}

  /**
   * The pool of a hot read's row (POOL_SELECT): SQLite's row as it is; on PostgreSQL the node's copy
   * of the version read, else the row read by id (and kept). Undefined when the pool was deleted
   * between the two reads.
   */
  private async poolOf(r: PoolColumns): Promise<PoolRecord | undefined> {
    if (r.p_version === undefined || r.p_version === null) return toPoolFromPrefixed(r);
    const known = this.pools.get(r.p_id, r.p_version);
    if (known) return known;
    const [row] = await this.run<Database['user_pools'] & { version: string }>(POOL_BY_ID, [r.p_id]);
    if (!row) return undefined;
    const record = toPool(row);
    this.pools.set(row.id, row.version, record);
    return record;
  }

  /** A client and its pool from a row with both (`c_` columns, or none when `prefix` is ''); undefined when either is missing. */
  private async clientAndPool(r: Record<string, unknown>, prefix: 'c_' | ''): Promise<{ client: ClientRecord; pool: PoolRecord } | undefined> {
    if (r[`${prefix}id`] === null || r[`${prefix}id`] === undefined || r.p_id === null || r.p_id === undefined) return undefined;
    const pool = await this.poolOf(r as PoolColumns);
    if (!pool) return undefined;
    return { client: toClient(prefix ? unprefix(r, prefix, CLIENT_COLUMNS) : (r as unknown as Database['user_pool_clients'])), pool };
  }

  /**
   * A pool and up to `n` of its users after the username key `after` (undefined: from the first), in
   * username order (POOL_AND_PAGE, ATTRIBUTE_PAGES); undefined when there is no such pool.
   */
  async poolAndPage(
    poolId: string,
    after: string | undefined,
    n: number,
    /** Only the users whose attribute has this value (ATTRIBUTE_PAGES). */
    equal?: { attr: FilterableAttribute; value: string },
  ): Promise<{ pool: PoolRecord; users: UserProfile[] } | undefined> {
    const rows = await this.run<ProfileRow & PoolColumns & { page_n: number | null }>(
      equal ? ATTRIBUTE_PAGES[equal.attr] : POOL_AND_PAGE,
      equal ? [poolId, equal.value, after ?? '', String(n), poolId] : [poolId, after ?? '', String(n), poolId],
    );
    if (rows.length === 0) return undefined;
    if (rows.length > 1) rows.sort((a, b) => Number(a.page_n) - Number(b.page_n));
    const pool = await this.poolOf(rows[0]!);
    if (!pool) return undefined;
    return { pool, users: rows.filter((r) => r.username_key !== null).map((r) => toUserProfile(r)) };
  }

  /**
   * The pool, with the users whose username key is `name` or its lower-case form (the caller picks
   * by the pool's case sensitivity); undefined when there is no such pool.
   */
  async poolAndUsers(poolId: string, name: string): Promise<{ pool: PoolRecord; byUsername: UserCandidate[] } | undefined> {
    const rows = await this.run<Database['users'] & PoolColumns & { via_key: string | null }>(POOL_AND_USERS, [name, name.toLowerCase(), poolId]);
    if (rows.length === 0) return undefined;
    const byUsername: UserCandidate[] = [];
    for (const r of rows) if (r.via_key !== null) byUsername.push({ via: '', viaKey: r.via_key, user: toUser(r) });
    const pool = await this.poolOf(rows[0]!);
    return pool && { pool, byUsername };
  }

  /**
   * When the pool was created (undefined: there is no such pool), and the user of a username key in
   * it without the user's credentials.
   */
  async poolAndProfile(poolId: string, usernameKey: string): Promise<{ poolCreatedAt: number; user: UserProfile | undefined } | undefined> {
    const [r] = await this.run<ProfileRow & { p_created_at: number | string }>(POOL_AND_PROFILE, [usernameKey, poolId]);
    if (!r) return undefined;
    return { poolCreatedAt: Number(r.p_created_at), user: r.username_key === null ? undefined : toUserProfile(r) };
  }

  /**
   * As poolAndProfile, and the holder of one alias of the name (its kind and value key) without
   * credentials, both read in one statement.
   */
  async poolProfileAndAlias(
    poolId: string,
    usernameKey: string,
    alias: { kind: string; valueKey: string },
  ): Promise<{ poolCreatedAt: number; user: UserProfile | undefined; byAlias: UserProfile | undefined } | undefined> {
    const [r] = await this.run<Record<string, unknown>>(POOL_PROFILE_AND_ALIAS, [usernameKey, alias.kind, alias.valueKey, poolId]);
    if (!r) return undefined;
    return {
      poolCreatedAt: Number(r.p_created_at),
      user: r.username_key === null ? undefined : toUserProfile(r as unknown as ProfileRow),
      byAlias: r.via === null || r.a_username_key === null ? undefined : toUserProfile(unprefix<ProfileRow>(r, 'a_', PROFILE_COLUMNS)),
    };
  }

  async userByKey(poolId: string, usernameKey: string): Promise<UserRecord | undefined> {
    const rows = await this.run<Database['users']>(USER_BY_KEY, [poolId, usernameKey]);
    return rows[0] && toUser(rows[0]);
  }

  /**
   * The users holding each of the aliases given (kind and value key), in the order given; one read
   * each, asked for together (on PostgreSQL one round trip, store/prepared.ts).
   */
  async byAliases(poolId: string, aliases: readonly { kind: string; valueKey: string }[]): Promise<UserCandidate[]> {
    const found = await Promise.all(aliases.map((a) => this.run<CandidateRow>(USER_BY_ALIAS, [poolId, a.kind, a.valueKey])));
    return found.flatMap(toCandidates);
  }

  async userBySub(poolId: string, sub: string): Promise<UserRecord | undefined> {
    const rows = await this.run<Database['users']>(USER_BY_SUB, [poolId, sub]);
    return rows[0] && toUser(rows[0]);
  }

  /** The client and its pool (the sign-in and token paths, the client-side operations). */
  async clientWithPool(clientId: string): Promise<{ client: ClientRecord; pool: PoolRecord } | undefined> {
    const [r] = await this.run<Record<string, unknown>>(CLIENT_WITH_POOL, [clientId]);
    return r && this.clientAndPool(r, '');
  }

  /**
   * The client and its pool, with the custom scopes of the pool's resource servers
   * (`identifier/ScopeName`, what ResourceServerRepo.scopesOf gives), in one statement.
   */
  async clientWithPoolAndScopes(clientId: string): Promise<{ client: ClientRecord; pool: PoolRecord; resourceScopes: Set<string> } | undefined> {
    const rows = await this.run<Database['user_pool_clients'] & PoolColumns & { r_identifier: string | null; r_scopes: string | null }>(CLIENT_POOL_SCOPES, [clientId]);
    const r = rows[0];
    if (!r) return undefined;
    const resourceScopes = new Set<string>();
    for (const s of rows) {
      if (s.r_identifier === null || s.r_scopes === null) continue;
      for (const scope of JSON.parse(s.r_scopes) as { ScopeName: string }[]) resourceScopes.add(`${s.r_identifier}/${scope.ScopeName}`);
    }
    const pool = await this.poolOf(r);
    return pool && { client: toClient(r), pool, resourceScopes };
  }

  /**
   * The client with its pool and a row of auth_sessions (an authorization code, not taken) with the
   * user it names and the user's groups, in one statement; each is undefined when missing (`user`
   * also for codes without a username_key: issued before migration 0016).
   */
  async clientAndCode(
    clientId: string,
    codeHash: string,
  ): Promise<{ clientWithPool?: { client: ClientRecord; pool: PoolRecord }; code?: AuthSessionRecord; user?: { user: UserRecord; groups: GroupRecord[] } }> {
    const rows = await this.run<Record<string, unknown>>(CLIENT_AND_CODE, [clientId, codeHash]);
    const [r] = rows;
    if (!r) return {};
    const clientWithPool = await this.clientAndPool(r, 'c_');
    return {
      ...(clientWithPool ? { clientWithPool } : {}),
      ...(r.s_id !== null && r.s_id !== undefined
        ? { code: { id: r.s_id as string, poolId: r.s_pool_id as string, clientId: r.s_client_id as string, state: r.s_state as string, expiresAt: Number(r.s_expires_at) } }
        : {}),
      ...(r.u_pool_id !== null && r.u_pool_id !== undefined ? { user: { user: toUser(unprefix(r, 'u_', USER_COLUMNS)), groups: groupsOfRows(rows, r.u_pool_id as string) } } : {}),
    };
  }

  /** Every group of a user, by name (the groups claim of tokens). */
  async groupsOfUser(poolId: string, usernameKey: string): Promise<GroupRecord[]> {
    return (await this.run<Database['groups']>(GROUPS_OF_USER, [poolId, usernameKey])).map(toGroup);
  }

  /** A refresh token by its hash, with its sign-in and user; undefined when unknown. */
  async refresh(tokenHash: string): Promise<{ token: RefreshTokenRecord; family: TokenFamily; user: UserRecord } | undefined> {
    const [r] = await this.run<Record<string, unknown>>(REFRESH, [tokenHash]);
    return r ? toRefresh(r) : undefined;
  }

  /**
   * As refresh, with the groups of the sign-in's user by name (what groupsOfUser reads), in one
   * statement.
   */
  async refreshAndGroups(tokenHash: string): Promise<RefreshWithGroups | undefined> {
    return toRefreshWithGroups(await this.run<Record<string, unknown>>(REFRESH_AND_GROUPS, [tokenHash]));
  }

  /** A user by username key with the user's groups by name, in one statement; undefined when there is no such user. */
  async userAndGroups(poolId: string, usernameKey: string): Promise<{ user: UserRecord; groups: GroupRecord[] } | undefined> {
    const rows = await this.run<Record<string, unknown>>(USER_AND_GROUPS, [poolId, usernameKey]);
    const [r] = rows;
    return r && { user: toUser(unprefix(r, 'u_', USER_COLUMNS)), groups: groupsOfRows(rows, poolId) };
  }

  /** clientWithPool and refreshAndGroups in one statement (InitiateAuth REFRESH_TOKEN_AUTH). */
  async clientAndRefresh(clientId: string, tokenHash: string): Promise<{ clientWithPool?: { client: ClientRecord; pool: PoolRecord }; refresh?: RefreshWithGroups }> {
    const rows = await this.run<Record<string, unknown>>(CLIENT_AND_REFRESH, [clientId, tokenHash]);
    const [r] = rows;
    if (!r) return {};
    const refresh = r.t_token_hash === null ? undefined : toRefreshWithGroups(rows);
    const clientWithPool = await this.clientAndPool(r, 'c_');
    return {
      ...(clientWithPool ? { clientWithPool } : {}),
      ...(refresh ? { refresh } : {}),
    };
  }


  /**
   * What an access token names, in one statement: its client with the client's pool, and its
   * sign-in (`originJti`) with the sign-in's user. Either is undefined when missing.
   */
  async access(
    clientId: string,
    originJti: string | null,
  ): Promise<{ clientWithPool?: { client: ClientRecord; pool: PoolRecord }; signIn?: { family: TokenFamily; user: UserRecord } }> {
    const [r] = await this.run<Record<string, unknown>>(ACCESS, [clientId, originJti]);
    if (!r) return {};
    const clientWithPool = await this.clientAndPool(r, 'c_');
    return {
      ...(clientWithPool ? { clientWithPool } : {}),
      ...(r.f_origin_jti !== null && r.u_username_key !== null
        ? { signIn: { family: toFamily(unprefix(r, 'f_', FAMILY_COLUMNS)), user: toUser(unprefix(r, 'u_', USER_COLUMNS)) } }
        : {}),
    };
  }
}

function toCandidates(rows: CandidateRow[]): UserCandidate[] {
  const out: UserCandidate[] = [];
  for (const r of rows) if (r.via !== null && r.via_key !== null) out.push({ via: r.via, viaKey: r.via_key, user: toUser(r) });
  return out;
}

export type RefreshWithGroups = { token: RefreshTokenRecord; family: TokenFamily; user: UserRecord; groups: GroupRecord[] };

/** REFRESH_AND_GROUPS' rows (one a group) as the token, its sign-in, user and groups; undefined without rows. */
function toRefreshWithGroups(rows: Record<string, unknown>[]): RefreshWithGroups | undefined {
  const [r] = rows;
  if (!r) return undefined;
  const refresh = toRefresh(r);
  return { ...refresh, groups: groupsOfRows(rows, refresh.family.poolId) };
}

/** A REFRESH row (t_, f_, u_ columns) as the token, its sign-in and user. */
function toRefresh(r: Record<string, unknown>): { token: RefreshTokenRecord; family: TokenFamily; user: UserRecord } {
  const family = toFamily(unprefix(r, 'f_', FAMILY_COLUMNS));
  return {
    token: {
      tokenHash: r.t_token_hash as string,
      originJti: family.originJti,
      createdAt: Number(r.t_created_at),
      expiresAt: Number(r.t_expires_at),
      replacedAt: r.t_replaced_at === null ? null : Number(r.t_replaced_at),
    },
    family,
    user: toUser(unprefix(r, 'u_', USER_COLUMNS)),
  };
}

/** The groups of rows with REFRESH_GROUP_COLUMNS (one a group; null columns: none). */
function groupsOfRows(rows: Record<string, unknown>[], poolId: string): GroupRecord[] {
  const groups: GroupRecord[] = [];
  for (const g of rows) {
    if (g.g_name === null) continue;
    groups.push(
      toGroup({
        pool_id: poolId,
        name: g.g_name as string,
        description: g.g_description as string | null,
        role_arn: g.g_role_arn as string | null,
        precedence: g.g_precedence as number | null,
        created_at: g.g_created_at as number,
        updated_at: g.g_updated_at as number,
      }),
    );
  }
  return groups;
}
