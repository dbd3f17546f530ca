/**
 * User import files (CreateUserImportJob / StartUserImportJob): the CSV header a pool expects
 * (GetCSVHeader), and a streaming reader that turns each data row of an uploaded file into a user
 * to create or a reason the row failed. See shared/reference/cognito-behaviour.md §4.
 *
 * The format: UTF-8 without BOM; the first line is the header, naming every column of
 * csvHeader(pool) in any order; lines end in \n or \r\n; no quoting (a `"` is an ordinary
 * character); a comma inside a value is written `\,`; values are trimmed; a row is at most 16,000
 * characters; at most 500,000 data rows.
 *
 * What fails the whole file (ImportFileError, the job's CompletionMessage) and what fails one row
 * ([FAILED] in the log, and the import goes on). §4 makes row-level anything wrong with one user
 * record and job-level a file that cannot be parsed:
 *   - file-level: a UTF-8 BOM; bytes that are not UTF-8 (the file is not text we can read, and
 *     nothing after the bad bytes can be trusted to be where the writer meant); no header line; a
 *     header that lacks a column, names one the pool does not have, or names one twice (every row
 *     would be read wrongly); more than 500,000 data rows.
 *   - row-level: a row with more or fewer values than the header has columns (the usual cause is
 *     one unescaped comma in one value: the line still parses, only that user is unusable); a row
 *     longer than 16,000 characters; every rule about the values themselves.
 * Empty lines (nothing, or only spaces) are ignored wherever they are, but they keep their line
 * numbers, so the numbers in the log are always the file's own line numbers.
 *
 * The `\,` escape. csv-parse splits fields and records (quoting off); it has no escape outside
 * quotes, so before the bytes reach it each `\,` is replaced by the two bytes 0xFF 0xFF. Those bytes
 * never occur in valid UTF-8, and every byte is checked to be valid UTF-8 before the replacement,
 * so an 0xFF in a field can only be an escaped comma: the field is turned back into text with each
 * 0xFF 0xFF pair read as ",". (A placeholder character in decoded text would not be safe: any
 * character that UTF-8 can carry can be in the file.) So csv-parse must hand back bytes, not
 * decoded text: it runs with `encoding: 'latin1'`, which maps each byte to one character
 * (U+0000-U+00FF) at full speed; a field of ASCII bytes is then already its text, and any other
 * field is turned back into its bytes and decoded as UTF-8, with the 0xFF pairs read as commas.
 * The replacement keeps the byte length, so a row's length is measured as it is in the file.
 * A backslash not followed by a comma is an ordinary character (there is no `\\`): `a\\,b` is
 * the one value `a\,b`, and a value cannot end in a backslash unless it is the last of its row.
 * The reader holds back a chunk's trailing backslash and any incomplete UTF-8 sequence until the
 * next chunk arrives, so the outcome does not depend on how the input is cut into chunks.
 */
import { Readable, pipeline } from 'node:stream';
import { isAscii, isUtf8 } from 'node:buffer';
import { parse, CsvError, type Options as CsvOptions } from 'csv-parse';
import { parse as parseSync } from 'csv-parse/sync';
import type { SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';
import { isCognitoError } from '../protocol/errors.js';
import type { PoolRecord } from '../store/types.js';
import { checkRequired, checkValues, type Attributes } from './attributes.js';
import { newUsername, usernameKey } from './users.js';

/** The most data rows a file may have (the header excluded). */
export const MAX_IMPORT_ROWS = 500_000;
/** The longest row, in characters, not counting the line ending. */
export const MAX_ROW_CHARACTERS = 16_000;

/** Standard attributes in the order GetCSVHeader lists them (sub and identities are never columns). */
const STANDARD_COLUMNS = [
  'name',
  'given_name',
  'family_name',
  'middle_name',
  'nickname',
  'preferred_username',
  'profile',
  'picture',
  'website',
  'email',
  'email_verified',
  'gender',
  'birthdate',
  'zoneinfo',
  'locale',
  'phone_number',
  'phone_number_verified',
  'address',
  'updated_at',
] as const;

const MFA_COLUMN = 'cognito:mfa_enabled';
const USERNAME_COLUMN = 'cognito:username';

/** GetCSVHeader: the columns of the pool's import file, in Cognito's order. */
export function csvHeader(pool: PoolRecord): string[] {
  const schema = pool.settings.SchemaAttributes ?? [];
  const names = new Set(schema.map((a) => a.Name));
  const standard = STANDARD_COLUMNS.filter((n) => names.has(n));
  const custom = schema.map((a) => a.Name!).filter((n) => n.startsWith('custom:'));
  return [...standard, ...custom, MFA_COLUMN, USERNAME_COLUMN];
}

/**
 * One data row's verdict. line = the 1-based line number in the file (the header is line 1).
 * `mfaEnabled` is the row's cognito:mfa_enabled (it is not an attribute, so it is not in `attributes`).
 */
export type RowOutcome =
  | {
      kind: 'user';
      line: number;
      username: string;
      usernameKey: string;
      sub: string;
      attributes: Record<string, string>;
      mfaEnabled: boolean;
      /** JSON.stringify(attributes), where the reader has made it already (imports/parse-off-thread.ts). */
      attributesJson?: string;
    }
  | { kind: 'failed'; line: number; reason: string };

/** The longest CompletionMessage Cognito returns (CompletionMessageType in the service model: 1 to 128 characters). */
export const MAX_COMPLETION_MESSAGE = 128;

/**
 * A file that cannot be imported at all (the job fails with this message as CompletionMessage, so
 * it is at most MAX_COMPLETION_MESSAGE characters: a longer one is cut).
 */
export class ImportFileError extends Error {
  constructor(message: string) {
    const chars = [...message];
    super(chars.length > MAX_COMPLETION_MESSAGE ? chars.slice(0, MAX_COMPLETION_MESSAGE - 3).join('') + '...' : message);
    this.name = 'ImportFileError';
  }
}

/** Why the pool cannot run import jobs, or undefined when it can. */
export function canImport(pool: PoolRecord): string | undefined {
  if (!pool.settings.AutoVerifiedAttributes?.length) {
    return 'The user pool has no auto-verified attributes (AutoVerifiedAttributes): users cannot be imported into it.';
  }
  return undefined;
}

/** The CloudWatch-style log line for an outcome. */
export function logLine(level: 'SUCCEEDED' | 'SKIPPED' | 'FAILED', line: number, reason?: string): string {
  const why =
    reason ?? (level === 'SUCCEEDED' ? 'The import succeeded.' : level === 'SKIPPED' ? 'The user already exists.' : 'The import failed.');
  return `[${level}] Line Number ${line} - ${why}`;
}

// ---------------------------------------------------------------------------------------------
// Per-pool plan, computed once per file.

const EMAIL = /^[^\s@]+@[^\s@]+$/; // as domain/attributes.ts and domain/users.ts
const PHONE = /^\+[0-9]{4,15}$/; // E.164, as domain/attributes.ts
const USERNAME = /^[\p{L}\p{M}\p{S}\p{N}\p{P}]+$/u; // Cognito's Username pattern: no whitespace or control characters
const DIGITS = /^[0-9]+$/;
const NUMBER = /^-?\d+(\.\d+)?$/; // as domain/attributes.ts
const NON_ASCII = /[^\x00-\x7f]/;
const BIRTHDATE = /^([0-9]{1,2})\/([0-9]{1,2})\/([0-9]{4})$/;

const enum Kind {
  Text,
  Boolean,
  Birthdate,
  UpdatedAt,
  Email,
  Phone,
}

interface Column {
  name: string;
  kind: Kind;
  /** Position in this file's rows, set once the header is read. */
  index: number;
  /** False when the value may not suit the schema: checkValues then decides, and says why. */
  fits: (value: string) => boolean;
}

interface Plan {
  pool: PoolRecord;
  header: string[];
  headerSet: Set<string>;
  attributeColumns: Column[];
  required: string[];
  mfa: 'OFF' | 'ON' | 'OPTIONAL';
  autoEmail: boolean;
  autoPhone: boolean;
  anyAuto: boolean;
  // Set from the file's header:
  width: number;
  usernameIndex: number;
  mfaIndex: number;
}

function kindOf(def: SchemaAttributeType | undefined, name: string): Kind {
  if (name === 'birthdate') return Kind.Birthdate;
  if (name === 'updated_at') return Kind.UpdatedAt;
  if (name === 'email') return Kind.Email;
  if (name === 'phone_number') return Kind.Phone;
  if (def?.AttributeDataType === 'Boolean') return Kind.Boolean;
  return Kind.Text;
}

/** Code points in a string, as `[...v].length` counts them. */
function codePoints(v: string): number {
  let n = v.length;
  for (let i = 0; i < v.length - 1; i++) {
    const c = v.charCodeAt(i);
    if (c >= 0xd800 && c < 0xdc00) {
      const d = v.charCodeAt(i + 1);
      if (d >= 0xdc00 && d < 0xe000) {
        n--;
        i++;
      }
    }
  }
  return n;
}

/**
 * The test checkValues (domain/attributes.ts) applies to a non-empty value of this attribute,
 * compiled once per file. It must never pass a value checkValues rejects; when it fails a value,
 * checkValues itself is called, so its word and its message are the ones that count.
 */
function compileFit(def: SchemaAttributeType | undefined): (value: string) => boolean {
  if (!def) return () => false;
  switch (def.AttributeDataType) {
    case 'Boolean':
      return (v) => v === 'true' || v === 'false';
    case 'Number': {
      const c = def.NumberAttributeConstraints ?? {};
      const min = c.MinValue === undefined ? -Infinity : Number(c.MinValue);
      const max = c.MaxValue === undefined ? Infinity : Number(c.MaxValue);
      return (v) => {
        if (!NUMBER.test(v)) return false;
        const n = Number(v);
        return n >= min && n <= max;
      };
    }
    case 'DateTime':
      return (v) => !Number.isNaN(Date.parse(v));
    default: {
      const c = def.StringAttributeConstraints ?? {};
      const min = c.MinLength === undefined ? 0 : Number(c.MinLength);
      const max = c.MaxLength === undefined ? Infinity : Number(c.MaxLength);
      if (Number.isNaN(min) || Number.isNaN(max)) return () => false;
      return (v) => (v.length <= max && min <= 0) || ((v.length <= max || codePoints(v) <= max) && codePoints(v) >= min);
    }
  }
}

function makePlan(pool: PoolRecord): Plan {
  const header = csvHeader(pool);
  const schema = new Map((pool.settings.SchemaAttributes ?? []).map((a) => [a.Name!, a]));
  const auto = pool.settings.AutoVerifiedAttributes ?? [];
  const mfa = pool.settings.MfaConfiguration ?? 'OFF';
  return {
    pool,
    header,
    headerSet: new Set(header),
    attributeColumns: header
      .filter((n) => n !== MFA_COLUMN && n !== USERNAME_COLUMN)
      .map((name) => ({ name, kind: kindOf(schema.get(name), name), index: -1, fits: compileFit(schema.get(name)) })),
    required: (pool.settings.SchemaAttributes ?? []).filter((a) => a.Required && a.Name !== 'sub').map((a) => a.Name!),
    mfa: mfa === 'ON' || mfa === 'OPTIONAL' ? mfa : 'OFF',
    autoEmail: auto.includes('email'),
    autoPhone: auto.includes('phone_number'),
    anyAuto: auto.length > 0,
    width: 0,
    usernameIndex: -1,
    mfaIndex: -1,
  };
}

/**
 * A header column for a message: header text comes from the file, so keep it short and printable
 * (32 characters: longer than any column name a pool has, custom:<20 characters> included).
 */
function quoteColumn(name: string): string {
  const clean = name.replace(/[\p{C}]/gu, '?');
  return `"${[...clean].length > 32 ? [...clean].slice(0, 32).join('') + '...' : clean}"`;
}

/**
 * A header error naming as many of the columns as fit in a CompletionMessage (the others counted:
 * `"a", "b" and 7 more`). The first one always fits (at most 37 characters quoted).
 */
function headerError(before: string, names: string[], after: string): ImportFileError {
  for (let n = names.length; n > 1; n--) {
    const message = `${before}${names.slice(0, n).map(quoteColumn).join(', ')}${n < names.length ? ` and ${names.length - n} more` : ''}${after}`;
    if ([...message].length <= MAX_COMPLETION_MESSAGE) return new ImportFileError(message);
  }
  return new ImportFileError(`${before}${quoteColumn(names[0]!)}${names.length > 1 ? ` and ${names.length - 1} more` : ''}${after}`);
}

/** Reads the header row into the plan, or throws ImportFileError. */
function bindHeader(plan: Plan, record: string[]): void {
  const names = record.map((b) => fieldText(b, false));
  if (names.length === 1 && names[0] === '') {
    throw new ImportFileError('The first line of the CSV file is empty: it must be the header row (see GetCSVHeader).');
  }
  const seen = new Map<string, number>();
  const duplicates: string[] = [];
  const unknown: string[] = [];
  names.forEach((n, i) => {
    if (seen.has(n)) {
      if (!duplicates.includes(n)) duplicates.push(n);
    } else seen.set(n, i);
    if (!plan.headerSet.has(n)) unknown.push(n);
  });
  if (unknown.length === names.length) {
    // Nothing in the first line is a column name: most likely the header row is missing and this is a
    // user, whose values must not end up in the job's message.
    throw new ImportFileError(
      'The first line of the CSV file is not the header row: it names none of the columns of the user pool (see GetCSVHeader).',
    );
  }
  if (duplicates.length === 1) throw headerError('The CSV header names the column ', duplicates, ' more than once.');
  if (duplicates.length) throw headerError('The CSV header names columns more than once: ', duplicates, '.');
  if (unknown.length) {
    throw headerError(`The CSV header has ${unknown.length === 1 ? 'a column' : 'columns'} that the user pool does not have: `, unknown, '.');
  }
  const missing = plan.header.filter((n) => !seen.has(n));
  if (missing.length) {
    throw headerError(`The CSV header lacks ${missing.length === 1 ? 'the column' : 'the columns'} `, missing, '; every column of GetCSVHeader must be present.');
  }
  plan.width = names.length;
  plan.usernameIndex = seen.get(USERNAME_COLUMN)!;
  plan.mfaIndex = seen.get(MFA_COLUMN)!;
  for (const c of plan.attributeColumns) c.index = seen.get(c.name)!;
}

// ---------------------------------------------------------------------------------------------
// Fields: bytes from csv-parse to trimmed text, with 0xFF 0xFF read back as an escaped comma.

const ESCAPED = 0xff;

/**
 * A field's text, trimmed. csv-parse gives each byte as one character (latin1); `plain` says every
 * byte of the file so far has been ASCII (and no `\,` seen), so the field is its own text.
 */
function fieldText(raw: string, plain: boolean): string {
  if (raw === '') return raw;
  if (!plain && NON_ASCII.test(raw)) return decodeField(raw).trim();
  return raw.trim();
}

function decodeField(raw: string): string {
  const b = Buffer.from(raw, 'latin1');
  if (b.indexOf(ESCAPED) === -1) return b.toString('utf8');
  let j = 0;
  for (let i = 0; i < b.length; i++, j++) {
    if (b[i] === ESCAPED) {
      b[j] = 0x2c;
      i++; // the pair's second byte
    } else b[j] = b[i]!;
  }
  return b.toString('utf8', 0, j);
}

/** Characters (code points) in a row of latin1 fields joined by commas: bytes that do not continue a character. */
function rowCharacters(record: string[]): number {
  let n = record.length - 1;
  for (const f of record) {
    for (let i = 0; i < f.length; i++) if ((f.charCodeAt(i) & 0xc0) !== 0x80) n++;
  }
  return n;
}

/** Lines read between two yields to the event loop (a few milliseconds of work). */
const YIELD_EVERY_LINES = 1_000;

/** Lines longer than this many bytes are surely too long (4 bytes per character at most); the rest is dropped unread. */
const LINE_BYTE_CAP = (MAX_ROW_CHARACTERS + 1) * 4;

// ---------------------------------------------------------------------------------------------
// Rows.

/** A failed row; the reason is one log line's text (Cognito's schema error ends with a newline, the log line does not). */
const failed = (line: number, reason: string): RowOutcome => ({ kind: 'failed', line, reason: reason.trimEnd() });

const AUTO_VERIFIED_MESSAGE = 'The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).';

function daysInMonth(year: number, month: number): number {
  if (month === 2) return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0 ? 29 : 28;
  return month === 4 || month === 6 || month === 9 || month === 11 ? 30 : 31;
}

/** mm/dd/yyyy (one-digit month and day accepted) → YYYY-MM-DD, or undefined if not a real date. */
function birthdate(s: string): string | undefined {
  const m = BIRTHDATE.exec(s);
  if (!m) return undefined;
  const month = Number(m[1]);
  const day = Number(m[2]);
  const year = Number(m[3]);
  if (year < 1 || month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return undefined;
  return `${m[3]}-${m[1]!.padStart(2, '0')}-${m[2]!.padStart(2, '0')}`;
}

function lowerBoolean(s: string): string | undefined {
  if (s === 'true' || s === 'false') return s;
  const l = s.toLowerCase();
  return l === 'true' || l === 'false' ? l : undefined;
}

function readRow(plan: Plan, record: string[], line: number, plain: boolean): RowOutcome {
  // Length first: it is the one thing to say about a row that is too long, whatever its columns.
  let bytes = record.length - 1;
  for (const b of record) bytes += b.length;
  if (bytes > MAX_ROW_CHARACTERS && (bytes >= LINE_BYTE_CAP || rowCharacters(record) > MAX_ROW_CHARACTERS)) {
    return failed(line, `The row is longer than ${MAX_ROW_CHARACTERS.toLocaleString('en-US')} characters.`);
  }
  if (record.length !== plan.width) {
    return failed(
      line,
      `The row has ${record.length} values but the header has ${plan.width} columns. Write a comma inside a value as \\, (backslash comma).`,
    );
  }

  const given = fieldText(record[plan.usernameIndex]!, plain);
  if (given === '') return failed(line, 'cognito:username is required.');
  if (!USERNAME.test(given)) return failed(line, 'cognito:username may contain only letters, marks, numbers, symbols and punctuation: no spaces, tabs or control characters.');
  if (given.length > 128 && [...given].length > 128) return failed(line, 'cognito:username must be at most 128 characters long.');

  const mfaText = fieldText(record[plan.mfaIndex]!, plain);
  if (mfaText === '') return failed(line, 'cognito:mfa_enabled is required: set it to true or false.');
  const mfa = lowerBoolean(mfaText);
  if (mfa === undefined) return failed(line, 'cognito:mfa_enabled must be true or false.');
  if (plan.mfa === 'OFF' && mfa === 'true') return failed(line, 'cognito:mfa_enabled must be false: MFA is off in this user pool.');
  if (plan.mfa === 'ON' && mfa === 'false') return failed(line, 'cognito:mfa_enabled must be true: MFA is required in this user pool.');

  let attrs: Attributes = {};
  let fits = true;
  for (const c of plan.attributeColumns) {
    let v = fieldText(record[c.index]!, plain);
    if (v === '') continue;
    switch (c.kind) {
      case Kind.Boolean: {
        const b = lowerBoolean(v);
        if (b === undefined) return failed(line, `${c.name} must be true or false.`);
        v = b;
        break;
      }
      case Kind.Birthdate: {
        const d = birthdate(v);
        if (d === undefined) return failed(line, 'birthdate must be a date written mm/dd/yyyy.');
        v = d;
        break;
      }
      case Kind.UpdatedAt:
        if (!DIGITS.test(v)) return failed(line, 'updated_at must be a time in seconds since 1970-01-01 00:00 UTC (digits only).');
        break;
      case Kind.Email:
        if (!EMAIL.test(v)) return failed(line, 'Invalid email address format.');
        break;
      case Kind.Phone:
        if (!PHONE.test(v)) {
          return failed(line, 'Invalid phone number format: phone_number must be in E.164 format, a + and digits (for example +12345550100).');
        }
        break;
    }
    if (fits && !c.fits(v)) fits = false;
    attrs[c.name] = v;
  }

  if (plan.anyAuto && !((plan.autoEmail && attrs.email_verified === 'true') || (plan.autoPhone && attrs.phone_number_verified === 'true'))) {
    return failed(line, AUTO_VERIFIED_MESSAGE);
  }

  let created: { username: string; sub: string; attrs: Attributes };
  try {
    created = newUsername(plan.pool, given, attrs);
  } catch (e) {
    if (isCognitoError(e)) return failed(line, e.message);
    throw e;
  }
  attrs = created.attrs;

  if (attrs.email_verified === 'true' && !attrs.email) return failed(line, 'email is required when email_verified is true.');
  if (attrs.phone_number_verified === 'true' && !attrs.phone_number) {
    return failed(line, 'phone_number is required when phone_number_verified is true.');
  }
  if (plan.required.some((name) => !attrs[name])) {
    try {
      checkRequired(attrs, plan.pool.settings);
    } catch (e) {
      if (isCognitoError(e)) return failed(line, e.message);
      throw e;
    }
  }
  // checkValues only when a value may not fit (the attribute newUsername may add was checked by it).
  if (!fits) {
    try {
      checkValues(attrs, plan.pool.settings);
    } catch (e) {
      if (isCognitoError(e)) return failed(line, e.message);
      throw e;
    }
  }
  return {
    kind: 'user',
    line,
    username: created.username,
    usernameKey: usernameKey(plan.pool, created.username),
    sub: created.sub,
    attributes: attrs,
    mfaEnabled: mfa === 'true',
  };
}

// ---------------------------------------------------------------------------------------------
// Bytes before csv-parse: BOM, UTF-8 check, `\,`, over-long lines.

const BOM = [0xef, 0xbb, 0xbf];

/** Where the last complete UTF-8 character of buf ends (a trailing incomplete sequence is held back). */
function completeEnd(buf: Buffer): number {
  const len = buf.length;
  let i = len - 1;
  let k = 0;
  while (i >= 0 && k < 3 && (buf[i]! & 0xc0) === 0x80) {
    i--;
    k++;
  }
  if (i < 0) return len;
  const b = buf[i]!;
  const need = b >= 0xf0 ? 4 : b >= 0xe0 ? 3 : b >= 0xc0 ? 2 : 1;
  return len - i < need ? i : len;
}

/** The offset of the first byte that is not part of valid UTF-8 (only called once isUtf8 said no). */
function firstInvalid(buf: Buffer): number {
  for (let i = 0; i < buf.length; ) {
    const b = buf[i]!;
    const n = b < 0x80 ? 1 : b >= 0xc2 && b < 0xe0 ? 2 : b >= 0xe0 && b < 0xf0 ? 3 : b >= 0xf0 && b < 0xf5 ? 4 : 0;
    if (n === 0 || i + n > buf.length) return i;
    if (!isUtf8(buf.subarray(i, i + n))) return i;
    i += n;
  }
  return buf.length;
}

/**
 * A processed chunk in pieces of at most 16 KiB (about 130 rows): csv-parse parses all it is given
 * at once, and a 1 MiB chunk (about 8,000 rows) would keep other work waiting for a while. Cutting anywhere is
 * safe: csv-parse reads one character per byte and joins records across pieces.
 */
function* pieces(buf: Buffer): Generator<Buffer> {
  for (let i = 0; i < buf.length; i += PIECE_BYTES) yield buf.subarray(i, i + PIECE_BYTES);
}
const PIECE_BYTES = 16 * 1024;

/** csv-parse as the import format wants it (see the top of this module). */
const CSV_OPTIONS: CsvOptions = {
  delimiter: ',',
  quote: false,
  record_delimiter: [Buffer.from('\r\n'), Buffer.from('\n')],
  relax_column_count: true,
  skip_empty_lines: false,
  encoding: 'latin1',
  bom: false,
};

class Prepare {
  /**
   * True while every byte so far was ASCII and no `\,` was seen: fields are then their own text. It
   * only ever turns false, and a chunk is processed before the parser sees it, so it is right (or
   * merely cautious) for every record read.
   */
  plain = true;
  /** The file-level error this stage raised, if any (the stream machinery may wrap or replace it). */
  error: ImportFileError | undefined;
  private line = 1;
  private lineBytes = 0;

  /** Lines seen so far (line breaks + 1): at least the records the parser will find. */
  get lines(): number {
    return this.line;
  }

  /**
   * Once the whole file has been through: the most data rows it can have, its lines but the header
   * and a last line with nothing on it (a file that ends with its line break: no row there).
   */
  get rowsAtMost(): number {
    return this.line - 1 - (this.lineBytes === 0 ? 1 : 0);
  }

  async *run(input: AsyncIterable<Buffer | string | Uint8Array>): AsyncGenerator<Buffer> {
    try {
      let held: Buffer | undefined;
      let start = true;
      for await (const chunk of input) {
        let buf = typeof chunk === 'string' ? Buffer.from(chunk, 'utf8') : Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk);
        if (held) {
          buf = Buffer.concat([held, buf]);
          held = undefined;
        }
        if (start) {
          if (buf.length < BOM.length && BOM.slice(0, buf.length).every((b, i) => buf[i] === b)) {
            held = buf.length ? Buffer.from(buf) : undefined;
            continue;
          }
          this.checkBom(buf);
          start = false;
        }
        let end = completeEnd(buf);
        if (end > 0 && buf[end - 1] === 0x5c) end--;
        if (end < buf.length) {
          held = Buffer.from(buf.subarray(end));
          buf = buf.subarray(0, end);
        }
        if (buf.length) yield* pieces(this.process(buf));
      }
      if (start && held) this.checkBom(held);
      if (held?.length) yield* pieces(this.process(held));
    } catch (e) {
      if (e instanceof ImportFileError) this.error = e;
      throw e;
    }
  }

  private checkBom(buf: Buffer): void {
    if (buf.length >= 3 && buf[0] === BOM[0] && buf[1] === BOM[1] && buf[2] === BOM[2]) {
      throw new ImportFileError('The CSV file begins with a byte order mark (BOM): save it as UTF-8 without BOM.');
    }
  }

  private process(buf: Buffer): Buffer {
    if (this.plain && !isAscii(buf)) this.plain = false;
    if (!this.plain && !isUtf8(buf)) {
      const bad = firstInvalid(buf);
      let line = this.line;
      for (let p = buf.indexOf(10); p !== -1 && p < bad; p = buf.indexOf(10, p + 1)) line++;
      throw new ImportFileError(`The CSV file is not valid UTF-8 text: line ${line} has bytes that are not UTF-8.`);
    }
    // `\,` → 0xFF 0xFF (copy on first write: the chunk may be the caller's buffer).
    let out = buf;
    for (let p = buf.indexOf(0x5c); p !== -1 && p + 1 < buf.length; p = buf.indexOf(0x5c, p + 1)) {
      if (buf[p + 1] !== 0x2c) continue;
      if (out === buf) out = Buffer.from(buf);
      this.plain = false;
      out[p] = ESCAPED;
      out[p + 1] = ESCAPED;
      p++;
    }
    // Count lines, and drop whatever of a line goes past LINE_BYTE_CAP: such a row fails on its length
    // anyway, and this keeps one huge line from being held in memory.
    let pieces: Buffer[] | undefined;
    let from = 0;
    let pos = 0;
    for (;;) {
      const nl = out.indexOf(10, pos);
      const segEnd = nl === -1 ? out.length : nl;
      const segLen = segEnd - pos;
      if (this.lineBytes + segLen > LINE_BYTE_CAP) {
        const keep = Math.max(0, LINE_BYTE_CAP - this.lineBytes);
        (pieces ??= []).push(out.subarray(from, pos + keep));
        from = segEnd;
      }
      this.lineBytes += segLen;
      if (nl === -1) break;
      this.line++;
      this.lineBytes = 0;
      pos = nl + 1;
    }
    if (pieces) {
      pieces.push(out.subarray(from));
      out = Buffer.concat(pieces);
    }
    return out;
  }
}

// ---------------------------------------------------------------------------------------------
// The reader.

function isEmptyLine(record: string[], plain: boolean): boolean {
  return record.length === 1 && fieldText(record[0]!, plain) === '';
}

async function* read(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  pool: PoolRecord,
  skipLines: number,
  counter: { rows: number },
): AsyncGenerator<RowOutcome> {
  const plan = makePlan(pool);
  const prepare = new Prepare();
  const parser = parse(CSV_OPTIONS);
  const source = Readable.from(prepare.run(input as AsyncIterable<Buffer | string | Uint8Array>));
  pipeline(source, parser, () => {
    /* errors reach the loop below through the parser */
  });
  // Records are read synchronously while the parser has them, and the loop only waits when it is
  // empty: the stream's own async iterator would cost a few promises per record.
  let ended = false;
  let closed = false;
  let failure: unknown;
  let signalled = false;
  let wake: (() => void) | undefined;
  const signal = () => {
    signalled = true;
    wake?.();
  };
  parser.on('readable', signal);
  parser.on('end', () => {
    ended = true;
    signal();
  });
  parser.on('close', () => {
    closed = true;
    signal();
  });
  parser.on('error', (e) => {
    failure ??= e;
    signal();
  });
  let line = 0;
  let headerRead = false;
  try {
    for (;;) {
      signalled = false;
      let record: string[] | null;
      while ((record = parser.read() as string[] | null) !== null) {
        line++;
        // Records are read synchronously while the parser has them: let other work (API requests)
        // run now and then, or a whole file would be read in one go.
        if (line % YIELD_EVERY_LINES === 0) await new Promise<void>((resolve) => setImmediate(resolve));
        if (!headerRead) {
          bindHeader(plan, record);
          headerRead = true;
          continue;
        }
        if (isEmptyLine(record, prepare.plain)) continue;
        if (++counter.rows > MAX_IMPORT_ROWS) {
          throw new ImportFileError(
            `The CSV file has more than ${MAX_IMPORT_ROWS.toLocaleString('en-US')} users: split it into files of at most ${MAX_IMPORT_ROWS.toLocaleString('en-US')}.`,
          );
        }
        if (line <= skipLines) continue;
        yield readRow(plan, record, line, prepare.plain);
      }
      if (failure !== undefined) throw failure;
      if (ended) break;
      if (closed) throw new Error('The CSV parser stopped before the end of the file.');
      if (!signalled) await new Promise<void>((resolve) => (wake = resolve));
      wake = undefined;
    }
  } catch (e) {
    if (prepare.error) throw prepare.error;
    if (e instanceof CsvError) throw new ImportFileError(`The CSV file could not be parsed (${e.code}).`);
    throw e;
  } finally {
    parser.destroy();
    source.destroy();
  }
  if (prepare.error) throw prepare.error;
  if (!headerRead) throw new ImportFileError('The CSV file is empty: it must begin with the header row (see GetCSVHeader).');
}

/**
 * Reads the import file as a stream, yielding one outcome per data row, in order, never holding the
 * whole file in memory. `skipLines`: data rows whose line number is <= this are parsed (to keep line
 * numbers right and count rows) but not checked or yielded (resuming a job).
 *
 * Throws ImportFileError for the file-level problems listed at the top of this module. The header and
 * the BOM are checked before the first row is yielded; the row limit and invalid UTF-8 are only found
 * when the reader gets there, after earlier rows have been yielded: scanImportFile finds every
 * file-level problem first without checking rows.
 */
export function readImportFile(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  pool: PoolRecord,
  opts: { skipLines?: number } = {},
): AsyncGenerator<RowOutcome> {
  return read(input, pool, opts.skipLines ?? 0, { rows: 0 });
}

/**
 * Reads the whole file without checking its rows: resolves to the number of data rows, or rejects with
 * the ImportFileError the import would end with. Use it before importing anything, so that a file that
 * would fail does not leave half its users imported.
 */
export async function scanImportFile(input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream, pool: PoolRecord): Promise<number> {
  const counter = { rows: 0 };
  for await (const _ of read(input, pool, Infinity, counter)) {
    // nothing is yielded when every line is skipped
  }
  return counter.rows;
}

/**
 * Finds the file-level problems that would fail the import (the ImportFileError scanImportFile
 * rejects with) without parsing every row: every byte goes through the same checks (BOM, UTF-8),
 * the header line is parsed and checked, and line breaks are counted. Only a file with more lines
 * than the row limit allows (it may still have few enough rows, if some lines are empty; a last
 * line with nothing on it is not counted) is read through by scanImportFile. `open` gives the file from its start (read a second time then).
 */
export async function checkImportFile(open: () => AsyncIterable<Buffer | string>, pool: PoolRecord): Promise<void> {
  const plan = makePlan(pool);
  const prepare = new Prepare();
  const bindHead = (bytes: Buffer) => bindHeader(plan, (parseSync(bytes, CSV_OPTIONS) as string[][])[0] ?? ['']);
  let head: Buffer[] | undefined = [];
  let yielded = performance.now();
  for await (const buf of prepare.run(open())) {
    if (head) {
      const nl = buf.indexOf(10);
      head.push(nl === -1 ? buf : buf.subarray(0, nl + 1));
      if (nl !== -1) {
        bindHead(Buffer.concat(head));
        head = undefined;
      }
    }
    // Let other work (API requests) run every few milliseconds. (After every 16 KiB piece, it was
    // 2,900 yields for a file of 500,000 users, about 1.2 s with a request answered at each, against
    // 0.1 s of work.)
    if (performance.now() - yielded >= 4) {
      await new Promise<void>((resolve) => setImmediate(resolve));
      yielded = performance.now();
    }
  }
  if (head) {
    const bytes = Buffer.concat(head);
    if (bytes.length === 0) throw new ImportFileError('The CSV file is empty: it must begin with the header row (see GetCSVHeader).');
    bindHead(bytes);
  }
  // (Counted without the last line when the file ends with a line break: a file of exactly
  // 500,000 rows so ended was read through by scanImportFile, on the event loop, 4-5 s.)
  if (prepare.rowsAtMost > MAX_IMPORT_ROWS) await scanImportFile(open(), pool);
}
