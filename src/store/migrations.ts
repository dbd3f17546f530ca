/**
 * Schema migrations, run at start-up by Kysely's Migrator (which takes a lock, so several nodes
 * starting together on one PostgreSQL database migrate once). Never edit a migration that has
 * shipped: add a new one. The SQL is portable between SQLite and PostgreSQL.
 */
import { type Kysely, type Migration, Migrator, sql } from 'kysely';

/**
 * The attributes ListUsers filters on that are copied into columns of users (0005); the same
 * names as the attributes. Written here rather than imported: a shipped migration must not change
 * when the code does.
 */
const FILTERABLE_COLUMNS = ['email', 'phone_number', 'name', 'given_name', 'family_name', 'preferred_username'] as const;

/** `kind` lets a migration say what differs between the engines (rarely needed). */
const migrations = (kind: 'sqlite' | 'postgres'): Record<string, Migration> => ({
  '0001_pools_and_clients': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('user_pools')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('region', 'text', (c) => c.notNull())
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .addColumn('tags', 'text', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('user_pools_region_id').on('user_pools').columns(['region', 'id']).execute();
      await db.schema
        .createTable('user_pool_clients')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('secret', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('settings', 'text', (c) => c.notNull())
        .execute();
      await db.schema
        .createIndex('user_pool_clients_pool_id')
        .on('user_pool_clients')
        .columns(['pool_id', 'id'])
        .execute();
    },
  },
  '0002_users_groups_codes_messages': {
    async up(db: Kysely<any>) {
      // Index values are compared byte-wise on both engines (prefix filters are range scans).
      const binary = kind === 'postgres' ? sql`collate "C"` : sql``;
      await db.schema
        .createTable('users')
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('username_key', 'text', (c) => c.notNull().modifyEnd(binary))
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('sub', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('enabled', 'integer', (c) => c.notNull())
        .addColumn('attributes', 'text', (c) => c.notNull())
        .addColumn('password_hash', 'text')
        .addColumn('password_updated_at', 'bigint')
        .addColumn('extra', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('users_pk', ['pool_id', 'username_key'])
        .execute();
      await db.schema.createIndex('users_sub').unique().on('users').columns(['pool_id', 'sub']).execute();
      // Filterable attribute values of each user (ListUsers Filter), one row per (attribute, value).
      await db.schema
        .createTable('user_index')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('attr', 'text', (c) => c.notNull())
        .addColumn('value', 'text', (c) => c.notNull().modifyEnd(binary))
        .addColumn('username_key', 'text', (c) => c.notNull().modifyEnd(binary))
        .addPrimaryKeyConstraint('user_index_pk', ['pool_id', 'attr', 'value', 'username_key'])
        .addForeignKeyConstraint('user_index_user', ['pool_id', 'username_key'], 'users', ['pool_id', 'username_key'], (c) => c.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('user_index_user').on('user_index').columns(['pool_id', 'username_key']).execute();
      // Sign-in identifiers that must be unique in a pool: aliases and username attributes.
      await db.schema
        .createTable('user_aliases')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('value_key', 'text', (c) => c.notNull())
        .addColumn('username_key', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('user_aliases_pk', ['pool_id', 'kind', 'value_key'])
        .addForeignKeyConstraint('user_aliases_user', ['pool_id', 'username_key'], 'users', ['pool_id', 'username_key'], (c) => c.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('user_aliases_user').on('user_aliases').columns(['pool_id', 'username_key']).execute();
      // One-time codes (sign-up confirmation, password reset, attribute verification), hashed.
      await db.schema
        .createTable('codes')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('username_key', 'text', (c) => c.notNull())
        .addColumn('purpose', 'text', (c) => c.notNull())
        .addColumn('code_hash', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('attempts', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('codes_pk', ['pool_id', 'username_key', 'purpose'])
        .addForeignKeyConstraint('codes_user', ['pool_id', 'username_key'], 'users', ['pool_id', 'username_key'], (c) => c.onDelete('cascade'))
        .execute();
      await db.schema
        .createTable('groups')
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull().modifyEnd(binary))
        .addColumn('description', 'text')
        .addColumn('role_arn', 'text')
        .addColumn('precedence', 'integer')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('groups_pk', ['pool_id', 'name'])
        .execute();
      await db.schema
        .createTable('group_members')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('group_name', 'text', (c) => c.notNull().modifyEnd(binary))
        .addColumn('username_key', 'text', (c) => c.notNull().modifyEnd(binary))
        .addPrimaryKeyConstraint('group_members_pk', ['pool_id', 'group_name', 'username_key'])
        .addForeignKeyConstraint('group_members_group', ['pool_id', 'group_name'], 'groups', ['pool_id', 'name'], (c) => c.onDelete('cascade'))
        .addForeignKeyConstraint('group_members_user', ['pool_id', 'username_key'], 'users', ['pool_id', 'username_key'], (c) => c.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('group_members_user').on('group_members').columns(['pool_id', 'username_key', 'group_name']).execute();
      // The outbox: every message incognito "sends", readable over HTTP (/_incognito/messages).
      await db.schema
        .createTable('messages')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('username', 'text', (c) => c.notNull())
        .addColumn('medium', 'text', (c) => c.notNull())
        .addColumn('destination', 'text', (c) => c.notNull())
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('subject', 'text')
        .addColumn('body', 'text', (c) => c.notNull())
        .addColumn('code', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('messages_pool_user').on('messages').columns(['pool_id', 'username', 'created_at']).execute();
    },
  },
  '0003_auth_tokens_sessions': {
    async up(db: Kysely<any>) {
      // Facts about the installation itself (the master-key check value).
      await db.schema
        .createTable('meta')
        .addColumn('key', 'text', (c) => c.primaryKey())
        .addColumn('value', 'text', (c) => c.notNull())
        .execute();
      // The SRP salt and verifier of each user's password, sealed with the master key.
      await db.schema.alterTable('users').addColumn('srp_verifier', 'text').execute();
      // Two RSA key pairs per pool: `use` is 'id' or 'access'. The private key is sealed.
      await db.schema
        .createTable('signing_keys')
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('use', 'text', (c) => c.notNull())
        .addColumn('kid', 'text', (c) => c.notNull())
        .addColumn('public_jwk', 'text', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('signing_keys_pk', ['pool_id', 'use'])
        .execute();
      // One row per sign-in: the refresh tokens and every ID and access token issued from it share
      // its origin_jti. Revoking the family (RevokeToken, GlobalSignOut) revokes them all.
      await db.schema
        .createTable('token_families')
        .addColumn('origin_jti', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('username_key', 'text', (c) => c.notNull())
        .addColumn('auth_time', 'bigint', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('revoked_at', 'bigint')
        .addForeignKeyConstraint('token_families_user', ['pool_id', 'username_key'], 'users', ['pool_id', 'username_key'], (c) => c.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('token_families_user').on('token_families').columns(['pool_id', 'username_key']).execute();
      // Refresh tokens, stored only as a SHA-256 hash (they are 256-bit random strings).
      await db.schema
        .createTable('refresh_tokens')
        .addColumn('token_hash', 'text', (c) => c.primaryKey())
        .addColumn('origin_jti', 'text', (c) => c.notNull().references('token_families.origin_jti').onDelete('cascade'))
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .addColumn('replaced_at', 'bigint')
        .execute();
      await db.schema.createIndex('refresh_tokens_family').on('refresh_tokens').columns(['origin_jti']).execute();
      // Challenge sessions (Session, SECRET_BLOCK): single-use, expiring, stored as a hash, state sealed.
      await db.schema
        .createTable('auth_sessions')
        .addColumn('id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('state', 'text', (c) => c.notNull())
        .addColumn('expires_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('auth_sessions_expiry').on('auth_sessions').columns(['expires_at']).execute();
    },
  },
  '0004_user_import_jobs': {
    async up(db: Kysely<any>) {
      await db.schema
        .createTable('import_jobs')
        .addColumn('job_id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('job_name', 'text', (c) => c.notNull())
        .addColumn('role_arn', 'text', (c) => c.notNull())
        .addColumn('status', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('started_at', 'bigint')
        .addColumn('completed_at', 'bigint')
        .addColumn('imported', 'integer', (c) => c.notNull())
        .addColumn('skipped', 'integer', (c) => c.notNull())
        .addColumn('failed', 'integer', (c) => c.notNull())
        .addColumn('completion_message', 'text')
        // Bytes of the uploaded file (null until an upload completes).
        .addColumn('upload_bytes', 'bigint')
        // The last line of the file whose outcome is committed: a resumed job starts after it.
        .addColumn('lines_done', 'integer', (c) => c.notNull())
        // The node running the job, and until when its claim holds without being renewed.
        .addColumn('runner', 'text')
        .addColumn('lease_until', 'bigint')
        .execute();
      await db.schema.createIndex('import_jobs_pool').on('import_jobs').columns(['pool_id', 'created_at', 'job_id']).execute();
      await db.schema.createIndex('import_jobs_status').on('import_jobs').columns(['status']).execute();
      // The uploaded CSV, in chunks of up to 1 MiB, so that any node can run the job.
      await db.schema
        .createTable('import_files')
        .addColumn('job_id', 'text', (c) => c.notNull().references('import_jobs.job_id').onDelete('cascade'))
        .addColumn('seq', 'integer', (c) => c.notNull())
        .addColumn('data', kind === 'postgres' ? 'bytea' : 'blob', (c) => c.notNull())
        .addPrimaryKeyConstraint('import_files_pk', ['job_id', 'seq'])
        .execute();
      // The job's log, one line per data row: Cognito's CloudWatch lines, no user data.
      await db.schema
        .createTable('import_log')
        .addColumn('job_id', 'text', (c) => c.notNull().references('import_jobs.job_id').onDelete('cascade'))
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('message', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('import_log_pk', ['job_id', 'line'])
        .execute();
    },
  },
  '0005_user_index_columns': {
    async up(db: Kysely<any>) {
      // ListUsers filters are served by columns of users and their indexes, in the order of the
      // filter (value, then username_key), instead of user_index (about 8 rows per user, each at a
      // random place of a large B-tree, with a foreign key): a bulk load wrote ~20 index entries a user.
      // username, sub, cognito:user_status and status are columns already; the six filterable
      // attributes get a copy of their value (null when absent or empty), indexed where not null.
      const binary = kind === 'postgres' ? sql`collate "C"` : sql``;
      for (const a of FILTERABLE_COLUMNS) {
        await db.schema.alterTable('users').addColumn(a, 'text', (c) => c.modifyEnd(binary)).execute();
      }
      // Backfill from the attributes JSON, in SQL. PostgreSQL refuses to read JSON that holds a
      // \u0000 escape anywhere (another attribute's value may): those few rows are done one by one.
      const extract = (a: string) =>
        kind === 'postgres' ? sql`nullif(attributes::json ->> ${sql.lit(a)}, '')` : sql`nullif(json_extract(attributes, ${sql.lit('$.' + a)}), '')`;
      const escapedNul = String.raw`\u0000`;
      const nul = kind === 'postgres' ? sql<number>`strpos(attributes, ${escapedNul})` : sql<number>`instr(attributes, ${escapedNul})`;
      await db
        .updateTable('users')
        .set(Object.fromEntries(FILTERABLE_COLUMNS.map((a) => [a, extract(a)])))
        .where(nul, '=', 0)
        .where((eb) => eb.or(FILTERABLE_COLUMNS.map((a) => eb(extract(a), 'is not', null))))
        .execute();
      const odd = await db.selectFrom('users').select(['pool_id', 'username_key', 'attributes']).where(nul, '>', 0).execute();
      for (const r of odd) {
        const attributes = JSON.parse(r.attributes) as Record<string, unknown>;
        const value = (a: string) => (typeof attributes[a] === 'string' && attributes[a] !== '' ? attributes[a] : null);
        await db
          .updateTable('users')
          .set(Object.fromEntries(FILTERABLE_COLUMNS.map((a) => [a, value(a)])))
          .where('pool_id', '=', r.pool_id)
          .where('username_key', '=', r.username_key)
          .execute();
      }
      if (kind === 'postgres') {
        // Prefix filters are range scans compared byte-wise, as username_key and the values above.
        await sql`alter table users alter column sub type text collate "C", alter column status type text collate "C"`.execute(db);
      }
      await db.schema.createIndex('users_status').on('users').columns(['pool_id', 'status', 'username_key']).execute();
      await db.schema.createIndex('users_enabled').on('users').columns(['pool_id', 'enabled', 'username_key']).execute();
      for (const a of FILTERABLE_COLUMNS) {
        await db.schema
          .createIndex(`users_${a}`)
          .on('users')
          .columns(['pool_id', a, 'username_key'])
          .where(sql.ref(a), 'is not', null)
          .execute();
      }
      await db.schema.dropTable('user_index').execute();
    },
  },
  '0006_resource_servers_domains': {
    async up(db: Kysely<any>) {
      const binary = kind === 'postgres' ? sql`collate "C"` : sql``;
      // OAuth resource servers: the scopes are a JSON array of {ScopeName, ScopeDescription} in the
      // order given (at most 100, so they are read and written whole).
      await db.schema
        .createTable('resource_servers')
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('identifier', 'text', (c) => c.notNull().modifyEnd(binary))
        .addColumn('name', 'text', (c) => c.notNull())
        .addColumn('scopes', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('resource_servers_pk', ['pool_id', 'identifier'])
        .execute();
      // User pool domains: a prefix (`myapp`) or a custom domain (`auth.example.com`). The name is
      // unique across the installation (the primary key); a pool has at most one of each kind.
      await db.schema
        .createTable('user_pool_domains')
        .addColumn('domain', 'text', (c) => c.primaryKey().modifyEnd(binary))
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('kind', 'text', (c) => c.notNull())
        .addColumn('certificate_arn', 'text')
        .addColumn('managed_login_version', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('user_pool_domains_pool_kind').unique().on('user_pool_domains').columns(['pool_id', 'kind']).execute();
    },
  },
  '0007_oauth': {
    async up(db: Kysely<any>) {
      // The scopes of a hosted (OAuth) sign-in, so tokens refreshed from it carry the same ones.
      await db.schema.alterTable('token_families').addColumn('scopes', 'text').execute();
    },
  },
  '0008_import_log_pending': {
    async up(db: Kysely<any>) {
      // import_log without its foreign key: checking it cost more than the insert itself on PostgreSQL
      // (a plan per row: 18 us of a row's 22). Its rows go with their pool in PoolRepo.delete (the
      // only way a job is deleted); every write of a log line also updates its job row in the same
      // transaction, conditionally, so none is written for a job that is gone. On SQLite the table is
      // rebuilt (no DROP CONSTRAINT there), as a WITHOUT ROWID table (one B-tree, in line order).
      if (kind === 'postgres') {
        await sql`alter table import_log drop constraint import_log_job_id_fkey`.execute(db);
        // Nor users' foreign key to user_pools, on PostgreSQL: a third of a bulk insert's time went to
        // its check (planned anew for every row). Inserting users locks the pool's row once a
        // transaction instead, and deleting a pool deletes its users (UserRepo.lockPool, PoolRepo.delete).
        await sql`alter table users drop constraint users_pool_id_fkey`.execute(db);
      } else {
        await db.schema
          .createTable('import_log_0008')
          .addColumn('job_id', 'text', (c) => c.notNull())
          .addColumn('line', 'integer', (c) => c.notNull())
          .addColumn('message', 'text', (c) => c.notNull())
          .addPrimaryKeyConstraint('import_log_pk', ['job_id', 'line'])
          .modifyEnd(sql`without rowid`)
          .execute();
        await sql`insert into import_log_0008 (job_id, line, message) select job_id, line, message from import_log`.execute(db);
        await db.schema.dropTable('import_log').execute();
        await db.schema.alterTable('import_log_0008').renameTo('import_log').execute();
      }
      // Import jobs write users in username order, not line order: the log lines of rows committed
      // ahead of the lines before them wait here (one row a transaction), and go to import_log, in
      // line order, once those are done. import_log itself stays one row a line, in line order.
      await db.schema
        .createTable('import_pending')
        .addColumn('job_id', 'text', (c) => c.notNull().references('import_jobs.job_id').onDelete('cascade'))
        .addColumn('line', 'integer', (c) => c.notNull())
        .addColumn('lines', 'text', (c) => c.notNull())
        .addPrimaryKeyConstraint('import_pending_pk', ['job_id', 'line'])
        .execute();
    },
  },
  '0009_user_mfa': {
    async up(db: Kysely<any>) {
      // The user's MFA settings, typed (domain/mfa.ts UserMfa) in a JSON column of their own; null
      // for the users without any, so the hot reads parse nothing more for them.
      await db.schema.alterTable('users').addColumn('mfa', 'text').execute();
      // The legacy MFAOptions lived in extra.mfaOptions (AdminSetUserSettings): moved over. Few rows
      // have it; they are found by a LIKE both engines run the same way, then done one by one.
      const rows = await db.selectFrom('users').select(['pool_id', 'username_key', 'extra']).where('extra', 'like', '%"mfaOptions"%').execute();
      for (const r of rows) {
        const { mfaOptions, ...extra } = JSON.parse(r.extra) as Record<string, unknown>;
        const sms = Array.isArray(mfaOptions) && mfaOptions.length > 0;
        await db
          .updateTable('users')
          .set({
            extra: JSON.stringify(extra),
            mfa: sms ? JSON.stringify({ mfaOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] }) : null,
          })
          .where('pool_id', '=', r.pool_id)
          .where('username_key', '=', r.username_key)
          .execute();
      }
    },
  },
  '0010_devices': {
    async up(db: Kysely<any>) {
      const binary = kind === 'postgres' ? sql`collate "C"` : sql``;
      // Remembered devices (device tracking): one row per device key a sign-in issued to a user. The
      // device SRP salt and verifier (from ConfirmDevice) are sealed with the master key; null until
      // the device is confirmed. status: 'remembered' | 'not_remembered' (null before ConfirmDevice).
      // Deleting the user deletes its devices (the foreign key, as token_families).
      await db.schema
        .createTable('devices')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('username_key', 'text', (c) => c.notNull())
        .addColumn('device_key', 'text', (c) => c.notNull().modifyEnd(binary))
        .addColumn('group_key', 'text', (c) => c.notNull())
        .addColumn('verifier', 'text')
        .addColumn('status', 'text')
        .addColumn('name', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addColumn('last_authenticated_at', 'bigint')
        .addPrimaryKeyConstraint('devices_pk', ['pool_id', 'username_key', 'device_key'])
        .addForeignKeyConstraint('devices_user', ['pool_id', 'username_key'], 'users', ['pool_id', 'username_key'], (c) => c.onDelete('cascade'))
        .execute();
      // The device a sign-in was bound to: its access tokens carry device_key, and forgetting the
      // device revokes the sign-ins made with it.
      await db.schema.alterTable('token_families').addColumn('device_key', 'text').execute();
    },
  },
  '0011_secrets_certificates_events': {
    async up(db: Kysely<any>) {
      // Every secret of a client (client secret rotation: at most two), JSON [{id, value, createdAt}]
      // oldest first; null for the clients made before, whose only secret is the `secret` column.
      // `secret` stays the client's current secret (the oldest), in step with the list.
      await db.schema.alterTable('user_pool_clients').addColumn('secrets', 'text').execute();
      // The pool's X.509 signing certificate (GetSigningCertificate; the SAML service provider's),
      // its private key sealed with the master key. Made on first use, one per pool.
      await db.schema
        .createTable('pool_certificates')
        .addColumn('pool_id', 'text', (c) => c.primaryKey().references('user_pools.id').onDelete('cascade'))
        .addColumn('certificate', 'text', (c) => c.notNull())
        .addColumn('private_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .execute();
      // Auth events of advanced security (threat protection): the event as JSON (its wire shape but
      // the feedback), the feedback apart. Read newest first by (created_at, event_id).
      await db.schema
        .createTable('auth_events')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('username_key', 'text', (c) => c.notNull())
        .addColumn('event_id', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('event', 'text', (c) => c.notNull())
        .addColumn('feedback', 'text')
        .addPrimaryKeyConstraint('auth_events_pk', ['pool_id', 'username_key', 'event_id'])
        .addForeignKeyConstraint('auth_events_user', ['pool_id', 'username_key'], 'users', ['pool_id', 'username_key'], (c) => c.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('auth_events_time').on('auth_events').columns(['pool_id', 'username_key', 'created_at', 'event_id']).execute();
      // Risk configurations (SetRiskConfiguration): the pool's (client_id '') and each client's.
      await db.schema
        .createTable('risk_configurations')
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('risk_configurations_pk', ['pool_id', 'client_id'])
        .execute();
    },
  },
  // Federation (issue 16). Named apart from the other branches' migrations; may be renumbered at merge.
  '0012_federation_identity_providers': {
    async up(db: Kysely<any>) {
      const binary = kind === 'postgres' ? sql`collate "C"` : sql``;
      await db.schema
        .createTable('identity_providers')
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('name', 'text', (c) => c.notNull().modifyEnd(binary))
        .addColumn('type', 'text', (c) => c.notNull())
        .addColumn('details', 'text', (c) => c.notNull())
        .addColumn('attribute_mapping', 'text', (c) => c.notNull())
        .addColumn('idp_identifiers', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('identity_providers_pk', ['pool_id', 'name'])
        .execute();
      // A provider's user linked to a native user: one link per provider user; deleted with the
      // native user (its username key) or the pool.
      await db.schema
        .createTable('federation_links')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('provider_name', 'text', (c) => c.notNull())
        .addColumn('attribute_name', 'text', (c) => c.notNull())
        .addColumn('attribute_value', 'text', (c) => c.notNull())
        .addColumn('username_key', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('federation_links_pk', ['pool_id', 'provider_name', 'attribute_name', 'attribute_value'])
        .addForeignKeyConstraint('federation_links_user', ['pool_id', 'username_key'], 'users', ['pool_id', 'username_key'], (c) => c.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('federation_links_by_user').on('federation_links').columns(['pool_id', 'username_key']).execute();
    },
  },
  '0013_config_ops': {
    async up(db: Kysely<any>) {
      // Terms documents (CreateTerms): one per app client and name (terms-of-use, privacy-policy),
      // its Links a JSON object. They go with the client (and so with the pool).
      await db.schema
        .createTable('terms')
        .addColumn('terms_id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('client_id', 'text', (c) => c.notNull().references('user_pool_clients.id').onDelete('cascade'))
        .addColumn('terms_name', 'text', (c) => c.notNull())
        .addColumn('terms_source', 'text', (c) => c.notNull())
        .addColumn('enforcement', 'text', (c) => c.notNull())
        .addColumn('links', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('terms_client_name').unique().on('terms').columns(['pool_id', 'client_id', 'terms_name']).execute();
      // SetLogDeliveryConfiguration: the pool's LogConfigurations as JSON.
      await db.schema
        .createTable('log_delivery_configurations')
        .addColumn('pool_id', 'text', (c) => c.primaryKey().references('user_pools.id').onDelete('cascade'))
        .addColumn('config', 'text', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      // SetUICustomization: the pool's (client_id 'ALL') and each client's CSS and logo (base64).
      await db.schema
        .createTable('ui_customizations')
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('client_id', 'text', (c) => c.notNull())
        .addColumn('css', 'text')
        .addColumn('image', 'text')
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .addPrimaryKeyConstraint('ui_customizations_pk', ['pool_id', 'client_id'])
        .execute();
      // CreateManagedLoginBranding: one style per app client, its settings and assets as JSON.
      await db.schema
        .createTable('managed_login_brandings')
        .addColumn('branding_id', 'text', (c) => c.primaryKey())
        .addColumn('pool_id', 'text', (c) => c.notNull().references('user_pools.id').onDelete('cascade'))
        .addColumn('client_id', 'text', (c) => c.notNull().references('user_pool_clients.id').onDelete('cascade'))
        .addColumn('use_cognito_provided_values', 'integer', (c) => c.notNull())
        .addColumn('settings', 'text')
        .addColumn('assets', 'text', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('updated_at', 'bigint', (c) => c.notNull())
        .execute();
      await db.schema.createIndex('managed_login_brandings_client').unique().on('managed_login_brandings').columns(['client_id']).execute();
    },
  },
  '0014_webauthn_credentials': {
    async up(db: Kysely<any>) {
      const binary = kind === 'postgres' ? sql`collate "C"` : sql``;
      // Passkeys (WebAuthn credentials, CompleteWebAuthnRegistration): one row per credential of a
      // user. credential_id is the base64url credential ID, unique in the pool (an authenticator's
      // credential belongs to one user); public_key the base64url COSE public key (not a secret);
      // sign_count the last signature counter seen; transports a JSON array. They go with the user
      // (foreign key, ON DELETE CASCADE) and so with the pool.
      await db.schema
        .createTable('webauthn_credentials')
        .addColumn('pool_id', 'text', (c) => c.notNull())
        .addColumn('username_key', 'text', (c) => c.notNull())
        .addColumn('credential_id', 'text', (c) => c.notNull().modifyEnd(binary))
        .addColumn('public_key', 'text', (c) => c.notNull())
        .addColumn('sign_count', 'bigint', (c) => c.notNull())
        .addColumn('transports', 'text', (c) => c.notNull())
        .addColumn('friendly_name', 'text', (c) => c.notNull())
        .addColumn('attachment', 'text')
        .addColumn('rp_id', 'text', (c) => c.notNull())
        .addColumn('user_verified', 'integer', (c) => c.notNull())
        .addColumn('created_at', 'bigint', (c) => c.notNull())
        .addColumn('last_used_at', 'bigint')
        .addPrimaryKeyConstraint('webauthn_credentials_pk', ['pool_id', 'username_key', 'credential_id'])
        .addForeignKeyConstraint('webauthn_credentials_user', ['pool_id', 'username_key'], 'users', ['pool_id', 'username_key'], (c) => c.onDelete('cascade'))
        .execute();
      await db.schema.createIndex('webauthn_credentials_id').unique().on('webauthn_credentials').columns(['pool_id', 'credential_id']).execute();
    },
  },
  '0015_partial_secondary_indexes': {
    async up(db: Kysely<any>) {
      // The secondary indexes of users and user_aliases that begin with pool_id become partial
      // (`WHERE <column> IS NOT NULL`, true of every row: the columns are NOT NULL), so that a lookup
      // by a user's key (pool_id, username_key) cannot use them: neither planner proves
      // the predicate from a column's NOT NULL constraint, only from a condition on the column in the
      // query (`status = ?`, `sub = ?`, `username_key = ?` imply it). Before, each of them could serve
      // `pool_id = ? AND username_key = ?` by scanning the pool's entries, and PostgreSQL, planning
      // generically on small tables where every index looks as cheap, picked the last one created:
      // users_enabled, then users_status, then users_sub (docs/decisions.md, "Generic plans for the
      // hot reads"). The filters and lookups they exist for (ListUsers by status or sub, the user by
      // sub, a user's aliases and the cascade from users) compare the column, so they still use them.
      const partial = async (name: string, table: string, columns: string[], notNull: string, unique = false) => {
        await db.schema.dropIndex(name).execute();
        let b = db.schema.createIndex(name).on(table).columns(columns).where(sql.ref(notNull), 'is not', null);
        if (unique) b = b.unique();
        await b.execute();
      };
      await partial('users_status', 'users', ['pool_id', 'status', 'username_key'], 'status');
      await partial('users_enabled', 'users', ['pool_id', 'enabled', 'username_key'], 'enabled');
      await partial('users_sub', 'users', ['pool_id', 'sub'], 'sub', true);
      await partial('user_aliases_user', 'user_aliases', ['pool_id', 'username_key'], 'username_key');
      // Clients and pools are read by id (their primary keys); these two list a pool's clients and a
      // region's pools, and a read by id must not scan them (seen: a client by id through
      // user_pool_clients_pool_id, planned generically with two pools). A client read by id is joined
      // to its pool (`p.id = c.pool_id`), which implies `pool_id IS NOT NULL`: so the clients' index
      // is partial on `name IS NOT NULL`, which only the listing states (ClientRepo.list).
      await partial('user_pool_clients_pool_id', 'user_pool_clients', ['pool_id', 'id'], 'name');
      await partial('user_pools_region_id', 'user_pools', ['region', 'id'], 'region');
    },
  },
  '0016_auth_sessions_username_key': {
    async up(db: Kysely<any>) {
      // An authorization code's user, outside its sealed state, so that the token endpoint reads the
      // user and the user's groups in the statement that reads the code (ReadRepo.clientAndCode). The
      // sealed state stays what the exchange trusts: the user read is used only when its key is the
      // state's. Null for every other session, and for codes issued before this migration (their
      // exchange reads the user in a statement of its own, as before).
      await db.schema.alterTable('auth_sessions').addColumn('username_key', 'text').execute();
    },
  },
});

/**
 * Runs the pending migrations. `schema`: the PostgreSQL schema the tables live in, if not the
 * default. `upTo`: the last migration to run (tests of a migration on a database made before it).
 */
export async function migrate(db: Kysely<any>, kind: 'sqlite' | 'postgres', schema?: string, upTo?: string): Promise<void> {
  const migrator = new Migrator({
    db,
    provider: { getMigrations: async () => migrations(kind) },
    ...(schema ? { migrationTableSchema: schema } : {}),
  });
  const { error, results } = upTo ? await migrator.migrateTo(upTo) : await migrator.migrateToLatest();
  const failed = results?.find((r) => r.status === 'Error');
  if (error || failed) {
    throw new Error(`database migration ${failed?.migrationName ?? ''} failed: ${String((error as Error)?.message ?? error)}`);
  }
}
