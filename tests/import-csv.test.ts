/** User import files: GetCSVHeader's columns, and reading an import CSV row by row (domain/import-csv.ts). */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { Readable } from 'node:stream';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { CreateUserPoolRequest } from '@aws-sdk/client-cognito-identity-provider';
import { createPoolSettings } from '../src/domain/pool-settings.js';
import { checkValues } from '../src/domain/attributes.js';
import { isCognitoError } from '../src/protocol/errors.js';
import {
  checkImportFile,
  ImportFileError,
  MAX_IMPORT_ROWS,
  canImport,
  csvHeader,
  logLine,
  readImportFile,
  scanImportFile,
  type RowOutcome,
} from '../src/domain/import-csv.js';
import type { PoolRecord } from '../src/store/types.js';
import { readImportFileOffThread } from '../src/imports/parse-off-thread.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const AUTO_VERIFIED = 'The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).';

function makePool(input: Partial<CreateUserPoolRequest> = {}): PoolRecord {
  const settings = createPoolSettings({ PoolName: 'p', AutoVerifiedAttributes: ['email'], ...input });
  return { id: 'us-east-1_Test1234', region: 'us-east-1', name: 'p', createdAt: 0, updatedAt: 0, tags: {}, settings };
}

type Row = Record<string, string>;

/** A file in the pool's header order (or `header`), one line per row. */
function csv(pool: PoolRecord, rows: Row[], opts: { header?: string[]; eol?: string } = {}): string {
  const header = opts.header ?? csvHeader(pool);
  const eol = opts.eol ?? '\n';
  return [header.join(','), ...rows.map((r) => header.map((h) => r[h] ?? '').join(','))].join(eol) + eol;
}

const user = (over: Row = {}): Row => ({
  'cognito:username': 'alice',
  'cognito:mfa_enabled': 'false',
  email: 'alice@example.com',
  email_verified: 'true',
  ...over,
});

async function* chunks(...parts: (string | Buffer)[]): AsyncGenerator<Buffer | string> {
  for (const p of parts) yield p;
}

async function collect(
  input: AsyncIterable<Buffer | string> | NodeJS.ReadableStream,
  pool: PoolRecord,
  opts?: { skipLines?: number },
): Promise<RowOutcome[]> {
  const out: RowOutcome[] = [];
  for await (const o of readImportFile(input, pool, opts)) out.push(o);
  return out;
}

/** The ImportFileError reading the file ends with; checkImportFile must find the same one. */
async function fileError(input: AsyncIterable<Buffer | string>, pool: PoolRecord): Promise<string> {
  const parts: (Buffer | string)[] = [];
  for await (const p of input) parts.push(p);
  async function* replay() {
    yield* parts;
  }
  let message: string | undefined;
  try {
    await collect(replay(), pool);
  } catch (e) {
    assert.ok(e instanceof ImportFileError, `an ImportFileError, got ${String(e)}`);
    message = e.message;
  }
  if (message === undefined) assert.fail('expected an ImportFileError');
  await assert.rejects(checkImportFile(replay, pool), (e) => e instanceof ImportFileError && e.message === message, `checkImportFile: ${message}`);
  return message;
}

/** The one outcome of a file holding just this row; failures must not repeat the row's values. */
async function one(pool: PoolRecord, row: Row): Promise<RowOutcome> {
  const outcomes = await collect(chunks(csv(pool, [row])), pool);
  assert.equal(outcomes.length, 1);
  const o = outcomes[0]!;
  assert.equal(o.line, 2);
  if (o.kind === 'failed') {
    for (const [k, v] of Object.entries(row)) {
      if (v.length >= 4 && !['true', 'false', 'TRUE', 'FALSE'].includes(v)) assert.ok(!o.reason.includes(v), `reason repeats the value of ${k}: ${o.reason}`);
    }
  }
  return o;
}

async function failure(pool: PoolRecord, row: Row): Promise<string> {
  const o = await one(pool, row);
  assert.equal(o.kind, 'failed', `expected a failed row, got ${JSON.stringify(o)}`);
  return (o as { reason: string }).reason;
}

async function success(pool: PoolRecord, row: Row) {
  const o = await one(pool, row);
  assert.equal(o.kind, 'user', `expected a user, got ${JSON.stringify(o)}`);
  return o as Extract<RowOutcome, { kind: 'user' }>;
}

/** Outcomes without the random sub, to compare two readings of one file. */
const stable = (os: RowOutcome[]) => os.map((o) => (o.kind === 'user' ? { ...o, sub: 'x', ...(o.username === o.sub ? { username: 'x', usernameKey: 'x' } : {}) } : o));

/** The throughput file in 64 KiB pieces; self-contained, as its source also runs in a child process. */
function throughputFile(pool: PoolRecord, user: (over: Record<string, string>) => Record<string, string>, n: number): Buffer[] {
  const header = csvHeader(pool);
  const parts: Buffer[] = [Buffer.from(header.join(',') + '\n')];
  let block: string[] = [];
  for (let i = 0; i < n; i++) {
    const r = user({
      'cognito:username': `user${i}`,
      email: `user${i}@example.com`,
      name: `User ${i}`,
      given_name: 'Test',
      family_name: `Number\\, ${i}`,
      phone_number: `+1555${String(i).padStart(7, '0')}`,
      phone_number_verified: 'FALSE',
      birthdate: '01/15/1990',
      updated_at: '1700000000',
      'custom:tenant': 'acme',
    });
    block.push(header.map((h) => r[h] ?? '').join(','));
    if (block.length === 500 || i === n - 1) {
      parts.push(Buffer.from(block.join('\n') + '\n'));
      block = [];
    }
  }
  const all = Buffer.concat(parts);
  const pieces: Buffer[] = [];
  for (let i = 0; i < all.length; i += 65536) pieces.push(all.subarray(i, i + 65536));
  return pieces;
}

const DEFAULT_HEADER = [
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
  'cognito:mfa_enabled',
  'cognito:username',
];

describe('import CSV', () => {
  describe('csvHeader (GetCSVHeader)', () => {
    it('lists the standard attributes without sub, then cognito:mfa_enabled and cognito:username', () => {
      assert.deepEqual(csvHeader(makePool()), DEFAULT_HEADER);
    });

    it('adds the custom attributes, in schema order, before the cognito: columns', () => {
      const pool = makePool({
        Schema: [
          { Name: 'tenant', AttributeDataType: 'String' },
          { Name: 'age', AttributeDataType: 'Number' },
          { Name: 'secret', AttributeDataType: 'String', DeveloperOnlyAttribute: true },
        ],
      });
      assert.deepEqual(csvHeader(pool), [...DEFAULT_HEADER.slice(0, -2), 'custom:tenant', 'custom:age', 'cognito:mfa_enabled', 'cognito:username']);
    });

    it('is the same for a pool with a required attribute (required is about values, not columns)', () => {
      assert.deepEqual(csvHeader(makePool({ Schema: [{ Name: 'name', Required: true }] })), DEFAULT_HEADER);
    });
  });

  describe('logLine and canImport', () => {
    it('formats log lines as Cognito does', () => {
      assert.equal(logLine('SUCCEEDED', 5), '[SUCCEEDED] Line Number 5 - The import succeeded.');
      assert.equal(logLine('SKIPPED', 7), '[SKIPPED] Line Number 7 - The user already exists.');
      assert.equal(logLine('FAILED', 9, AUTO_VERIFIED), `[FAILED] Line Number 9 - ${AUTO_VERIFIED}`);
    });

    it('refuses pools without auto-verified attributes', () => {
      assert.equal(canImport(makePool()), undefined);
      assert.match(canImport(makePool({ AutoVerifiedAttributes: [] })) ?? '', /auto-verified/);
      const { AutoVerifiedAttributes: _, ...settings } = makePool().settings;
      assert.ok(canImport({ ...makePool(), settings }));
    });
  });

  describe('a good file', () => {
    it('yields a user per row with trimmed, normalised attributes and the file line numbers', async () => {
      const pool = makePool({ Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] });
      const text = csv(pool, [
        user({ name: '  Alice Liddell ', birthdate: '05/04/1990', updated_at: '1700000000', 'custom:tenant': 'acme' }),
        user({ 'cognito:username': 'Bob', email: 'bob@example.com', email_verified: 'TRUE', 'cognito:mfa_enabled': 'FALSE', phone_number: '+12345550100', phone_number_verified: 'False' }),
        user({ 'cognito:username': 'carol', email: 'carol@example.com', locale: 'fr' }),
      ]);
      const out = await collect(chunks(text), pool);
      assert.equal(out.length, 3);
      assert.deepEqual(
        out.map((o) => o.line),
        [2, 3, 4],
      );
      const [a, b, c] = out as Extract<RowOutcome, { kind: 'user' }>[];
      assert.equal(a!.kind, 'user');
      assert.equal(a!.username, 'alice');
      assert.equal(a!.usernameKey, 'alice');
      assert.match(a!.sub, UUID);
      assert.equal(a!.mfaEnabled, false);
      assert.deepEqual(a!.attributes, {
        name: 'Alice Liddell',
        email: 'alice@example.com',
        email_verified: 'true',
        birthdate: '1990-05-04',
        updated_at: '1700000000',
        'custom:tenant': 'acme',
      });
      assert.equal(b!.username, 'Bob');
      assert.equal(b!.usernameKey, 'Bob');
      assert.deepEqual(b!.attributes, {
        email: 'bob@example.com',
        email_verified: 'true',
        phone_number: '+12345550100',
        phone_number_verified: 'false',
      });
      assert.deepEqual(c!.attributes, { email: 'carol@example.com', email_verified: 'true', locale: 'fr' });
      assert.notEqual(a!.sub, b!.sub);
    });

    it('accepts the columns in any order', async () => {
      const pool = makePool();
      const header = [...csvHeader(pool)].reverse();
      const out = await collect(chunks(csv(pool, [user({ nickname: 'al' })], { header })), pool);
      assert.equal(out[0]!.kind, 'user');
      assert.deepEqual((out[0] as { attributes: Row }).attributes, { nickname: 'al', email: 'alice@example.com', email_verified: 'true' });
    });

    it('reads a Node stream', async () => {
      const pool = makePool();
      const text = csv(pool, [user(), user({ 'cognito:username': 'bob' })]);
      const out = await collect(Readable.from([Buffer.from(text.slice(0, 100)), Buffer.from(text.slice(100))]), pool);
      assert.deepEqual(
        out.map((o) => o.kind),
        ['user', 'user'],
      );
    });

    it('lower-cases the username key in case-insensitive pools', async () => {
      const u = await success(makePool({ UsernameConfiguration: { CaseSensitive: false } }), user({ 'cognito:username': 'Alice' }));
      assert.equal(u.username, 'Alice');
      assert.equal(u.usernameKey, 'alice');
    });

    it('yields nothing for a file with only the header', async () => {
      const pool = makePool();
      assert.deepEqual(await collect(chunks(csvHeader(pool).join(',') + '\n'), pool), []);
      assert.deepEqual(await collect(chunks(csvHeader(pool).join(',')), pool), []);
    });
  });

  describe('row rules', () => {
    const pool = makePool();

    it('cognito:username is required and has no whitespace', async () => {
      assert.equal(await failure(pool, user({ 'cognito:username': '' })), 'cognito:username is required.');
      assert.equal(await failure(pool, user({ 'cognito:username': '   ' })), 'cognito:username is required.');
      assert.match(await failure(pool, user({ 'cognito:username': 'alice smith' })), /cognito:username may contain only letters, marks, numbers, symbols and punctuation: no spaces/);
      assert.match(await failure(pool, user({ 'cognito:username': 'alice\tsmith' })), /cognito:username may contain only letters, marks, numbers, symbols and punctuation: no spaces/);
      assert.match(await failure(pool, user({ 'cognito:username': 'a'.repeat(129) })), /at most 128/);
      assert.equal((await success(pool, user({ 'cognito:username': 'ünïcødé_ユーザー' }))).username, 'ünïcødé_ユーザー');
    });

    it('in pools where email is the username, cognito:username must be an email and becomes the email attribute', async () => {
      const emailPool = makePool({ UsernameAttributes: ['email'] });
      assert.equal(await failure(emailPool, user({ 'cognito:username': 'alice', email: '' })), 'Username should be an email.');
      const u = await success(emailPool, user({ 'cognito:username': 'alice@example.com', email: '' }));
      assert.match(u.username, UUID);
      assert.equal(u.username, u.sub);
      assert.equal(u.usernameKey, u.sub);
      assert.equal(u.attributes.email, 'alice@example.com');
      assert.equal(
        await failure(emailPool, user({ 'cognito:username': 'alice@example.com', email: 'other@example.com' })),
        'The email attribute must be the same as the username given.',
      );
      const phonePool = makePool({ UsernameAttributes: ['phone_number'], AutoVerifiedAttributes: ['phone_number'] });
      const p = await success(phonePool, { 'cognito:username': '+12345550100', 'cognito:mfa_enabled': 'false', phone_number_verified: 'true' });
      assert.equal(p.attributes.phone_number, '+12345550100');
      assert.equal(await failure(phonePool, { 'cognito:username': 'bob', 'cognito:mfa_enabled': 'false', phone_number_verified: 'true' }), 'Username should be a phone number.');
    });

    it('in pools with an email alias, cognito:username cannot look like an email', async () => {
      const aliasPool = makePool({ AliasAttributes: ['email'] });
      assert.match(await failure(aliasPool, user({ 'cognito:username': 'bob@example.com' })), /Username cannot be of email format/);
    });

    it('cognito:mfa_enabled is required, true or false, and must agree with the pool MFA setting', async () => {
      assert.equal(await failure(pool, user({ 'cognito:mfa_enabled': '' })), 'cognito:mfa_enabled is required: set it to true or false.');
      assert.equal(await failure(pool, user({ 'cognito:mfa_enabled': 'yes' })), 'cognito:mfa_enabled must be true or false.');
      assert.equal(await failure(pool, user({ 'cognito:mfa_enabled': 'TRUE' })), 'cognito:mfa_enabled must be false: MFA is off in this user pool.');
      const on = makePool({ MfaConfiguration: 'ON' });
      assert.equal(await failure(on, user({ 'cognito:mfa_enabled': 'false' })), 'cognito:mfa_enabled must be true: MFA is required in this user pool.');
      assert.equal((await success(on, user({ 'cognito:mfa_enabled': 'True' }))).mfaEnabled, true);
      const optional = makePool({ MfaConfiguration: 'OPTIONAL' });
      assert.equal((await success(optional, user({ 'cognito:mfa_enabled': 'true' }))).mfaEnabled, true);
      assert.equal((await success(optional, user({ 'cognito:mfa_enabled': 'false' }))).mfaEnabled, false);
    });

    it('email_verified and phone_number_verified are empty, true or false', async () => {
      assert.equal(await failure(pool, user({ email_verified: 'yes' })), 'email_verified must be true or false.');
      assert.equal(await failure(pool, user({ phone_number_verified: '1' })), 'phone_number_verified must be true or false.');
      assert.equal((await success(pool, user({ email_verified: 'tRuE' }))).attributes.email_verified, 'true');
    });

    it('at least one auto-verified attribute is true', async () => {
      assert.equal(await failure(pool, user({ email_verified: 'false' })), AUTO_VERIFIED);
      assert.equal(await failure(pool, user({ email_verified: '' })), AUTO_VERIFIED);
      // phone_number_verified does not count when only email is auto-verified
      assert.equal(await failure(pool, user({ email_verified: '', phone_number: '+12345550100', phone_number_verified: 'true' })), AUTO_VERIFIED);
      const both = makePool({ AutoVerifiedAttributes: ['email', 'phone_number'] });
      const u = await success(both, user({ email_verified: 'false', phone_number: '+12345550100', phone_number_verified: 'true' }));
      assert.equal(u.attributes.phone_number_verified, 'true');
      assert.equal(await failure(both, user({ email_verified: 'false', phone_number_verified: 'false' })), AUTO_VERIFIED);
    });

    it('email is required and well-formed when email_verified is true; phone_number is E.164', async () => {
      assert.equal(await failure(pool, user({ email: '' })), 'email is required when email_verified is true.');
      assert.equal(await failure(pool, user({ email: 'not-an-email' })), 'Invalid email address format.');
      assert.match(await failure(pool, user({ phone_number: '555-0100' })), /^Invalid phone number format: .*E\.164/);
      assert.match(await failure(pool, user({ phone_number: '15550100999' })), /E\.164/);
      const both = makePool({ AutoVerifiedAttributes: ['email', 'phone_number'] });
      assert.equal(
        await failure(both, user({ email_verified: 'false', phone_number_verified: 'true' })),
        'phone_number is required when phone_number_verified is true.',
      );
    });

    it('birthdate is mm/dd/yyyy and a real date, stored as YYYY-MM-DD', async () => {
      assert.equal((await success(pool, user({ birthdate: '02/29/2000' }))).attributes.birthdate, '2000-02-29');
      assert.equal((await success(pool, user({ birthdate: '2/3/1990' }))).attributes.birthdate, '1990-02-03');
      for (const bad of ['02/29/1999', '13/01/1990', '00/10/1990', '04/31/1990', '1990-01-02', '01-02-1990', 'yesterday']) {
        assert.equal(await failure(pool, user({ birthdate: bad })), 'birthdate must be a date written mm/dd/yyyy.', bad);
      }
    });

    it('updated_at is epoch seconds', async () => {
      assert.equal((await success(pool, user({ updated_at: '1700000000' }))).attributes.updated_at, '1700000000');
      assert.match(await failure(pool, user({ updated_at: '2023-01-01T00:00:00Z' })), /^updated_at must be a time in seconds/);
      assert.match(await failure(pool, user({ updated_at: '-5' })), /^updated_at must be a time in seconds/);
    });

    it('the pool required attributes are present', async () => {
      const required = makePool({ Schema: [{ Name: 'name', Required: true }, { Name: 'family_name', Required: true }] });
      assert.equal(
        await failure(required, user({ name: '', family_name: '  ' })),
        'Attributes did not conform to the schema: name: The attribute is required\nfamily_name: The attribute is required',
      );
      assert.equal((await success(required, user({ name: 'Alice', family_name: 'Liddell' }))).attributes.name, 'Alice');
    });

    it('values are checked against the schema; empty values are not set', async () => {
      const custom = makePool({
        Schema: [
          { Name: 'age', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '0', MaxValue: '150' } },
          { Name: 'code', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '2', MaxLength: '3' } },
          { Name: 'vip', AttributeDataType: 'Boolean' },
        ],
      });
      assert.equal(await failure(custom, user({ 'custom:age': 'old' })), 'Attributes did not conform to the schema: custom:age: Number must be a decimal number.');
      assert.equal(await failure(custom, user({ 'custom:age': '151' })), 'Attributes did not conform to the schema: custom:age: Number must be no greater than 150');
      assert.equal(await failure(custom, user({ 'custom:code': 'abcd' })), 'Attributes did not conform to the schema: custom:code: String must be no longer than 3 characters');
      assert.equal(await failure(custom, user({ 'custom:vip': 'maybe' })), 'custom:vip must be true or false.');
      assert.match(await failure(pool, user({ name: 'x'.repeat(2049) })), /name: String must be no longer than 2048 characters/);
      const u = await success(custom, user({ 'custom:age': '42', 'custom:code': 'ab', 'custom:vip': 'TRUE', name: '' }));
      assert.deepEqual(u.attributes, {
        email: 'alice@example.com',
        email_verified: 'true',
        'custom:age': '42',
        'custom:code': 'ab',
        'custom:vip': 'true',
      });
      assert.ok(!('name' in u.attributes));
      assert.ok(!('cognito:username' in u.attributes) && !('cognito:mfa_enabled' in u.attributes));
    });
  });

  describe('schema checks agree with checkValues', () => {
    it('accepts exactly the values checkValues accepts, with its messages', async () => {
      const pool = makePool({
        Schema: [
          { Name: 'n', AttributeDataType: 'Number', NumberAttributeConstraints: { MinValue: '-5', MaxValue: '10' } },
          { Name: 'free', AttributeDataType: 'Number' },
          { Name: 's', AttributeDataType: 'String', StringAttributeConstraints: { MinLength: '2', MaxLength: '4' } },
          { Name: 'd', AttributeDataType: 'DateTime' },
          { Name: 'nick', AttributeDataType: 'String', Mutable: true },
        ],
      });
      const cases: [string, string][] = [
        ['custom:n', '-5'], ['custom:n', '-6'], ['custom:n', '10'], ['custom:n', '10.0'], ['custom:n', '10.01'], ['custom:n', '1e1'],
        ['custom:n', '+1'], ['custom:n', '.5'], ['custom:n', '007'], ['custom:free', '123456789012345678901234567890'], ['custom:free', '-0.5'],
        ['custom:s', 'a'], ['custom:s', 'ab'], ['custom:s', 'abcd'], ['custom:s', 'abcde'], ['custom:s', '😀'], ['custom:s', '😀😀'],
        ['custom:s', '😀😀😀😀'], ['custom:s', '😀😀😀😀😀'], ['custom:s', 'éé'], ['custom:d', '2020-01-01'], ['custom:d', 'not a date'],
        ['custom:d', '2020-01-01T10:00:00Z'], ['nickname', 'x'.repeat(2048)], ['nickname', 'x'.repeat(2049)], ['nickname', '😀'.repeat(2048)],
        ['zoneinfo', '😀'.repeat(2049)],
      ];
      for (const [name, value] of cases) {
        let expected: string | undefined;
        try {
          checkValues({ email: 'alice@example.com', email_verified: 'true', [name]: value }, pool.settings);
        } catch (e) {
          assert.ok(isCognitoError(e));
          // A log line is the schema error without the newline that ends Cognito's text.
          expected = e.message.trimEnd();
        }
        const o = await one(pool, user({ [name]: value }));
        assert.deepEqual(o.kind === 'failed' ? o.reason : undefined, expected, `${name}=${value.slice(0, 20)}`);
      }
    });
  });

  describe('CSV syntax', () => {
    const pool = makePool();

    it('reads \\, as a comma inside a value and keeps " verbatim', async () => {
      const u = await success(pool, user({ name: 'Liddell\\, Alice', address: '1 Main St\\, Springfield\\, USA', nickname: '"Al"', given_name: 'say "hi"\\,' }));
      assert.equal(u.attributes.name, 'Liddell, Alice');
      assert.equal(u.attributes.address, '1 Main St, Springfield, USA');
      assert.equal(u.attributes.nickname, '"Al"');
      assert.equal(u.attributes.given_name, 'say "hi",');
      assert.equal(u.attributes.email, 'alice@example.com');
    });

    it('treats a backslash not before a comma as an ordinary character', async () => {
      const u = await success(pool, user({ name: 'a\\b', nickname: 'a\\\\,b', given_name: 'end\\ ', 'cognito:username': 'last\\' }));
      assert.equal(u.attributes.name, 'a\\b');
      assert.equal(u.attributes.nickname, 'a\\,b'); // `\\,` is a backslash, then an escaped comma
      assert.equal(u.attributes.given_name, 'end\\');
      assert.equal(u.username, 'last\\'); // the last value of a row may end in a backslash
      // Elsewhere a value ending in a backslash escapes the comma after it: the row is a value short.
      assert.match(await failure(pool, user({ given_name: 'end\\' })), /^The row has 20 values but the header has 21 columns/);
    });

    it('decodes non-ASCII values that first appear deep in the file', async () => {
      const rows = Array.from({ length: 3000 }, (_, i) => user({ 'cognito:username': `u${i}`, name: `User ${i}` }));
      rows.push(user({ 'cognito:username': 'josé', name: 'José Müller\\, Jr.', address: '東京都' }));
      const out = await collect(chunks(csv(pool, rows)), pool);
      const last = out.at(-1) as Extract<RowOutcome, { kind: 'user' }>;
      assert.equal(last.line, 3002);
      assert.equal(last.username, 'josé');
      assert.equal(last.attributes.name, 'José Müller, Jr.');
      assert.equal(last.attributes.address, '東京都');
      assert.equal((out[0] as { attributes: Row }).attributes.name, 'User 0');
    });

    it('fails a row whose value count differs from the header, and goes on', async () => {
      const text = csv(pool, [user({ name: 'Liddell, Alice' }), user({ 'cognito:username': 'bob' }), user({ 'cognito:username': 'carol' })]);
      const lines = text.split('\n');
      lines[3] = lines[3]!.slice(0, lines[3]!.lastIndexOf(',')); // one value short
      const out = await collect(chunks(lines.join('\n')), pool);
      assert.deepEqual(
        out.map((o) => [o.line, o.kind]),
        [
          [2, 'failed'],
          [3, 'user'],
          [4, 'failed'],
        ],
      );
      assert.equal(
        (out[0] as { reason: string }).reason,
        'The row has 22 values but the header has 21 columns. Write a comma inside a value as \\, (backslash comma).',
      );
      assert.match((out[2] as { reason: string }).reason, /^The row has 20 values but the header has 21 columns/);
    });

    it('fails rows longer than 16,000 characters, counting characters rather than bytes', async () => {
      const spread = (n: number, ch: string): Row => {
        // n characters of row in total: the fixed columns plus filler spread over columns of at most 2,000.
        const base = user();
        const fixed = csv(pool, [base]).split('\n')[1]!.length;
        const fill: Row = {};
        let left = n - fixed;
        for (const col of ['name', 'given_name', 'family_name', 'middle_name', 'nickname', 'profile', 'picture', 'website', 'address']) {
          const k = Math.min(2000, left);
          fill[col] = ch.repeat(k);
          left -= k;
        }
        assert.equal(left, 0);
        return { ...base, ...fill };
      };
      const ok = spread(16_000, 'x');
      assert.equal(csv(pool, [ok]).split('\n')[1]!.length, 16_000);
      await success(pool, ok);
      await success(pool, spread(16_000, 'é')); // 2 bytes each: over 16,000 bytes, not characters
      assert.equal(await failure(pool, spread(16_001, 'x')), 'The row is longer than 16,000 characters.');
      assert.equal(await failure(pool, spread(16_001, '€')), 'The row is longer than 16,000 characters.');
    });

    it('fails a huge line without holding it and reads the next one', async () => {
      const pool2 = makePool();
      const header = csvHeader(pool2).join(',');
      const good = csv(pool2, [user()]).split('\n')[1]!;
      async function* gen() {
        yield `${header}\n${good}\n`;
        for (let i = 0; i < 200; i++) yield 'y'.repeat(50_000); // a 10 MB line
        yield `\n${good}\n`;
      }
      const out = await collect(gen(), pool2);
      assert.deepEqual(
        out.map((o) => [o.line, o.kind]),
        [
          [2, 'user'],
          [3, 'failed'],
          [4, 'user'],
        ],
      );
      assert.equal((out[1] as { reason: string }).reason, 'The row is longer than 16,000 characters.');
    });

    it('reads CRLF and mixed line endings, and ignores empty lines while keeping line numbers', async () => {
      const rows = [user(), user({ 'cognito:username': 'bob', name: 'Bob' })];
      const lf = await collect(chunks(csv(pool, rows)), pool);
      const crlf = await collect(chunks(csv(pool, rows, { eol: '\r\n' })), pool);
      assert.deepEqual(stable(crlf), stable(lf));
      assert.equal((crlf[1] as { attributes: Row }).attributes.name, 'Bob');
      const header = csvHeader(pool).join(',');
      const [, r1, r2] = csv(pool, rows).split('\n');
      const mixed = await collect(chunks(`${header}\r\n\n${r1}\n   \r\n${r2}\r\n\r\n`), pool);
      assert.deepEqual(
        mixed.map((o) => [o.line, o.kind]),
        [
          [3, 'user'],
          [5, 'user'],
        ],
      );
    });

    it('skipLines resumes after the given line', async () => {
      const rows = ['a', 'b', 'c', 'd', 'e'].map((n) => user({ 'cognito:username': n }));
      const out = await collect(chunks(csv(pool, rows)), pool, { skipLines: 4 });
      assert.deepEqual(
        out.map((o) => [o.line, o.kind === 'user' && o.username]),
        [
          [5, 'd'],
          [6, 'e'],
        ],
      );
      assert.deepEqual(await collect(chunks(csv(pool, rows)), pool, { skipLines: 6 }), []);
    });

    it('gives the same outcomes however the input is cut into chunks', async () => {
      const rows = [
        user({ name: 'José Müller\\, Jr.', address: 'Straße 1\\, 10115 Berlin\\, 日本', nickname: '😀\\,😀' }),
        user({ 'cognito:username': 'bob', 'cognito:mfa_enabled': 'yes' }),
        user({ 'cognito:username': 'çarol', name: 'a\\\\,b', birthdate: '12/31/1999' }),
      ];
      const bytes = Buffer.from(csv(pool, rows, { eol: '\r\n' }));
      const whole = stable(await collect(chunks(bytes), pool));
      assert.equal((whole[0] as { attributes: Row }).attributes.name, 'José Müller, Jr.');
      assert.equal((whole[0] as { attributes: Row }).attributes.nickname, '😀,😀');
      for (const size of [1, 2, 3, 5, 7, 11, 64]) {
        const parts: Buffer[] = [];
        for (let i = 0; i < bytes.length; i += size) parts.push(bytes.subarray(i, i + size));
        assert.deepEqual(stable(await collect(chunks(...parts), pool)), whole, `chunks of ${size} bytes`);
      }
      // as strings too: a chunk boundary between `\` and `,`
      const text = bytes.toString();
      const cut = text.indexOf('\\,') + 1;
      assert.deepEqual(stable(await collect(chunks(text.slice(0, cut), text.slice(cut)), pool)), whole);
    });

    it('stops reading the input when the caller stops early', async () => {
      let finished = false;
      let produced = 0;
      const header = csvHeader(pool).join(',');
      const line = csv(pool, [user()]).split('\n')[1]!;
      async function* endless() {
        try {
          yield header + '\n';
          for (;;) {
            produced++;
            yield (line + '\n').repeat(100);
          }
        } finally {
          finished = true;
        }
      }
      for await (const o of readImportFile(endless(), pool)) {
        assert.equal(o.kind, 'user');
        break;
      }
      await new Promise((r) => setTimeout(r, 10));
      assert.ok(finished, 'the input was closed');
      assert.ok(produced < 1000, `read ahead ${produced} chunks`);
    });
  });

  describe('file-level errors', () => {
    const pool = makePool({ Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] });
    const header = csvHeader(pool);

    it('a UTF-8 BOM fails the file', async () => {
      const text = csv(pool, [user()]);
      assert.match(await fileError(chunks('\uFEFF' + text), pool), /byte order mark/);
      assert.match(await fileError(chunks(Buffer.from([0xef]), Buffer.from([0xbb, 0xbf]), text), pool), /byte order mark/);
    });

    it('a header missing a column names it', async () => {
      const msg = await fileError(chunks(csv(pool, [user()], { header: header.filter((h) => h !== 'custom:tenant') })), pool);
      assert.match(msg, /lacks the column "custom:tenant"/);
      const msg2 = await fileError(chunks(csv(pool, [user()], { header: header.filter((h) => h !== 'cognito:mfa_enabled' && h !== 'gender') })), pool);
      assert.match(msg2, /lacks the columns "gender", "cognito:mfa_enabled"/);
    });

    it('a header with an unknown column names it', async () => {
      const msg = await fileError(chunks(csv(pool, [user()], { header: [...header, 'custom:nope'] })), pool);
      assert.match(msg, /does not have: "custom:nope"/);
    });

    it('a header with a duplicated column names it', async () => {
      const msg = await fileError(chunks(csv(pool, [user()], { header: [...header, 'email'] })), pool);
      assert.match(msg, /names the column "email" more than once/);
    });

    it('a file without a header row fails without repeating the user data', async () => {
      const text = csv(pool, [user(), user()]).split('\n').slice(1).join('\n');
      const msg = await fileError(chunks(text), pool);
      assert.match(msg, /not the header row/);
      assert.ok(!msg.includes('alice'));
      assert.match(await fileError(chunks(''), pool), /empty/);
      assert.match(await fileError(chunks('\n' + csv(pool, [user()])), pool), /first line .* empty/);
    });

    it('bytes that are not UTF-8 fail the file and say which line', async () => {
      const text = csv(pool, [user(), user({ 'cognito:username': 'bob' })]);
      const [h, r1, r2] = text.split('\n');
      const bad = Buffer.concat([Buffer.from(`${h}\n${r1}\n`), Buffer.from([0x41, 0xc3, 0x28]), Buffer.from(`${r2}\n`)]);
      assert.equal(await fileError(chunks(bad), pool), 'The CSV file is not valid UTF-8 text: line 3 has bytes that are not UTF-8.');
      // a multi-byte character cut off at the end of the file
      assert.match(await fileError(chunks(Buffer.concat([Buffer.from(text), Buffer.from([0xe2, 0x82])])), pool), /not valid UTF-8 text: line 4/);
    });

    it(`more than ${MAX_IMPORT_ROWS.toLocaleString('en-US')} rows fail the file`, async () => {
      const line = Buffer.from(csv(pool, [user()]).split('\n')[1]! + '\n');
      async function* rows(n: number) {
        yield header.join(',') + '\n';
        const block = Buffer.concat(Array.from({ length: 1000 }, () => line));
        for (let i = 0; i < n; i += 1000) yield i + 1000 <= n ? block : Buffer.concat(Array.from({ length: n - i }, () => line));
      }
      await assert.rejects(scanImportFile(rows(MAX_IMPORT_ROWS + 1), pool), (e) => e instanceof ImportFileError && /more than 500,000 users/.test(e.message));
      assert.equal(await scanImportFile(rows(1234), pool), 1234);
      await assert.rejects(checkImportFile(() => rows(MAX_IMPORT_ROWS + 1), pool), (e) => e instanceof ImportFileError && /more than 500,000 users/.test(e.message));
      await checkImportFile(() => rows(1234), pool);
      // More lines than the limit, but not more rows: empty lines do not count.
      async function* withEmptyLines() {
        yield* rows(MAX_IMPORT_ROWS);
        yield '\n  \n\r\n';
      }
      await checkImportFile(withEmptyLines, pool);
      // Exactly the limit, the last row ended by its line break (an empty last line, no row): the file
      // is read once, without the second pass that counts rows. Without the last line break, the
      // same; one row more fails the file either way.
      let opened = 0;
      await checkImportFile(() => (opened++, rows(MAX_IMPORT_ROWS)), pool);
      assert.equal(opened, 1);
      async function* unended(n: number) {
        yield* rows(n - 1);
        yield line.subarray(0, line.length - 1);
      }
      opened = 0;
      await checkImportFile(() => (opened++, unended(MAX_IMPORT_ROWS)), pool);
      assert.equal(opened, 1);
      await assert.rejects(checkImportFile(() => unended(MAX_IMPORT_ROWS + 1), pool), (e) => e instanceof ImportFileError && /more than 500,000 users/.test(e.message));
      // Reading: the rows before the limit are yielded, then the file fails.
      let seen = 0;
      await assert.rejects(
        (async () => {
          for await (const o of readImportFile(rows(MAX_IMPORT_ROWS + 1), pool, { skipLines: MAX_IMPORT_ROWS - 9 })) {
            assert.equal(o.kind, 'user');
            seen++;
          }
        })(),
        ImportFileError,
      );
      assert.equal(seen, 10);
    });
  });

  /**
   * Throughput, printed rather than asserted. node:test tracks async context, which makes every
   * promise (so every row this async generator yields) several times dearer than in the server, so
   * the figure that matters is measured again in a plain child process.
   */
  it('throughput: 100,000 rows', async () => {
    const pool = makePool({ Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] });
    const pieces = throughputFile(pool, user, 100_000);
    const t0 = process.hrtime.bigint();
    let users = 0;
    for await (const o of readImportFile(chunks(...pieces), pool)) if (o.kind === 'user') users++;
    const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
    assert.equal(users, 100_000);
    const mb = (pieces.reduce((s, p) => s + p.length, 0) / 1e6).toFixed(1);
    console.log(`# import-csv throughput under node:test: 100000 rows (${mb} MB) in ${seconds.toFixed(3)} s = ${Math.round(100_000 / seconds).toLocaleString('en-US')} rows/s`);

    const child = `
      const { createPoolSettings } = await import(${JSON.stringify(new URL('../src/domain/pool-settings.js', import.meta.url).href)});
      const { csvHeader, readImportFile } = await import(${JSON.stringify(new URL('../src/domain/import-csv.js', import.meta.url).href)});
      const settings = createPoolSettings({ PoolName: 'p', AutoVerifiedAttributes: ['email'], Schema: [{ Name: 'tenant', AttributeDataType: 'String' }] });
      const pool = { id: 'us-east-1_Test1234', region: 'us-east-1', name: 'p', createdAt: 0, updatedAt: 0, tags: {}, settings };
      const user = (over) => ({ 'cognito:username': 'alice', 'cognito:mfa_enabled': 'false', email: 'alice@example.com', email_verified: 'true', ...over });
      const pieces = (${throughputFile.toString()})(pool, user, 100000);
      let best = Infinity;
      for (let k = 0; k < 3; k++) {
        const t0 = performance.now();
        let users = 0;
        for await (const o of readImportFile((async function* () { yield* pieces; })(), pool)) if (o.kind === 'user') users++;
        if (users !== 100000) throw new Error('users: ' + users);
        best = Math.min(best, (performance.now() - t0) / 1000);
      }
      console.log(best.toFixed(3) + ' s = ' + Math.round(100000 / best).toLocaleString('en-US') + ' rows/s');
    `;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', child]);
    console.log(`# import-csv throughput in a plain process: 100000 rows, best of 3: ${stdout.trim()}`);
  });
});

describe('the parser thread (imports/parse-off-thread.ts)', () => {
  it("gives readImportFile's outcomes, in order, with each user's attributes as their JSON text", async () => {
    const pool = makePool({
      AliasAttributes: ['email'],
      MfaConfiguration: 'OPTIONAL',
      Schema: [{ Name: 'tenant', AttributeDataType: 'String', Mutable: true }],
    });
    const rows: Row[] = [];
    // More rows than one batch (1,000) of the thread's: outcomes cross batch boundaries.
    for (let i = 0; i < 2_500; i++) {
      if (i % 7 === 3) rows.push(user({ 'cognito:username': `u${i}`, email: `not-an-email-${i}` }));
      else if (i % 11 === 5) rows.push({});
      else {
        rows.push(
          user({
            'cognito:username': i % 5 === 0 ? `Zoë.${i}` : `u${i}`,
            email: `u${i}@example.com`,
            name: i % 3 === 0 ? `Søren \\, "Ødegaard" ${i}` : `n${i}`,
            'custom:tenant': i % 4 === 0 ? '\u2028{"json":"text"}' : '',
            'cognito:mfa_enabled': i % 9 === 0 ? 'true' : 'false',
            phone_number: i % 9 === 0 ? `+1555${String(i).padStart(7, '0')}` : '',
          }),
        );
      }
    }
    const file = csv(pool, rows);
    const direct: RowOutcome[] = [];
    for await (const o of readImportFile(chunks(file), pool)) direct.push(o);
    const threaded: RowOutcome[] = [];
    for await (const o of readImportFileOffThread(chunks(Buffer.from(file)) as AsyncIterable<Buffer>, pool)) threaded.push(o);
    assert.ok(direct.some((o) => o.kind === 'failed') && direct.some((o) => o.kind === 'user' && o.mfaEnabled));
    assert.equal(threaded.length, direct.length);
    for (const o of threaded) {
      if (o.kind === 'user') {
        assert.equal(o.attributesJson, JSON.stringify(o.attributes));
        assert.match(o.sub, UUID);
      }
    }
    const withoutJson = threaded.map((o) => (o.kind === 'user' ? (({ attributesJson: _, ...rest }) => rest)(o) : o));
    assert.deepEqual(stable(withoutJson), stable(direct));
  });
});
