/**
 * Message delivery: masking, templates, the console line, the outbox over HTTP
 * (GET /_incognito/messages, on each backend) and SMTP against a local sink (smtp-server).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';
import { AdminGetUserCommand, CreateUserPoolClientCommand, CreateUserPoolCommand, SignUpCommand } from '@aws-sdk/client-cognito-identity-provider';
import { adminFetch, backends, startTestServer, type TestServer } from './harness.js';
import { defaults, loadConfig, ConfigError, type Config } from '../src/config.js';
import { createDelivery } from '../src/delivery/index.js';
import { maskDestination } from '../src/delivery/mask.js';
import { consoleLine } from '../src/delivery/console.js';
import { nextMessageId } from '../src/delivery/ids.js';
import {
  DEFAULT_FORGOT_PASSWORD_MESSAGE,
  DEFAULT_INVITATION_MESSAGE,
  DEFAULT_INVITATION_SUBJECT,
  DEFAULT_VERIFICATION_MESSAGE,
  DEFAULT_VERIFICATION_SUBJECT,
  renderTemplate,
} from '../src/delivery/templates.js';
import type { OutgoingMessage } from '../src/delivery/types.js';
import type { Store } from '../src/store/types.js';

// ---------------------------------------------------------------------------------------------
// helpers

const email = (over: Partial<OutgoingMessage> = {}): OutgoingMessage => ({
  poolId: 'unset',
  username: 'alice',
  medium: 'EMAIL',
  destination: 'alice@example.com',
  kind: 'SIGN_UP',
  subject: DEFAULT_VERIFICATION_SUBJECT,
  body: renderTemplate(DEFAULT_VERIFICATION_MESSAGE, { code: '123456' }),
  code: '123456',
  ...over,
});

/** Collects what is written to stderr (logError, console lines) until restore(). */
function captureStderr(): { text(): string; restore(): void } {
  const original = process.stderr.write;
  let out = '';
  process.stderr.write = ((chunk: any, ...rest: any[]) => {
    out += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
    const cb = rest.find((x) => typeof x === 'function');
    if (cb) cb();
    return true;
  }) as typeof process.stderr.write;
  return {
    text: () => out,
    restore: () => {
      process.stderr.write = original;
    },
  };
}

async function getMessages(url: string, query: string): Promise<{ status: number; type: string | null; json: any }> {
  const res = await adminFetch(`${url}/_incognito/messages${query}`);
  return { status: res.status, type: res.headers.get('content-type'), json: await res.json() };
}

/** A port nothing listens on. */
async function closedPort(): Promise<number> {
  const s = net.createServer();
  await new Promise<void>((r) => s.listen(0, '127.0.0.1', r));
  const port = (s.address() as AddressInfo).port;
  await new Promise<void>((r) => s.close(() => r()));
  return port;
}

interface Received {
  from: string | undefined;
  to: string[];
  user: string | undefined;
  headers: Map<string, string>;
  body: string;
}

function decodeQuotedPrintable(s: string): string {
  const bytes = s.replace(/=\r?\n/g, '').replace(/=([0-9A-F]{2})/gi, (_m, h: string) => String.fromCharCode(parseInt(h, 16)));
  return Buffer.from(bytes, 'latin1').toString('utf8');
}

/** Just enough RFC 5322 / MIME to read a single-part message. */
function parseMail(raw: string): { headers: Map<string, string>; body: string } {
  const split = raw.indexOf('\r\n\r\n');
  const head = raw.slice(0, split).replace(/\r\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of head.split('\r\n')) {
    const i = line.indexOf(':');
    headers.set(line.slice(0, i).toLowerCase(), line.slice(i + 1).trim());
  }
  let body = raw.slice(split + 4).replace(/\r\n$/, '');
  const cte = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  if (cte === 'quoted-printable') body = decodeQuotedPrintable(body);
  else if (cte === 'base64') body = Buffer.from(body, 'base64').toString('utf8');
  return { headers, body };
}

/** A local SMTP sink on 127.0.0.1, port 0, plain text (no STARTTLS). */
async function startSink(opts: Partial<SMTPServerOptions> = {}): Promise<{ port: number; received: Received[]; close(): Promise<void> }> {
  const received: Received[] = [];
  const sink = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS'],
    logger: false,
    onData(stream, session, cb) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        const { headers, body } = parseMail(Buffer.concat(chunks).toString('utf8'));
        const from = session.envelope.mailFrom ? session.envelope.mailFrom.address : undefined;
        received.push({ from, to: session.envelope.rcptTo.map((r) => r.address), user: session.user as string | undefined, headers, body });
        cb();
      });
    },
    ...opts,
  });
  await new Promise<void>((r) => sink.listen(0, '127.0.0.1', () => r()));
  const port = (sink.server.address() as AddressInfo).port;
  return { port, received, close: () => new Promise<void>((r) => sink.close(() => r())) };
}

// ---------------------------------------------------------------------------------------------
// units

describe('maskDestination', () => {
  it('masks an email as Cognito does', () => {
    assert.equal(maskDestination('EMAIL', 'alice@example.com'), 'a***@e***');
    assert.equal(maskDestination('EMAIL', 'b@x.org'), 'b***@x***');
    assert.equal(maskDestination('EMAIL', 'first.last+tag@sub.example.co.uk'), 'f***@s***');
  });
  it('masks a phone number as Cognito does', () => {
    assert.equal(maskDestination('SMS', '+12065551234'), '+*******1234');
    assert.equal(maskDestination('SMS', '+447700900123'), '+********0123');
  });
  it('handles short and odd values without throwing', () => {
    assert.equal(maskDestination('EMAIL', ''), '***');
    assert.equal(maskDestination('EMAIL', 'no-at-sign'), 'n***');
    assert.equal(maskDestination('EMAIL', '@example.com'), '***@e***');
    assert.equal(maskDestination('EMAIL', 'alice@'), 'a***@***');
    assert.equal(maskDestination('EMAIL', 'a@b@c.com'), 'a***@c***');
    assert.equal(maskDestination('EMAIL', '😀x@é.fr'), '😀***@é***');
    assert.equal(maskDestination('SMS', ''), '');
    assert.equal(maskDestination('SMS', '+'), '+');
    assert.equal(maskDestination('SMS', '+123'), '+***');
    assert.equal(maskDestination('SMS', '+1234'), '+****');
    assert.equal(maskDestination('SMS', '+12345'), '+*2345');
    assert.equal(maskDestination('SMS', '2065551234'), '******1234');
    assert.doesNotThrow(() => maskDestination('EMAIL', undefined as unknown as string));
  });
});

describe('renderTemplate', () => {
  it('replaces every {username} and {####}', () => {
    assert.equal(renderTemplate('Hi {username}, {####} is your code ({####}), {username}.', { username: 'bob', code: '042' }), 'Hi bob, 042 is your code (042), bob.');
  });
  it('takes values literally and does not expand placeholders inside them', () => {
    assert.equal(renderTemplate('{username} / {####}', { username: '{####}', code: '$&$1$$' }), '{####} / $&$1$$');
  });
  it('leaves a placeholder whose value is missing', () => {
    assert.equal(renderTemplate('code {####} for {username}', { code: '1' }), 'code 1 for {username}');
    assert.equal(renderTemplate('no placeholders', { username: 'x', code: 'y' }), 'no placeholders');
    // An HTML email's values are escaped, so they read as written; a text message's are not.
    assert.equal(renderTemplate('<p>{username}: {####}</p>', { username: 'a<b>', code: 'x&lt1"', html: true }), '<p>a&lt;b&gt;: x&amp;lt1&quot;</p>');
    assert.equal(renderTemplate('{username}: {####}', { username: 'a<b>', code: 'x&lt1' }), 'a<b>: x&lt1');
  });
  it("exports Cognito's default texts", () => {
    assert.equal(DEFAULT_VERIFICATION_MESSAGE, 'Your verification code is {####}. ');
    assert.equal(DEFAULT_VERIFICATION_SUBJECT, 'Your verification code');
    assert.equal(DEFAULT_FORGOT_PASSWORD_MESSAGE, DEFAULT_VERIFICATION_MESSAGE);
    assert.equal(DEFAULT_INVITATION_MESSAGE, 'Your username is {username} and temporary password is {####}. ');
    assert.equal(DEFAULT_INVITATION_SUBJECT, 'Your temporary password');
    assert.equal(
      renderTemplate(DEFAULT_INVITATION_MESSAGE, { username: 'carol', code: 'Tmp$Pass1' }),
      'Your username is carol and temporary password is Tmp$Pass1. ',
    );
  });
});

describe('console and outbox (no database)', () => {
  const fakeStore = (rows: unknown[]) => ({ messages: { insert: async (m: unknown) => void rows.push(m) } }) as unknown as Store;

  it('prints one readable line per message, the code included', async () => {
    const lines: string[] = [];
    const rows: any[] = [];
    const d = createDelivery({ ...defaults }, fakeStore(rows), { write: (l) => lines.push(l) });
    await d.deliver(email({ body: 'Your code is 123456' }));
    await d.deliver(email({ medium: 'SMS', destination: '+12065551234', kind: 'FORGOT_PASSWORD', subject: undefined, body: 'Code:\n654321\x1b[2J' }));
    await d.close();
    assert.deepEqual(lines, [
      '[incognito] EMAIL to a***@example.com for user alice (SIGN_UP): Your code is 123456',
      '[incognito] SMS to +*******1234 for user alice (FORGOT_PASSWORD): Code: 654321 [2J',
    ]);
    assert.equal(rows.length, 2);
    assert.equal(rows[0].code, '123456');
    assert.equal(rows[1].subject, null);
  });

  it('prints nothing with consoleMessages off, and still records', async () => {
    const lines: string[] = [];
    const rows: unknown[] = [];
    const d = createDelivery({ ...defaults, consoleMessages: false }, fakeStore(rows), { write: (l) => lines.push(l) });
    await d.deliver(email());
    await d.close();
    assert.deepEqual(lines, []);
    assert.equal(rows.length, 1);
  });

  it('consoleLine survives odd destinations', () => {
    assert.equal(consoleLine(email({ destination: '' })), '[incognito] EMAIL to *** for user alice (SIGN_UP): Your verification code is 123456.');
    assert.equal(consoleLine(email({ destination: '@x.com' })).split(' ')[3], '***@x.com');
  });

  it('message ids are time-ordered, also within one millisecond', () => {
    const ids = Array.from({ length: 50 }, () => nextMessageId(1_700_000_000_000));
    for (let i = 1; i < ids.length; i++) {
      assert.ok(ids[i]!.id > ids[i - 1]!.id, `${ids[i]!.id} > ${ids[i - 1]!.id}`);
      assert.ok(ids[i]!.createdAt >= ids[i - 1]!.createdAt);
    }
    assert.match(ids[0]!.id, /^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('close() is bounded when the SMTP server never answers', async () => {
    const stuck: net.Socket[] = [];
    const blackHole = net.createServer((s) => void stuck.push(s));
    await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
    const err = captureStderr();
    try {
      const cfg: Config = { ...defaults, consoleMessages: false, smtpHost: '127.0.0.1', smtpPort: (blackHole.address() as AddressInfo).port };
      const d = createDelivery(cfg, fakeStore([]), { smtp: { closeTimeoutMs: 200 } });
      const t0 = performance.now();
      await d.deliver(email());
      assert.ok(performance.now() - t0 < 100, 'deliver() does not wait for SMTP');
      const t1 = performance.now();
      await d.close();
      const waited = performance.now() - t1;
      assert.ok(waited >= 150 && waited < 2000, `close() waited ${waited} ms`);
    } finally {
      err.restore();
      for (const s of stuck) s.destroy();
      await new Promise<void>((r) => blackHole.close(() => r()));
    }
    assert.match(err.text(), /closing with 1 message\(s\) not sent yet/);
    assert.doesNotMatch(err.text(), /123456/);
  });
});

describe('settings', () => {
  it('reads the delivery settings from flags and the environment', () => {
    const c = loadConfig(
      ['--smtp-host', 'mail.local', '--smtp-port=465', '--smtp-secure', 'true', '--console-messages', 'false'],
      { INCOGNITO_SMTP_USER: 'u', INCOGNITO_SMTP_PASSWORD: 'p', INCOGNITO_SMTP_FROM: 'Auth <auth@example.com>', INCOGNITO_MESSAGES_ENDPOINT: 'false' },
    );
    assert.equal(c.smtpHost, 'mail.local');
    assert.equal(c.smtpPort, 465);
    assert.equal(c.smtpSecure, true);
    assert.equal(c.smtpUser, 'u');
    assert.equal(c.smtpPassword, 'p');
    assert.equal(c.smtpFrom, 'Auth <auth@example.com>');
    assert.equal(c.consoleMessages, false);
    assert.equal(c.messagesEndpoint, false);
    const d = loadConfig([], {});
    assert.equal(d.smtpHost, undefined);
    assert.equal(d.smtpPort, 587);
    assert.equal(d.smtpSecure, false);
    assert.equal(d.smtpFrom, 'no-reply@incognito.local');
    assert.equal(d.consoleMessages, true);
    assert.equal(d.messagesEndpoint, true);
    assert.throws(() => loadConfig(['--smtp-port', '0'], {}), ConfigError);
    assert.throws(() => loadConfig(['--smtp-port', '70000'], {}), ConfigError);
    assert.throws(() => loadConfig([], { INCOGNITO_SMTP_PASSWORD: 'p' }), ConfigError);
  });
});

// ---------------------------------------------------------------------------------------------
// the outbox over HTTP, on each backend

for (const backend of await backends()) {
  describe(`GET /_incognito/messages (${backend.name})`, () => {
    let t: TestServer;
    let poolId: string;
    let otherPoolId: string;
    before(async () => {
      t = await startTestServer(backend, { consoleMessages: false });
      poolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'messages' }))).UserPool!.Id!;
      otherPoolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'other' }))).UserPool!.Id!;
      // 25 for alice, then 2 for bob, then 1 in the other pool; all in quick succession.
      for (let i = 0; i < 25; i++) await t.server.delivery.deliver(email({ poolId, code: String(100000 + i), body: `Your verification code is ${100000 + i}. ` }));
      await t.server.delivery.deliver(email({ poolId, username: 'bob', medium: 'SMS', destination: '+12065551234', subject: undefined, kind: 'FORGOT_PASSWORD', body: 'b1', code: '111111' }));
      await t.server.delivery.deliver(email({ poolId, username: 'bob', kind: 'INVITATION', subject: DEFAULT_INVITATION_SUBJECT, body: 'b2', code: 'Tmp#1' }));
      await t.server.delivery.deliver(email({ poolId: otherPoolId, username: 'alice', body: 'other pool', code: '999999' }));
    });
    after(() => t.close());

    it('lists the newest first, 20 by default, with every field', async () => {
      const r = await getMessages(t.url, `?userPoolId=${poolId}`);
      assert.equal(r.status, 200);
      assert.match(r.type!, /^application\/json/);
      const m = r.json.messages;
      assert.equal(m.length, 20);
      assert.deepEqual(
        m.slice(0, 4).map((x: any) => [x.username, x.code]),
        [['bob', 'Tmp#1'], ['bob', '111111'], ['alice', '100024'], ['alice', '100023']],
      );
      assert.equal(m[19].code, '100007'); // bob's 2, then alice's newest 18
      const sms = m[1];
      assert.deepEqual(Object.keys(sms).sort(), ['body', 'code', 'createdAt', 'destination', 'id', 'kind', 'medium', 'subject', 'userPoolId', 'username']);
      assert.equal(sms.userPoolId, poolId);
      assert.equal(sms.medium, 'SMS');
      assert.equal(sms.destination, '+12065551234');
      assert.equal(sms.kind, 'FORGOT_PASSWORD');
      assert.equal(sms.subject, null);
      assert.equal(sms.body, 'b1');
      assert.equal(m[0].subject, 'Your temporary password');
      assert.match(sms.createdAt, /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
      assert.ok(Math.abs(Date.parse(sms.createdAt) - Date.now()) < 60_000);
      for (let i = 1; i < m.length; i++) assert.ok(m[i - 1].createdAt >= m[i].createdAt);
      assert.equal(new Set(m.map((x: any) => x.id)).size, 20);
    });

    it('honours limit and the username filter', async () => {
      const two = await getMessages(t.url, `?userPoolId=${poolId}&limit=2`);
      assert.deepEqual(two.json.messages.map((x: any) => x.code), ['Tmp#1', '111111']);
      const all = await getMessages(t.url, `?userPoolId=${poolId}&limit=100`);
      assert.equal(all.json.messages.length, 27);
      const bob = await getMessages(t.url, `?userPoolId=${poolId}&username=bob`);
      assert.deepEqual(bob.json.messages.map((x: any) => x.body), ['b2', 'b1']);
      const alice = await getMessages(t.url, `?username=alice&limit=1&userPoolId=${encodeURIComponent(poolId)}`);
      assert.deepEqual(alice.json.messages.map((x: any) => x.code), ['100024']);
      const other = await getMessages(t.url, `?userPoolId=${otherPoolId}`);
      assert.deepEqual(other.json.messages.map((x: any) => x.code), ['999999']);
      const nobody = await getMessages(t.url, `?userPoolId=${poolId}&username=nobody`);
      assert.deepEqual(nobody.json, { messages: [] });
      const unknownPool = await getMessages(t.url, `?userPoolId=us-east-1_nope`);
      assert.deepEqual(unknownPool.json, { messages: [] });
    });

    it('finds a user\'s messages by what the user typed: the email of an email-as-username pool, the username or the sub', async () => {
      const pool = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'by-email', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }))).UserPool!.Id!;
      const { UserPoolClient } = await t.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'app' }));
      await t.cognito.send(new SignUpCommand({ ClientId: UserPoolClient!.ClientId, Username: 'dana@example.com', Password: 'Correct-Horse-9', UserAttributes: [{ Name: 'email', Value: 'dana@example.com' }] }));
      const user = await t.cognito.send(new AdminGetUserCommand({ UserPoolId: pool, Username: 'dana@example.com' }));
      const sub = user.UserAttributes!.find((a) => a.Name === 'sub')!.Value!;
      assert.equal(user.Username, sub, 'the internal username is the sub');
      for (const name of ['dana@example.com', sub, sub.toUpperCase()]) {
        const r = await getMessages(t.url, `?userPoolId=${pool}&username=${encodeURIComponent(name)}`);
        assert.equal(r.status, 200, name);
        assert.equal(r.json.messages.length, 1, name);
        assert.equal(r.json.messages[0].username, sub);
        assert.equal(r.json.messages[0].kind, 'SIGN_UP');
        assert.match(r.json.messages[0].code, /^\d{6}$/);
      }
      const nobody = await getMessages(t.url, `?userPoolId=${pool}&username=${encodeURIComponent('erin@example.com')}`);
      assert.deepEqual(nobody.json, { messages: [] });
      const nul = await getMessages(t.url, `?userPoolId=${pool}&username=a%00b`);
      assert.equal(nul.status, 400);
    });

    it('answers 400 for a missing pool id or a bad limit', async () => {
      for (const q of ['', '?username=alice', '?userPoolId=', `?userPoolId=${poolId}&limit=0`, `?userPoolId=${poolId}&limit=101`, `?userPoolId=${poolId}&limit=abc`, `?userPoolId=${poolId}&limit=-1`, `?userPoolId=${poolId}&limit=1.5`, `?userPoolId=${poolId}&limit=`, `?userPoolId=${poolId}&username=`]) {
        const r = await getMessages(t.url, q);
        assert.equal(r.status, 400, q);
        assert.match(r.type!, /^application\/json/);
        assert.equal(typeof r.json.error, 'string', q);
        assert.deepEqual(Object.keys(r.json), ['error']);
      }
    });

    it('answers only GET', async () => {
      const res = await adminFetch(`${t.url}/_incognito/messages?userPoolId=${poolId}`, { method: 'POST', body: '{}' });
      assert.equal(res.status, 404);
      await res.text();
    });
  });
}

// ---------------------------------------------------------------------------------------------
// SMTP (the backend does not matter: the first one)

const [smtpBackend] = await backends();

describe('SMTP', () => {
  it('sends an EMAIL message to the SMTP server, and not an SMS one', async () => {
    const sink = await startSink();
    const t = await startTestServer(smtpBackend!, { consoleMessages: false, smtpHost: '127.0.0.1', smtpPort: sink.port, smtpFrom: 'auth@example.com' });
    try {
      const poolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'smtp' }))).UserPool!.Id!;
      await t.server.delivery.deliver(email({ poolId, destination: 'alice@example.com', body: 'Your verification code is 123456. ' }));
      await t.server.delivery.deliver(email({ poolId, medium: 'SMS', destination: '+12065551234', subject: undefined }));
      await t.server.delivery.deliver(email({ poolId, username: 'carol', destination: 'carol@example.org', kind: 'INVITATION', subject: undefined, body: '<p>Your username is carol and temporary password is <b>Tmp$1234</b>.</p>', code: 'Tmp$1234' }));
      await t.server.delivery.flush!();
      assert.equal(sink.received.length, 2);
      const [a, c] = [...sink.received].sort((x, y) => x.to[0]!.localeCompare(y.to[0]!));
      assert.equal(a!.from, 'auth@example.com');
      assert.deepEqual(a!.to, ['alice@example.com']);
      assert.equal(a!.headers.get('from'), 'auth@example.com');
      assert.equal(a!.headers.get('to'), 'alice@example.com');
      assert.equal(a!.headers.get('subject'), 'Your verification code');
      assert.match(a!.headers.get('content-type')!, /^text\/plain/);
      assert.equal(a!.body.trimEnd(), 'Your verification code is 123456.');
      assert.deepEqual(c!.to, ['carol@example.org']);
      assert.equal(c!.headers.get('subject'), 'Your temporary password', 'default subject by kind');
      assert.match(c!.headers.get('content-type')!, /^text\/html/);
      assert.match(c!.body, /<b>Tmp\$1234<\/b>/);
      // The outbox has all three.
      const r = await getMessages(t.url, `?userPoolId=${poolId}`);
      assert.equal(r.json.messages.length, 3);
    } finally {
      await t.close();
      await sink.close();
    }
  });

  it('authenticates with --smtp-user and --smtp-password', async () => {
    const sink = await startSink({
      allowInsecureAuth: true,
      onAuth(auth, _session, cb) {
        if (auth.username === 'mailer' && auth.password === 'sm7p-Secret') cb(null, { user: auth.username });
        else cb(new Error('Invalid username or password'));
      },
    });
    const t = await startTestServer(smtpBackend!, { consoleMessages: false, smtpHost: '127.0.0.1', smtpPort: sink.port, smtpUser: 'mailer', smtpPassword: 'sm7p-Secret' });
    try {
      const poolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'smtp-auth' }))).UserPool!.Id!;
      await t.server.delivery.deliver(email({ poolId }));
      await t.server.delivery.flush!();
      assert.equal(sink.received.length, 1);
      assert.equal(sink.received[0]!.user, 'mailer');
      assert.equal(sink.received[0]!.from, 'no-reply@incognito.local');
    } finally {
      await t.close();
      await sink.close();
    }
  });

  it('a refused login is logged without the password, and deliver() still succeeds', async () => {
    const sink = await startSink({ allowInsecureAuth: true, onAuth: (_a, _s, cb) => cb(new Error('Invalid username or password')) });
    const t = await startTestServer(smtpBackend!, { consoleMessages: false, smtpHost: '127.0.0.1', smtpPort: sink.port, smtpUser: 'mailer', smtpPassword: 'wrong-Secret' });
    const err = captureStderr();
    try {
      const poolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'smtp-auth-fail' }))).UserPool!.Id!;
      await t.server.delivery.deliver(email({ poolId }));
      await t.server.delivery.flush!();
    } finally {
      err.restore();
      await t.close();
      await sink.close();
    }
    assert.equal(sink.received.length, 0);
    const log = err.text();
    assert.match(log, /"level":"error","msg":"SMTP: sending message [0-9a-f-]+ \(pool us-east-1_\w+, SIGN_UP, to a\*\*\*@e\*\*\*\) failed"/);
    assert.match(log, /EAUTH/);
    assert.doesNotMatch(log, /wrong-Secret|123456|verification code is|alice@example\.com/);
    assert.doesNotMatch(log, new RegExp(Buffer.from('wrong-Secret').toString('base64')));
  });

  it('an unreachable SMTP server does not fail deliver(), and the outbox keeps the message', async () => {
    const port = await closedPort();
    const t = await startTestServer(smtpBackend!, { consoleMessages: false, smtpHost: '127.0.0.1', smtpPort: port });
    const err = captureStderr();
    try {
      const poolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'smtp-down' }))).UserPool!.Id!;
      await t.server.delivery.deliver(email({ poolId, code: '424242', body: 'Your verification code is 424242. ' }));
      await t.server.delivery.flush!();
      err.restore();
      const r = await getMessages(t.url, `?userPoolId=${poolId}`);
      assert.equal(r.status, 200);
      assert.deepEqual(r.json.messages.map((x: any) => x.code), ['424242']);
    } finally {
      err.restore();
      await t.close();
    }
    const log = err.text();
    assert.match(log, /SMTP: sending message .* failed/);
    assert.match(log, /ECONNREFUSED/);
    assert.doesNotMatch(log, /424242/);
  });

  it('deliver() does not wait for a slow SMTP server; close() waits for the send', async () => {
    const sink = await startSink({
      onConnect(_session, cb) {
        setTimeout(() => cb(), 600);
      },
    });
    const t = await startTestServer(smtpBackend!, { consoleMessages: false, smtpHost: '127.0.0.1', smtpPort: sink.port });
    try {
      const poolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'smtp-slow' }))).UserPool!.Id!;
      const t0 = performance.now();
      await t.server.delivery.deliver(email({ poolId }));
      const ms = performance.now() - t0;
      assert.ok(ms < 300, `deliver() took ${ms} ms`);
      assert.equal(sink.received.length, 0);
    } finally {
      await t.close();
    }
    assert.equal(sink.received.length, 1, 'close() let the send finish');
    await sink.close();
  });
});

describe('messages endpoint switched off', () => {
  it('answers 404 with --messages-endpoint false', async () => {
    const [b] = await backends();
    const t = await startTestServer(b!, { messagesEndpoint: false });
    try {
      const res = await adminFetch(`${t.url}/_incognito/messages?userPoolId=us-east-1_x`);
      assert.equal(res.status, 404);
      await res.text();
    } finally {
      await t.close();
    }
  });
});
