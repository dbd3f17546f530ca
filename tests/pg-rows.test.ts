/**
 * PostgreSQL: the prepared reads' rows as store/postgres/rows.ts decodes them (a shape kept per
 * statement name instead of pg's Result): the same values and types as pg's own rows, nulls, many
 * rows, an error answered as pg answers it, and a statement of the same name whose columns differ
 * (another connection, another text) decoded by its own columns.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { backends, PG_URL } from './harness.js';
import { queryRows } from '../src/store/postgres/rows.js';
import '../src/store/postgres/index.js'; // pg's type parsers as the store sets them (int8 as a number)

const pgBackend = (await backends()).find((b) => b.name === 'postgres');
if (pgBackend) {
  describe('PostgreSQL rows of the prepared reads (postgres/rows.ts)', () => {
    const SQL = `SELECT x.i AS id, 'n' || x.i AS name, CAST(x.i * 10000000000 AS bigint) AS big, x.i % 2 = 0 AS even,
                        CASE WHEN x.i % 3 = 0 THEN NULL ELSE '{"a":' || x.i || '}' END AS doc, CAST($1 AS text) AS echo
                   FROM generate_series(1, CAST($2 AS integer)) AS x(i)`;

    it('gives the rows pg gives, value for value and type for type', async () => {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 2 });
      try {
        for (const n of ['0', '1', '7', '300']) {
          const ours = await queryRows(pool, { name: 'incognito_test_rows_v1', text: SQL, values: ['é ✓', n] });
          const theirs = await pool.query({ name: 'incognito_test_rows_v1', text: SQL, values: ['é ✓', n] });
          assert.equal(ours.rows.length, Number(n));
          assert.deepEqual(ours.rows.map((r) => ({ ...r })), theirs.rows.map((r) => ({ ...r })));
        }
        const [third] = (await queryRows(pool, { name: 'incognito_test_rows_v1', text: SQL, values: [null, '3'] })).rows.slice(2);
        assert.deepEqual({ ...third }, { id: 3, name: 'n3', big: 30000000000, even: false, doc: null, echo: null });
      } finally {
        await pool.end();
      }
    });

    it('fails as pg fails, and the connection serves the next statement', async () => {
      const pool = new pg.Pool({ connectionString: PG_URL, max: 1 });
      try {
        await assert.rejects(queryRows(pool, { name: 'incognito_test_rows_v1', text: SQL, values: ['x', 'not a number'] }), /invalid input syntax for type integer/);
        assert.equal((await queryRows(pool, { name: 'incognito_test_rows_v1', text: SQL, values: ['x', '2'] })).rows.length, 2);
      } finally {
        await pool.end();
      }
    });

    it('decodes a statement by the columns it returns, not by its name alone', async () => {
      // The same name with another text (on another pool's connections): its own columns and types.
      const a = new pg.Pool({ connectionString: PG_URL, max: 1 });
      const b = new pg.Pool({ connectionString: PG_URL, max: 1 });
      try {
        const first = await queryRows(a, { name: 'incognito_test_rows_v2', text: 'SELECT CAST($1 AS integer) AS n, CAST(1 AS bigint) AS big', values: ['5'] });
        assert.deepEqual({ ...first.rows[0] }, { n: 5, big: 1 });
        const other = await queryRows(b, { name: 'incognito_test_rows_v2', text: 'SELECT CAST($1 AS text) AS n, true AS flag, CAST(NULL AS bigint) AS big', values: ['5'] });
        assert.deepEqual({ ...other.rows[0] }, { n: '5', flag: true, big: null });
        const again = await queryRows(a, { name: 'incognito_test_rows_v2', text: 'SELECT CAST($1 AS integer) AS n, CAST(1 AS bigint) AS big', values: ['6'] });
        assert.deepEqual({ ...again.rows[0] }, { n: 6, big: 1 });
      } finally {
        await a.end();
        await b.end();
      }
    });
  });
}
