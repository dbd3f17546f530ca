/**
 * PostgreSQL: the rows of the prepared reads (store/prepared.ts), decoded by a query of our own
 * (pg's Submittable, a subclass of its Query) instead of pg's Result.
 *
 * Profiled (a batched read of an access token's client, pool, sign-in and user, 16 at a time, and
 * alone): pg rebuilt a row template from the RowDescription at every execution (Result.addFields: an
 * object without prototype, 38 properties set one by one, then copied), then copied that template
 * for every row; addFields alone was 19% of the node's CPU with reads one at a time. A named
 * statement's columns do not change (the prepared reads name every column: prepared.ts), so here
 * each statement's shape (names and type parsers) is made once per process, kept by statement
 * name, and each row is built by a function made for that shape: an object literal with the
 * columns in order, one hidden class for every row of a statement. The shape is checked against
 * every RowDescription (names and types): a statement whose columns did change gets a new one.
 */
import pg from 'pg';

interface Field {
  name: string;
  dataTypeID: number;
  format: string;
}

interface Shape {
  names: readonly string[];
  types: readonly number[];
  build: (values: readonly (string | null)[]) => Record<string, unknown>;
}

const shapes = new Map<string, Shape>();

/** The text parser pg uses for a type it does not convert (text, varchar, ...): String. */
const NO_PARSE = pg.types.getTypeParser(25, 'text');

function sameShape(s: Shape, fields: readonly Field[]): boolean {
  if (s.names.length !== fields.length) return false;
  for (let i = 0; i < fields.length; i++) if (s.names[i] !== fields[i]!.name || s.types[i] !== fields[i]!.dataTypeID) return false;
  return true;
}

function makeShape(fields: readonly Field[]): Shape {
  const parsers = fields.map((f) => pg.types.getTypeParser(f.dataTypeID, (f.format || 'text') as 'text'));
  if (fields.some((f) => f.format === 'binary')) throw new Error('rows.ts decodes text columns only');
  const body = fields
    .map((f, i) => `${JSON.stringify(f.name)}: v[${i}] === null ? null : ${parsers[i] === NO_PARSE ? `v[${i}]` : `p[${i}](v[${i}])`}`)
    .join(',\n');
  const build = new Function('p', `return function row(v) { return {\n${body}\n}; }`)(parsers) as Shape['build'];
  return { names: fields.map((f) => f.name), types: fields.map((f) => f.dataTypeID), build };
}

/** The rows of one execution of a named statement, as plain objects (one property a column, in order). */
class RowsQuery extends pg.Query {
  private shape: Shape | undefined;
  private failed: unknown;
  private readonly out: Record<string, unknown>[] = [];

  // Called from pg's message handler: nothing thrown here (it would escape as an uncaught exception);
  // a failure is the query's error, answered at ReadyForQuery.
  handleRowDescription(msg: { fields: Field[] }): void {
    try {
      const name = (this as unknown as { name: string }).name;
      let s = shapes.get(name);
      if (!s || !sameShape(s, msg.fields)) shapes.set(name, (s = makeShape(msg.fields)));
      this.shape = s;
    } catch (e) {
      if (this.failed === undefined) this.failed = e;
    }
  }

  handleDataRow(msg: { fields: (string | null)[] }): void {
    if (this.failed !== undefined) return;
    try {
      if (!this.shape) throw new Error('a row came before its RowDescription');
      this.out.push(this.shape.build(msg.fields));
    } catch (e) {
      this.failed = e;
    }
  }

  handleReadyForQuery(con: unknown): void {
    const self = this as unknown as { _canceledDueToError: unknown; _result: { rows: unknown[] } };
    if (this.failed !== undefined && !self._canceledDueToError) self._canceledDueToError = this.failed;
    self._result.rows = this.out;
    (pg.Query.prototype as unknown as { handleReadyForQuery(con: unknown): void }).handleReadyForQuery.call(this, con);
  }
}

interface Queryable {
  query(q: pg.Submittable): unknown;
}

/** Runs a named statement on the pool (pg.Pool) and gives its rows. */
export function queryRows(pool: Queryable, config: { name: string; text: string; values: unknown[] }): Promise<{ rows: Record<string, unknown>[] }> {
  return pool.query(new RowsQuery(config) as unknown as pg.Submittable) as Promise<{ rows: Record<string, unknown>[] }>;
}
