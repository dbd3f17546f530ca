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
 * `first` (when given), then the row's values, bound as the statement's parameters (no row is copied
 * to put `first` in front).
 */
export type SqliteRows = ((sql: string, rows: unknown[][], first?: unknown) => void) & {
  /**
   * Reads committed rows on the connection directly, without waiting for Kysely's hold on it
   * (an import's transaction on its own connection holds it for long: store.importTransaction);
   * undefined when the connection is in a transaction (then read through Kysely, after it).
   */
  readCommitted?: (sql: string, params: unknown[]) => unknown[] | undefined;
};

export class BulkInsert {
  private readonly sql: string;
  /** SQLite: the statement of `perStatement` rows, when more than one. */
  private readonly sqlMany: string | undefined;

  /**
   * `columns`: [name, PostgreSQL type] in the order of each row's values, after `first`, the one
   * value shared by every row (its column is `firstColumn`). `perStatement` (SQLite): rows a statement
   * inserts (the last few of a call one at a time). Worth it for narrow rows only: measured, 50 log
   * lines (3 columns) a statement cost 1.1-1.3 µs a row against 1.9-2.2 one at a time, but 10 users
   * (20 columns, 9 indexes) a statement 24-27 µs a user against 16-17.
   */
  constructor(
    private readonly kind: 'sqlite' | 'postgres',
    table: string,
    firstColumn: string,
    columns: readonly (readonly [string, 'text' | 'integer' | 'bigint'])[],
    private readonly perStatement = 1,
  ) {
    const names = [firstColumn, ...columns.map(([c]) => c)].join(', ');
    const tuple = `(?, ${columns.map(() => '?').join(', ')})`;
    this.sql =
      kind === 'sqlite'
        ? `insert into ${table} (${names}) values ${tuple}`
        : `insert into ${table} (${names}) select $1, ${columns.map(([, type], i) => (type === 'text' ? `r ->> ${i}` : `(r ->> ${i})::${type}`)).join(', ')} from jsonb_array_elements($2::jsonb) as r`;
    this.sqlMany = kind === 'sqlite' && perStatement > 1 ? `insert into ${table} (${names}) values ${new Array(perStatement).fill(tuple).join(', ')}` : undefined;
  }

  /** Inserts the rows; `db` must be a transaction (and `sqlite` its connection's runner on SQLite). */
  async run(db: Db, sqlite: SqliteRows | undefined, first: unknown, rows: unknown[][]): Promise<void> {
    if (rows.length === 0) return;
    if (!db.isTransaction) throw new Error('BulkInsert.run: only inside a transaction');
    if (this.kind === 'sqlite') {
      if (!sqlite) throw new Error('BulkInsert.run: the SQLite store has no row runner');
      let i = 0;
      if (this.sqlMany) {
        const many: unknown[][] = [];
        for (; i + this.perStatement <= rows.length; i += this.perStatement) {
          const params: unknown[] = [];
          for (let j = i; j < i + this.perStatement; j++) params.push(first, ...rows[j]!);
          many.push(params);
        }
        sqlite(this.sqlMany, many);
      }
      sqlite(this.sql, i === 0 ? rows : rows.slice(i), first);
      return;
    }
    await db.executeQuery(CompiledQuery.raw(this.sql, [first, JSON.stringify(rows)]));
  }
}
