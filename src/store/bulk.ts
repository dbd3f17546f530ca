/**
 * Inserts of many rows into one table, for bulk loads (user imports), without Kysely building and
 * compiling a statement of thousands of parameters each time:
 *   - PostgreSQL: one INSERT ... SELECT over jsonb_array_elements() of a single JSON parameter: one
 *     round trip and one statement of fixed text, whatever the number of rows (jsonb: each row is
 *     parsed once; with json, every ->> read the row's text again, half the insert's time).
 *   - SQLite: one prepared single-row INSERT, run for each row straight on the better-sqlite3
 *     connection. better-sqlite3 is synchronous and Kysely runs a transaction on that one
 *     connection, so inside a transaction the rows are part of it (and an error rolls it back).
 */
import { CompiledQuery } from 'kysely';
import type { Db } from './db.js';

/**
 * Runs a prepared statement once for each row, on the SQLite connection (only inside a transaction):
 * `first`, then the row's values, bound as the statement's parameters (no row is copied to put `first` in front).
 */
export type SqliteRows = (sql: string, first: unknown, rows: unknown[][]) => void;

export class BulkInsert {
  private readonly sql: string;

  /**
   * `columns`: [name, PostgreSQL type] in the order of each row's values, after `first`, the one
   * value shared by every row (its column is `firstColumn`).
   */
  constructor(
    private readonly kind: 'sqlite' | 'postgres',
    table: string,
    firstColumn: string,
    columns: readonly (readonly [string, 'text' | 'integer' | 'bigint'])[],
  ) {
    const names = [firstColumn, ...columns.map(([c]) => c)].join(', ');
    this.sql =
      kind === 'sqlite'
        ? `insert into ${table} (${names}) values (?, ${columns.map(() => '?').join(', ')})`
        : `insert into ${table} (${names}) select $1, ${columns.map(([, type], i) => (type === 'text' ? `r ->> ${i}` : `(r ->> ${i})::${type}`)).join(', ')} from jsonb_array_elements($2::jsonb) as r`;
  }

  /** Inserts the rows; `db` must be a transaction (and `sqlite` its connection's runner on SQLite). */
  async run(db: Db, sqlite: SqliteRows | undefined, first: unknown, rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    if (!db.isTransaction) throw new Error('BulkInsert.run: only inside a transaction');
    if (this.kind === 'sqlite') {
      if (!sqlite) throw new Error('BulkInsert.run: the SQLite store has no row runner');
      sqlite(this.sql, first, rows);
      return;
    }
    await db.executeQuery(CompiledQuery.raw(this.sql, [first, JSON.stringify(rows)]));
  }
}
