/**
 * Migrations on a database that has data: one made by the migrations up to 0004 (users indexed in
 * user_index, import jobs with their log) is migrated to the latest, on each store. The users must
 * be found by every ListUsers filter, the logs kept, and a pool's deletion must take what it held.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import Database from 'better-sqlite3';
import pg from 'pg';
import { Kysely, SqliteDialect } from 'kysely';
import { migrate } from '../src/store/migrations.js';
import { openStore } from '../src/store/index.js';
import { OwnSchemaDialect } from '../src/store/postgres/index.js';
import { backends } from './harness.js';

for (const backend of await backends()) {
  describe(`migrations of a database with data (${backend.name})`, () => {
    it('0005 (filter columns) and 0008 (import log, foreign keys) keep and index what was there', async () => {
      const fresh = await backend.fresh();
      const { dataDir, databaseUrl, databaseSchema } = fresh.settings;
      try {
        const kind = backend.name;
        let db: Kysely<any>;
        if (kind === 'sqlite') {
          db = new Kysely<any>({ dialect: new SqliteDialect({ database: new Database(path.join(dataDir!, 'incognito.sqlite')) }) });
        } else {
          const c = new pg.Client({ connectionString: databaseUrl });
          await c.connect();
          await c.query(`create schema if not exists ${databaseSchema}`);
          await c.end();
          db = new Kysely<any>({ dialect: new OwnSchemaDialect({ pool: new pg.Pool({ connectionString: databaseUrl, options: `-c search_path=${databaseSchema}` }) }, databaseSchema) });
        }
        await migrate(db, kind, databaseSchema, '0004_user_import_jobs');
        const now = Date.now();
        await db.insertInto('user_pools').values({ id: 'us-east-1_old', region: 'us-east-1', name: 'old', created_at: now, updated_at: now, settings: '{}', tags: '{}' }).execute();
        const users = Array.from({ length: 30 }, (_, i) => ({
          pool_id: 'us-east-1_old',
          username_key: `u${String(i).padStart(2, '0')}`,
          username: `U${String(i).padStart(2, '0')}`,
          sub: randomUUID(),
          status: i % 3 ? 'CONFIRMED' : 'RESET_REQUIRED',
          enabled: i % 5 ? 1 : 0,
          attributes: JSON.stringify({
            email: `u${i}@example.com`,
            ...(i % 2 ? { given_name: 'Odd' } : { given_name: '' }),
            name: `Name "${i}" \\ é`,
            // Another attribute holding a NUL (PostgreSQL refuses such JSON as json): read in JS.
            ...(i % 4 === 0 ? { 'custom:note': 'a\u0000b' } : {}),
          }),
          password_hash: null,
          password_updated_at: null,
          extra: '{}',
          created_at: now,
          updated_at: now,
          srp_verifier: null,
        }));
        await db.insertInto('users').values(users).execute();
        await db
          .insertInto('user_index')
          .values(users.map((u) => ({ pool_id: u.pool_id, attr: 'username', value: u.username_key, username_key: u.username_key })))
          .execute();
        await db
          .insertInto('import_jobs')
          .values({ job_id: 'import-old', pool_id: 'us-east-1_old', job_name: 'j', role_arn: 'r', status: 'Succeeded', created_at: now, imported: 2, skipped: 0, failed: 0, lines_done: 3 })
          .execute();
        await db
          .insertInto('import_log')
          .values([2, 3].map((line) => ({ job_id: 'import-old', line, message: `[SUCCEEDED] Line Number ${line} - The import succeeded.` })))
          .execute();
        await db.destroy();

        // The store migrates to the latest as it opens.
        const store = await openStore({ dataDir: dataDir!, databaseUrl, databaseSchema });
        try {
          const all = async (attr: string, value: string, prefix = false) => {
            const names: string[] = [];
            let after: string | undefined;
            do {
              const r = await store.users.list('us-east-1_old', { filter: { attr, value, prefix }, after, limit: 7 });
              names.push(...r.users.map((u) => u.username));
              after = r.cursor;
            } while (after);
            return names;
          };
          const expect = (pred: (i: number) => boolean) => users.map((u, i) => (pred(i) ? u.username : undefined)).filter((n) => n !== undefined);
          assert.deepEqual(await all('email', 'u7@example.com'), ['U07']);
          // By value: 'u10@...' sorts before 'u1@...' ('0' < '@').
          assert.deepEqual(await all('email', 'u1', true), [...expect((i) => i >= 10 && i < 20), 'U01']);
          assert.deepEqual(await all('given_name', 'Odd'), expect((i) => i % 2 === 1));
          assert.deepEqual(await all('given_name', '', true), expect((i) => i % 2 === 1), 'an empty value is no value');
          assert.deepEqual(await all('name', 'Name "4" \\ é'), ['U04']);
          assert.deepEqual(await all('name', 'Name', true).then((n) => n.length), 30);
          assert.deepEqual(await all('username', 'u2', true), expect((i) => i >= 20 && i < 30));
          assert.deepEqual(await all('status', 'Disabled'), expect((i) => i % 5 === 0));
          assert.deepEqual(await all('cognito:user_status', 'RESET_REQUIRED'), expect((i) => i % 3 === 0));
          assert.deepEqual(await all('sub', users[8]!.sub), ['U08']);
          // The old job's log is kept.
          assert.deepEqual((await store.imports.log('import-old', 0, 10)).map((l) => l.line), [2, 3]);
          // Deleting the pool takes its users and its jobs' log lines, which have no foreign key now.
          await store.pools.delete('us-east-1_old');
          assert.equal(await store.users.count('us-east-1_old'), 0);
          assert.deepEqual(await store.imports.log('import-old', 0, 10), []);
          assert.equal((await store.imports.pending('import-old', 0)).size, 0);
        } finally {
          await store.close();
        }
      } finally {
        await fresh.cleanup();
      }
    });


    it('starting reads only its own schema: other schemas created and dropped meanwhile do not fail it', { skip: backend.name !== 'postgres' }, async () => {
      // Kysely's own introspector read every schema's columns, and a schema dropped during that read
      // failed the start-up ("schema ... does not exist"; found by an acceptance pass).
      const fresh = await backend.fresh();
      const { databaseUrl, databaseSchema } = fresh.settings;
      const churn = new pg.Client({ connectionString: databaseUrl });
      await churn.connect();
      let stop = false;
      let cycles = 0;
      const other = `${databaseSchema}_churn`;
      const loop = (async () => {
        while (!stop) {
          await churn.query(`create schema ${other}; create table ${other}.t (a serial, b text, c int); drop schema ${other} cascade`);
          cycles++;
        }
      })();
      try {
        for (let i = 0; i < 12; i++) {
          const store = await openStore({ ...fresh.settings, databaseSchema: `${databaseSchema}_${i}` } as Parameters<typeof openStore>[0]);
          await store.close();
        }
        assert.ok(cycles > 0, 'the other schema came and went while the stores opened');
        // What the Migrator asks of the introspector is answered from our schema alone.
        await churn.query(`create schema if not exists ${other}_kept; create table if not exists ${other}_kept.users (a int)`);
        const pool = new pg.Pool({ connectionString: databaseUrl, options: `-c search_path=${databaseSchema}_0` });
        const db = new Kysely<any>({ dialect: new OwnSchemaDialect({ pool }, `${databaseSchema}_0`) });
        try {
          await migrate(db, 'postgres', `${databaseSchema}_0`);
          const tables = await db.introspection.getTables({ withInternalKyselyTables: true });
          assert.ok(tables.some((x) => x.name === 'kysely_migration'));
          assert.ok(tables.some((x) => x.name === 'users'));
          assert.deepEqual([...new Set(tables.map((x) => x.schema))], [`${databaseSchema}_0`]);
        } finally {
          await db.destroy();
          await churn.query(`drop schema if exists ${other}_kept cascade`);
        }
      } finally {
        stop = true;
        await loop;
        for (let i = 0; i < 12; i++) await churn.query(`drop schema if exists ${databaseSchema}_${i} cascade`);
        await churn.end();
        await fresh.cleanup();
      }
    });
  });
}
