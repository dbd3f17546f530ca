/**
 * The plans of the hot-path statements, on a pool just imported (no statistics on PostgreSQL: the
 * state right after an import or a bulk of sign-ups, before autovacuum analyzes the tables), and on
 * PostgreSQL again after ANALYZE: each must read the expected index, never scan a table, never sort
 * a pool's users. The statements are the ones the server runs (store/repos/reads.ts, ListUsers'
 * pages), with parameters of real users; on PostgreSQL also the batched form concurrent reads share.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminSetUserPasswordCommand,
  CreateUserImportJobCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserImportJobCommand,
  GetCSVHeaderCommand,
  StartUserImportJobCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createHash } from 'node:crypto';
import path from 'node:path';
import { decodeJwt } from 'jose';
import { backends, startTestServer, type TestServer } from './harness.js';
import { HOT_READS } from '../src/store/repos/reads.js';
import { CLAIM_AND_INSERT_FAMILY, INSERT_FAMILY } from '../src/store/repos/tokens.js';
import type { KyselyStore } from '../src/store/kysely-store.js';
import { preparedRead, type PreparedRead } from '../src/store/prepared.js';

const USERS = 3000;
const PASSWORD = 'Correct-Horse-9';
const ROLE = 'arn:aws:iam::123456789012:role/CognitoImport';

/** What a statement must read: per table alias, the index (PostgreSQL name; SQLite as EXPLAIN QUERY PLAN names it). */
interface Expect {
  pg: string[];
  sqlite: string[];
}

for (const backend of await backends()) {
  describe(`query plans of the hot paths (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    let store: KyselyStore;
    let emailPool: string;
    let plainPool: string;
    let clientId: string;
    const probe = { email: 'probe@example.com', sub: '', key: '', refreshHash: '', originJti: '' };
    const plainUser = { name: 'plainprobe', key: 'plainprobe' };

    async function importUsers(poolId: string, emailAsUsername: boolean) {
      const { CSVHeader } = await send(new GetCSVHeaderCommand({ UserPoolId: poolId }));
      const col = new Map<string, number>(CSVHeader.map((h: string, i: number) => [h, i]));
      const lines = [CSVHeader.join(',')];
      for (let i = 0; i < USERS; i++) {
        const cells = new Array(CSVHeader.length).fill('');
        const email = `user${i}@example.com`;
        cells[col.get('cognito:username')!] = emailAsUsername ? email : `user${i}`;
        cells[col.get('email')!] = email;
        cells[col.get('email_verified')!] = 'true';
        cells[col.get('given_name')!] = `Name${i % 40}`;
        cells[col.get('cognito:mfa_enabled')!] = 'false';
        lines.push(cells.join(','));
      }
      const { UserImportJob: job } = await send(new CreateUserImportJobCommand({ UserPoolId: poolId, JobName: 'plans', CloudWatchLogsRoleArn: ROLE }));
      const put = await fetch(job.PreSignedUrl, { method: 'PUT', body: lines.join('\n') + '\n', headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
      assert.equal(put.status, 200);
      await send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
      for (;;) {
        const { UserImportJob: j } = await send(new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId }));
        if (j.Status !== 'Pending' && j.Status !== 'InProgress') {
          assert.equal(j.Status, 'Succeeded');
          assert.equal(j.ImportedUsers, USERS);
          return;
        }
        await new Promise((r) => setTimeout(r, 50));
      }
    }

    /** PostgreSQL: the generic plans of every hot statement as of the tables now (KyselyStore.explain). */
    /** A read's parameters as the batched statement takes them: each a list (of two reads here), as text. */
    const asLists = (params: readonly unknown[]) => params.map((p) => [p === null || p === undefined ? null : String(p), p === null || p === undefined ? null : String(p)]);
    async function genericPlans(state: string): Promise<[string, string, string[]][]> {
      const out: [string, string, string[]][] = [];
      for (const [what, q, params, expect] of statements()) {
        out.push([`${what} (generic plan, ${state})`, await store.explain(q, params, { generic: true }), expect.pg]);
        const lists = asLists(params);
        out.push([`${what}, batched (generic plan, ${state})`, await store.explain(q, lists, { generic: true, batched: true }), expect.pg]);
      }
      // The sign-in's write runs on the same connections (TokenRepo.insertFamily, prepared.ts pgSingle), and
      // so do the checks of its foreign keys, planned once per connection as well: each check is
      // PostgreSQL's own query (ri_triggers.c: SELECT 1 FROM ONLY <table> x WHERE <key> = $n FOR KEY SHARE OF x).
      const now = 1_700_000_000_000;
      const writes: [string, PreparedRead, unknown[], string[]][] = [
        ['a sign-in written (API flows)', INSERT_FAMILY, ['family-x', 'pool', 'client', 'user', 1_700_000_000, now, now + 1, null, null, 'hash', 'family-x', now, now + 1, null], []],
        ['the code taken with the sign-in written (authorization_code)', CLAIM_AND_INSERT_FAMILY, ['marker', 'code-id', 'sealed', now, 'family-x', 'pool', 'client', 'user', 1_700_000_000, now, now + 1, null, null, 'hash', 'family-x', now, now + 1, null], ['auth_sessions_pkey']],
        ['the check of a sign-in\'s user (foreign key token_families_user)', preparedRead('explain_fk_users', 'SELECT 1 FROM ONLY users x WHERE pool_id = ? AND username_key = ? FOR KEY SHARE OF x'), ['pool', 'user'], ['users_pk']],
        ['the check of a refresh token\'s sign-in (foreign key of refresh_tokens.origin_jti)', preparedRead('explain_fk_families', 'SELECT 1 FROM ONLY token_families x WHERE origin_jti = ? FOR KEY SHARE OF x'), ['family-x'], ['token_families_pkey']],
      ];
      for (const [what, q, params, indexes] of writes) {
        out.push([`${what} (generic plan, ${state})`, await store.explain(q, params, { generic: true }), indexes]);
        // The writes of concurrent sign-ins go together (PreparedRead.pgBatch): the same indexes, by nested loops.
        if (q.pgBatch !== undefined) {
          const lists = asLists(params);
          out.push([`${what}, batched (generic plan, ${state})`, await store.explain(q, lists, { generic: true, batched: true }), indexes]);
        }
      }
      return out;
    }
    /** Generic plans recorded in before(): on empty tables, and with the pools created but no users yet. */
    const earlyPlans: [string, string, string[]][] = [];

    before(async () => {
      t = await startTestServer(backend);
      store = t.server.store as unknown as KyselyStore;
      if (backend.name === 'postgres') {
        // The state right after an import, kept for the test: autovacuum must not analyze these tables meanwhile.
        await admin(['users', 'user_aliases', 'token_families', 'refresh_tokens', 'auth_sessions'].map((table) => `ALTER TABLE ${table} SET (autovacuum_enabled = false)`));
        // A new database: the plans a read connection makes at its first read and keeps for its life.
        earlyPlans.push(...(await genericPlans('empty tables')));
      }
      emailPool = (await send(new CreateUserPoolCommand({ PoolName: 'email-as-username', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }))).UserPool.Id;
      plainPool = (await send(new CreateUserPoolCommand({ PoolName: 'plain', AliasAttributes: ['email'], AutoVerifiedAttributes: ['email'] }))).UserPool.Id;
      if (backend.name === 'postgres') {
        await send(new AdminCreateUserCommand({ UserPoolId: plainPool, Username: 'early', MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: 'early@example.com' }] }));
        earlyPlans.push(...(await genericPlans('two pools, one user')));
      }
      await importUsers(emailPool, true);
      await importUsers(plainPool, false);
      // A user who signs in (a sign-in and its refresh token), in the email-as-username pool.
      const created = await send(
        new AdminCreateUserCommand({ UserPoolId: emailPool, Username: probe.email, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email_verified', Value: 'true' }] }),
      );
      probe.sub = created.User.Username;
      probe.key = created.User.Username;
      await send(new AdminSetUserPasswordCommand({ UserPoolId: emailPool, Username: probe.email, Password: PASSWORD, Permanent: true }));
      clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: emailPool, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
        .UserPoolClient.ClientId;
      const auth = await send(
        new AdminInitiateAuthCommand({ UserPoolId: emailPool, ClientId: clientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: probe.email, PASSWORD } }),
      );
      probe.refreshHash = createHash('sha256').update(auth.AuthenticationResult.RefreshToken).digest('hex');
      probe.originJti = String(decodeJwt(auth.AuthenticationResult.AccessToken).origin_jti);
      await send(new AdminCreateUserCommand({ UserPoolId: plainPool, Username: plainUser.name, MessageAction: 'SUPPRESS' }));
      // A sign-in (token family and refresh token) for every imported user, written as sign-ins write them.
      const now = Date.now();
      await store.transaction(async (tx) => {
        // Two groups, every imported user of the plain pool a member of one.
        for (const name of ['even', 'odd']) {
          await tx.groups.insert({ poolId: plainPool, name, description: null, roleArn: null, precedence: null, createdAt: now, updatedAt: now });
        }
        for (let i = 0; i < USERS; i++) await tx.groups.addMember(plainPool, i % 2 ? 'odd' : 'even', `user${i}`);
        for (let i = 0; i < USERS; i++) {
          const originJti = `family-${i}`;
          const username = i % 2 ? `user${i}` : undefined;
          const u = username ? await tx.reads.userByKey(plainPool, username) : undefined;
          const usernameKey = u?.usernameKey ?? probe.key;
          const poolId = u ? plainPool : emailPool;
          await tx.tokens.insertFamily(
            { originJti, poolId, clientId, usernameKey, authTime: Math.floor(now / 1000), createdAt: now, expiresAt: now + 3_600_000, revokedAt: null, scopes: null, deviceKey: null },
            { tokenHash: createHash('sha256').update(originJti).digest('hex'), originJti, createdAt: now, expiresAt: now + 3_600_000, replacedAt: null },
          );
        }
        // Authorization codes (and hosted sessions) waiting in auth_sessions, one per imported user.
        for (let i = 0; i < USERS; i++) {
          await tx.sessions.insert({ id: createHash('sha256').update(`code-${i}`).digest('hex'), poolId: emailPool, clientId, state: `sealed-${i}`, expiresAt: now + 300_000 });
        }
      });
    });
    after(() => t?.close());

    /** Every hot statement, its parameters and what it must read. */
    function statements(): [string, PreparedRead, unknown[], Expect][] {
      const pk = (table: string) => `sqlite_autoindex_${table}_1`;
      return [
        ['a pool by id (a pool version new to the node, PostgreSQL)', HOT_READS.POOL_BY_ID, [plainPool], { pg: ['user_pools_pkey'], sqlite: [pk('user_pools')] }],
        ['the pool with the users of a username (admin operations)', HOT_READS.POOL_AND_USERS, [plainUser.name, plainUser.name.toLowerCase(), plainPool], { pg: ['user_pools_pkey', 'users_pk'], sqlite: [pk('user_pools'), pk('users')] }],
        ['the pool with a profile (AdminGetUser)', HOT_READS.POOL_AND_PROFILE, [plainUser.key, plainPool], { pg: ['user_pools_pkey', 'users_pk'], sqlite: [pk('user_pools'), pk('users')] }],
        ['the pool with a profile by key and by email (AdminGetUser, email as username)', HOT_READS.POOL_PROFILE_AND_ALIAS, ['user1234@example.com', 'email', 'user1234@example.com', emailPool], { pg: ['user_pools_pkey', 'users_pk', 'user_aliases_pk'], sqlite: [pk('user_pools'), pk('users'), pk('user_aliases')] }],
        ['the pool with a profile by key and by email alias (AdminGetUser, plain pool)', HOT_READS.POOL_PROFILE_AND_ALIAS, [plainUser.key, 'email', plainUser.key, plainPool], { pg: ['user_pools_pkey', 'users_pk', 'user_aliases_pk'], sqlite: [pk('user_pools'), pk('users'), pk('user_aliases')] }],
        ['the holder of an email (email as username, an email alias)', HOT_READS.USER_BY_ALIAS, [emailPool, 'email', 'user1234@example.com'], { pg: ['user_aliases_pk', 'users_pk'], sqlite: [pk('user_aliases'), pk('users')] }],
        ['the holder of an email alias (plain pool)', HOT_READS.USER_BY_ALIAS, [plainPool, 'email', 'user77@example.com'], { pg: ['user_aliases_pk', 'users_pk'], sqlite: [pk('user_aliases'), pk('users')] }],
        ['a user by username key (sign-in)', HOT_READS.USER_BY_KEY, [plainPool, 'user1500'], { pg: ['users_pk'], sqlite: [pk('users')] }],
        ['a user by sub', HOT_READS.USER_BY_SUB, [emailPool, probe.sub], { pg: ['users_sub'], sqlite: ['users_sub'] }],
        ['a client with its pool (sign-in, token endpoint)', HOT_READS.CLIENT_WITH_POOL, [clientId], { pg: ['user_pool_clients_pkey', 'user_pools_pkey'], sqlite: [pk('user_pool_clients'), pk('user_pools')] }],
        ['a client with its pool and resource servers (client_credentials)', HOT_READS.CLIENT_POOL_SCOPES, [clientId], { pg: ['user_pool_clients_pkey', 'user_pools_pkey'], sqlite: [pk('user_pool_clients'), pk('user_pools'), pk('resource_servers')] }],
        ['a client with its pool, an authorization code, its user and groups (the token endpoint, authorization_code)', HOT_READS.CLIENT_AND_CODE, [clientId, createHash('sha256').update('code-1501').digest('hex')], { pg: ['user_pool_clients_pkey', 'user_pools_pkey', 'auth_sessions_pkey', 'users_pk', 'group_members_user', 'groups_pk'], sqlite: [pk('user_pool_clients'), pk('user_pools'), pk('auth_sessions'), pk('users'), 'group_members_user', 'sqlite_autoindex_groups_1'] }],
        ['an access token: client, pool, sign-in, user (GetUser)', HOT_READS.ACCESS, [clientId, probe.originJti], { pg: ['user_pool_clients_pkey', 'user_pools_pkey', 'token_families_pkey', 'users_pk'], sqlite: [pk('user_pool_clients'), pk('user_pools'), pk('token_families'), pk('users')] }],
        ['a user and its groups (the token endpoint, authorization_code)', HOT_READS.USER_AND_GROUPS, [plainPool, 'user1501'], { pg: ['users_pk', 'group_members_user', 'groups_pk'], sqlite: [pk('users'), 'group_members_user', 'sqlite_autoindex_groups_1'] }],
        ['the client and a refresh token, its sign-in, user and groups (InitiateAuth REFRESH_TOKEN_AUTH)', HOT_READS.CLIENT_AND_REFRESH, [clientId, createHash('sha256').update('family-1501').digest('hex')], { pg: ['user_pool_clients_pkey', 'user_pools_pkey', 'refresh_tokens_pkey', 'token_families_pkey', 'users_pk', 'group_members_user', 'groups_pk'], sqlite: [pk('user_pool_clients'), pk('user_pools'), pk('refresh_tokens'), pk('token_families'), pk('users'), 'group_members_user', 'sqlite_autoindex_groups_1'] }],
        ['a refresh token, its sign-in, user and groups (REFRESH_TOKEN_AUTH)', HOT_READS.REFRESH_AND_GROUPS, [createHash('sha256').update('family-1501').digest('hex')], { pg: ['refresh_tokens_pkey', 'token_families_pkey', 'users_pk', 'group_members_user', 'groups_pk'], sqlite: [pk('refresh_tokens'), pk('token_families'), pk('users'), 'group_members_user', 'sqlite_autoindex_groups_1'] }],
        ['the groups of a user (every token minted)', HOT_READS.GROUPS_OF_USER, [plainPool, 'user1501'], { pg: ['group_members_user', 'groups_pk'], sqlite: ['group_members_user', 'sqlite_autoindex_groups_1'] }],
        ['a pool and a page of its users (ListUsers without a filter)', HOT_READS.POOL_AND_PAGE, [plainPool, '', '61', plainPool], { pg: ['user_pools_pkey', 'users_pk'], sqlite: [pk('user_pools'), pk('users')] }],
        ['a pool and a page of its users after a cursor (ListUsers without a filter)', HOT_READS.POOL_AND_PAGE, [emailPool, 'user1500@example.com', '61', emailPool], { pg: ['user_pools_pkey', 'users_pk'], sqlite: [pk('user_pools'), pk('users')] }],
        ['a pool and a page of its users with an email (ListUsers email =)', HOT_READS.POOL_AND_EMAIL_PAGE!, [plainPool, 'user1234@example.com', '', '61', plainPool], { pg: ['user_pools_pkey', 'users_email'], sqlite: [pk('user_pools'), 'users_email'] }],
        ['a pool and a page of its users with a given_name after a cursor (ListUsers given_name =)', HOT_READS.POOL_AND_GIVEN_NAME_PAGE!, [plainPool, 'Name7', 'user1507', '61', plainPool], { pg: ['user_pools_pkey', 'users_given_name'], sqlite: [pk('user_pools'), 'users_given_name'] }],
        ['a pool and a page of its users with a phone number (ListUsers phone_number =)', HOT_READS.POOL_AND_PHONE_NUMBER_PAGE!, [emailPool, '+15555550100', '', '61', emailPool], { pg: ['user_pools_pkey', 'users_phone_number'], sqlite: [pk('user_pools'), 'users_phone_number'] }],
        ['a refresh token, its sign-in and user (REFRESH_TOKEN_AUTH)', HOT_READS.REFRESH, [probe.refreshHash], { pg: ['refresh_tokens_pkey', 'token_families_pkey', 'users_pk'], sqlite: [pk('refresh_tokens'), pk('token_families'), pk('users')] }],
      ];
    }

    /**
     * The tables that grow with users and sign-ins must be read through the expected index, entered at
     * a key. user_pools, user_pool_clients and groups hold a row per pool, client or group (a few here): a
     * planner may read those whole, which is then the cheapest plan.
     */
    function assertPlan(what: string, plan: string, indexes: string[], analyzedFilter = false) {
      const msg = `${what}:\n${plan}`;
      if (analyzedFilter && backend.name === 'postgres') {
        // With statistics, PostgreSQL may read the few rows an attribute filter matches through the same
        // index as a bitmap and sort them (its estimate is right then; which of the two it picks
        // depends on the rows' physical order): the filter's index, never a scan of the pool.
        for (const index of indexes) assert.match(plan, new RegExp(`Index (Only )?Scan using ${index} on |Bitmap Index Scan on ${index}\\b`), msg);
        assert.doesNotMatch(plan, /Seq Scan on (users|user_aliases)\b/, msg);
        assert.doesNotMatch(plan, /using (users_enabled|users_status|user_aliases_user) /, msg);
        return;
      }
      const growing = indexes.filter((i) => !/user_pools|user_pool_clients|^groups_pk|autoindex_groups_/.test(i));
      if (backend.name === 'sqlite') {
        for (const index of growing) assert.match(plan, new RegExp(`SEARCH \\w+ USING (COVERING )?INDEX ${index} \\(`), msg);
        // (rt, sg: one refresh token's or one code's rows, read by primary keys into a materialized subquery.)
        // (subquery-N, u: ListUsers' page of at most 61 users, read from users_pk in order and materialized.)
        assert.doesNotMatch(plan, /SCAN (?!CONSTANT ROW|x$|p\b|c\b|rt LEFT-JOIN$|sg LEFT-JOIN$|\(subquery-\d+\)$|u LEFT-JOIN$)|TEMP B-TREE/m, msg);
      } else {
        for (const index of growing) assert.match(plan, new RegExp(`Index (Only )?Scan using ${index} on `), msg);
        // (resource_servers holds a pool's few resource servers, at most 25: a bitmap of the pool's
        // entries in its primary key is a fine read of them.)
        assert.doesNotMatch(plan, /Seq Scan on (users|user_aliases|token_families|refresh_tokens|group_members)\b|Bitmap(?! Heap Scan on resource_servers | Index Scan on resource_servers_pk)|Sort Key: .*username_key/, msg);
        // Every index read of a user is entered at its key, not scanned for the pool.
        assert.doesNotMatch(plan, /using (users_enabled|users_status|user_aliases_user) /, msg);
      }
    }

    async function checkAll(state: string) {
      for (const [what, q, params, expect] of statements()) {
        // ListUsers' pages run on PostgreSQL's read connections only, with a generic plan (checked in the
        // generic-plans test: an ordered range of users_pk); on the main pool's custom plans, without
        // statistics, PostgreSQL sorts the pool, which is why it is not run there (UserRepo.listWithPool).
        if (/^incognito_pool_and_\w*page_v\d+$/.test(q.name) && backend.name === 'postgres') continue;
        const indexes = backend.name === 'sqlite' ? expect.sqlite : expect.pg;
        assertPlan(`${what} (${state})`, await store.explain(q, params), indexes);
        if (backend.name === 'postgres') {
          // The statement concurrent reads of one kind share: each parameter a list (two reads here).
          const lists = asLists(params);
          assertPlan(`${what}, batched (${state})`, await store.explain(q, lists, { batched: true }), indexes);
        }
      }
      if (backend.name === 'postgres') {
        // The authorization_code exchange's write: the code by its primary key (SQLite: separate statements, each by a primary key).
        const now = Date.now();
        const claim = ['marker', createHash('sha256').update('code-1501').digest('hex'), 'sealed-1501', now];
        const family = ['family-x', emailPool, clientId, probe.key, Math.floor(now / 1000), now, now + 3_600_000, null, null];
        const token = [createHash('sha256').update('family-x').digest('hex'), 'family-x', now, now + 3_600_000, null];
        assertPlan(`the code taken with the sign-in written (${state})`, await store.explain(CLAIM_AND_INSERT_FAMILY, [...claim, ...family, ...token]), ['auth_sessions_pkey']);
      }
      // ListUsers: no filter (first page and after a cursor), email =, given_name =.
      const pages: [string, Parameters<KyselyStore['users']['explainList']>[1], string | undefined, string][] = [
        ['ListUsers, no filter', undefined, undefined, backend.name === 'sqlite' ? 'sqlite_autoindex_users_1' : 'users_pk'],
        ['ListUsers, no filter, after a cursor', undefined, 'user1500', backend.name === 'sqlite' ? 'sqlite_autoindex_users_1' : 'users_pk'],
        ['ListUsers, email =', { attr: 'email', value: 'user1234@example.com', prefix: false }, undefined, 'users_email'],
        ['ListUsers, given_name =', { attr: 'given_name', value: 'Name7', prefix: false }, undefined, 'users_given_name'],
        ['ListUsers, given_name = after a cursor', { attr: 'given_name', value: 'Name7', prefix: false }, JSON.stringify(['Name7', 'user1507']), 'users_given_name'],
      ];
      for (const pool of [plainPool, emailPool]) {
        for (const [what, filter, cursor, index] of pages) {
          const analyzedFilter = filter !== undefined && state !== 'just imported';
          for (const plan of await store.users.explainList(pool, filter, cursor)) assertPlan(`${what} (${state})`, plan, [index], analyzedFilter);
        }
      }
    }

    /** SQL on the test's database, on a connection of its own (PostgreSQL) or the file (SQLite). */
    async function admin(statements: string[]): Promise<unknown[][]> {
      const out: unknown[][] = [];
      if (backend.name === 'postgres') {
        const pg = (await import('pg')).default;
        const c = new pg.Client({ connectionString: t.config.databaseUrl, options: `-c search_path=${t.config.databaseSchema}` });
        await c.connect();
        try {
          for (const q of statements) out.push((await c.query(q)).rows);
        } finally {
          await c.end();
        }
      } else {
        const Database = (await import('better-sqlite3')).default;
        const db = new Database(path.join(t.config.dataDir, 'incognito.sqlite'));
        try {
          for (const q of statements) out.push(db.prepare(q).reader ? db.prepare(q).all() : (db.prepare(q).run(), []));
        } finally {
          db.close();
        }
      }
      return out;
    }

    /**
     * PostgreSQL runs these reads on connections of their own with generic plans (store/postgres/index.ts):
     * a plan made at a connection's first read is kept for its life, whatever the tables hold later.
     * So each must be the intended plan whatever the tables held when it was made: every index expected
     * entered at its key (user_pools and clients included), no table scanned, no hash or merge join.
     */
    function assertGeneric(what: string, plan: string, indexes: string[]) {
      const msg = `${what}:\n${plan}`;
      for (const index of indexes) assert.match(plan, new RegExp(`Index (Only )?Scan using ${index} on `), msg);
      assert.doesNotMatch(plan, /Seq Scan|Bitmap|Hash Join|Merge Join|Sort Key: .*username_key/, msg);
      // No other index of users, user_aliases or clients (each reads at most its own).
      const others = ['auth_sessions_expiry', 'users_pk', 'users_sub', 'users_enabled', 'users_status', 'user_aliases_user', 'user_pool_clients_pool_id', 'users_email', 'users_given_name', 'users_phone_number'].filter((i) => !indexes.includes(i));
      assert.doesNotMatch(plan, new RegExp(`using (${others.join('|')}) `), msg);
    }

    it('the generic plans of the prepared reads (PostgreSQL) are the same on empty tables, a few rows, an import and after ANALYZE', async (c) => {
      if (backend.name !== 'postgres') return c.skip('PostgreSQL only: SQLite has no generic plans');
      assert.ok(earlyPlans.length >= 30);
      for (const [what, plan, indexes] of earlyPlans) assertGeneric(what, plan, indexes);
      for (const [what, plan, indexes] of await genericPlans('just imported')) assertGeneric(what, plan, indexes);
      // And the server's own read connections answer the reads (their plans made on the imported tables).
      const found = await store.reads.userByKey(plainPool, 'user1500');
      assert.equal(found?.username, 'user1500');
    });

    it('every hot statement reads its index on a freshly imported pool (no statistics)', async () => {
      // No statistics: autovacuum was off for these tables (before), nothing ran ANALYZE.
      const [stats] = await admin(
        backend.name === 'postgres'
          ? [`SELECT tablename FROM pg_stats WHERE schemaname = current_schema() AND tablename IN ('users', 'user_aliases')`]
          : [`SELECT name FROM sqlite_master WHERE name = 'sqlite_stat1'`],
      );
      assert.deepEqual(stats, []);
      await checkAll('just imported');
    });

    it('and the same after ANALYZE (statistics gathered)', async () => {
      await admin(['ANALYZE']);
      const [stats] = await admin(
        backend.name === 'postgres'
          ? [`SELECT DISTINCT tablename FROM pg_stats WHERE schemaname = current_schema() AND tablename IN ('users', 'user_aliases')`]
          : [`SELECT DISTINCT tbl AS tablename FROM sqlite_stat1 WHERE tbl IN ('users', 'user_aliases')`],
      );
      assert.equal(stats!.length, 2);
      await checkAll('after ANALYZE');
      if (backend.name === 'postgres') for (const [what, plan, indexes] of await genericPlans('after ANALYZE')) assertGeneric(what, plan, indexes);
    });
  });
}
