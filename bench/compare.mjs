#!/usr/bin/env node
// SQLite and PostgreSQL side by side, in one run, on the hot paths of issue 21, with the goals:
// PostgreSQL at 80% or more of SQLite's rate; a 100,000-user pool within 20% of a 1,000-user pool.
// One server process per store and pool size (the real command line, dist/src/cli.js), each with two
// pools filled by a user import job (the state right after an import: no statistics on PostgreSQL):
// a plain pool (usernames, AliasAttributes email) and an email-as-username pool (UsernameAttributes
// email), plus --signed users a pool with a password, signed in. wrk (its own process, 1 thread,
// --connections) runs each case against every target in turn, --rounds times, the targets
// interleaved within each case; the table gives medians over the rounds (and every round).
// Cases: AdminGetUser and GetUser in both pools; ListUsers (60 a page) without filter, `email =`,
// `given_name =`; InitiateAuth REFRESH_TOKEN_AUTH; POST /oauth2/token client_credentials and
// authorization_code (codes are single use: before each run, --codes codes issued through
// /oauth2/authorize with the hosted session cookie of a user signed in on the login page, not counted);
// InitiateAuth USER_PASSWORD_AUTH (argon2id: bound by the hash, by design). Also the RS256 signatures
// a second of one core in this process, the ceiling of the token paths (2 signatures a refresh, 1 a
// client_credentials token, 2 an authorization_code exchange: ID and access tokens).
// After the table: the CPU a request of each server process and of its PostgreSQL backends (/proc, Linux).
//   npm run build && node bench/compare.mjs [--sizes 1000,100000] [--rounds 3] [--seconds 5]
//     [--connections 32] [--signed 20] [--codes 12000] [--code-users 1] [--cases AdminGetUser,GetUser,...] [--stores sqlite,postgres]
//     [--node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"] (options for the servers' node, e.g. to profile them)
//     [--pin] (each server on core 0 and wrk on core 1, taskset: what a request costs on one core, the server's
//     threads sharing it; the signing ceiling then measured on core 0 too, before each token case of each round)
//     [--restart] (every server stopped and started again after seeding, before the runs: the state after a restart)
//     [--builds before=/path/to/old/dist/src/cli.js,after=dist/src/cli.js] (builds side by side in the same
//     run, each with every store and size, all interleaved; a row a case and build)
// PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), one scratch schema a server.
import { spawn, execFileSync } from 'node:child_process';
import { generateKeyPairSync, sign } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { backendsOf, cpuSeconds } from './proc-cpu.mjs';

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const opt = (name, d) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : d;
};
const ALL_CASES = [
  'AdminGetUser',
  'AdminGetUser (email as username)',
  'GetUser',
  'GetUser (email as username)',
  'ListUsers, no filter',
  'ListUsers, email =',
  'ListUsers, given_name =',
  'REFRESH_TOKEN_AUTH',
  'token: client_credentials',
  'token: authorization_code',
  'USER_PASSWORD_AUTH',
];
const o = {
  sizes: opt('--sizes', '1000').split(',').map(Number),
  stores: opt('--stores', 'sqlite,postgres').split(',').filter(Boolean),
  rounds: Number(opt('--rounds', '3')),
  seconds: Number(opt('--seconds', '5')),
  connections: Number(opt('--connections', '32')),
  signed: Number(opt('--signed', '20')),
  codes: Number(opt('--codes', '12000')),
  // How many of the signed-in users the codes are spread over (each signed in on the hosted page): 1, one user's codes (as before).
  codeUsers: Number(opt('--code-users', '1')),
  // Cases by the start of their names, separated by ',' (or by ';' when a name holds a comma: 'ListUsers, email =').
  cases: opt('--cases', '') ? opt('--cases', '').split(opt('--cases', '').includes(';') ? ';' : ',').map((c) => ALL_CASES.find((a) => a.startsWith(c.trim()))).filter(Boolean) : ALL_CASES,
  restart: args.includes('--restart'),
  pin: args.includes('--pin'),
  cli: path.join(here, '../dist/src/cli.js'),
  nodeArgs: opt('--node-args', '').split(' ').filter(Boolean),
  builds: opt('--builds', '')
    ? opt('--builds', '').split(',').map((b) => ({ label: b.slice(0, b.indexOf('=')), cli: path.resolve(b.slice(b.indexOf('=') + 1)) }))
    : [{ label: '', cli: path.join(here, '../dist/src/cli.js') }],
};
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PASSWORD = 'Bench-Password-1';
const ROLE = 'arn:aws:iam::123456789012:role/CognitoImport';

try {
  execFileSync('wrk', ['--version'], { stdio: 'ignore' });
} catch (e) {
  if (e.code === 'ENOENT') {
    console.error('wrk is not installed (apt-get install -y wrk)');
    process.exit(2);
  }
}

function startProcess(argv, match) {
  return new Promise((resolve, reject) => {
    const proc = o.pin ? spawn('taskset', ['-c', '0', process.execPath, ...argv], { stdio: ['ignore', 'pipe', 'pipe'] }) : spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = (b) => {
      out += b.toString();
      const m = match.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.removeListener('exit', onExit);
        proc.stdout.removeListener('data', onData);
        proc.stderr.removeListener('data', onData);
        proc.stdout.resume();
        proc.stderr.resume();
        resolve({ proc, url: m[1] });
      }
    };
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onData);
    const onExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    };
    proc.once('exit', onExit);
  });
}

const LISTENING = /"msg":"incognito listening","url":"([^"]+)"/;

function stopProcess(proc) {
  return new Promise((resolve) => {
    if (proc.exitCode !== null || proc.signalCode !== null) return resolve();
    proc.once('exit', () => resolve());
    proc.kill('SIGINT');
  });
}

async function call(url, op, body) {
  const res = await fetch(url + '/', {
    method: 'POST',
    headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${op}` },
    body: JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${op} answered ${res.status}: ${text}`);
  return JSON.parse(text);
}

async function parallel(items, width, fn) {
  let next = 0;
  await Promise.all(
    Array.from({ length: Math.min(width, items.length) }, async () => {
      while (next < items.length) {
        const i = next++;
        await fn(items[i], i);
      }
    }),
  );
}

/** Imports n users into a pool through a user import job; resolves once it Succeeded. */
async function importUsers(url, UserPoolId, n, emailAsUsername) {
  const { CSVHeader } = await call(url, 'GetCSVHeader', { UserPoolId });
  const col = new Map(CSVHeader.map((h, i) => [h, i]));
  const given = ['Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'Lucas', 'Mia', 'Hugo', 'Zoe', 'Omar'];
  const lines = [CSVHeader.join(',')];
  for (let i = 0; i < n; i++) {
    const cells = new Array(CSVHeader.length).fill('');
    const email = `user${i}@example.com`;
    cells[col.get('cognito:username')] = emailAsUsername ? email : `user${i}`;
    cells[col.get('email')] = email;
    cells[col.get('email_verified')] = 'true';
    // 100 users of each given_name value ('Emma0', ...) at every size from 1,000 users: a full page of
    // 60 and a PaginationToken each, the same answer whatever the pool's size. (Before, n / 600 values
    // a name gave 50 users a value at 1,000 users but 60 at 100,000: a fifth more rows to read and
    // answer in the larger pool, counted against its flatness.)
    cells[col.get('given_name')] = `${given[i % given.length]}${Math.floor(i / given.length) % Math.max(1, Math.floor(n / 1000))}`;
    cells[col.get('family_name')] = `Family${i % 97}`;
    cells[col.get('cognito:mfa_enabled')] = 'false';
    lines.push(cells.join(','));
  }
  const { UserImportJob: job } = await call(url, 'CreateUserImportJob', { UserPoolId, JobName: 'compare', CloudWatchLogsRoleArn: ROLE });
  const put = await fetch(job.PreSignedUrl, { method: 'PUT', body: lines.join('\n') + '\n', headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
  if (put.status !== 200) throw new Error(`upload answered ${put.status}: ${await put.text()}`);
  await call(url, 'StartUserImportJob', { UserPoolId, JobId: job.JobId });
  for (;;) {
    const { UserImportJob: j } = await call(url, 'DescribeUserImportJob', { UserPoolId, JobId: job.JobId });
    if (j.Status === 'Succeeded' && j.ImportedUsers === n) return;
    if (j.Status !== 'Pending' && j.Status !== 'InProgress') throw new Error(`import ended ${j.Status}: ${JSON.stringify(j)}`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

const CALLBACK = 'https://app.example.com/callback';

/** Signs in on the hosted login page (the form's hidden fields, username, password); the session cookie. */
async function hostedSignIn(url, authorize, username) {
  const jar = new Map();
  const get = async (p, init = {}) => {
    const res = await fetch(new URL(p, url), { ...init, redirect: 'manual', headers: { ...init.headers, cookie: [...jar].map(([k, v]) => `${k}=${v}`).join('; ') } });
    for (const c of res.headers.getSetCookie()) {
      const pair = c.split(';')[0];
      jar.set(pair.slice(0, pair.indexOf('=')).trim(), pair.slice(pair.indexOf('=') + 1).trim());
    }
    return { status: res.status, location: res.headers.get('location'), html: await res.text() };
  };
  let page = await get(authorize);
  while (page.status === 302 || page.status === 303) page = await get(page.location);
  const form = /<form method="post" action="([^"]*)"[^>]*>([\s\S]*?)<\/form>/.exec(page.html);
  if (!form) throw new Error(`no login form:\n${page.html}`);
  const un = (s) => s.replace(/&amp;/g, '&').replace(/&quot;/g, '"').replace(/&#39;/g, "'").replace(/&lt;/g, '<').replace(/&gt;/g, '>');
  const body = new URLSearchParams();
  for (const m of form[2].matchAll(/<input type="hidden" name="([^"]*)" value="([^"]*)">/g)) body.set(un(m[1]), un(m[2]));
  body.set('username', username);
  body.set('password', PASSWORD);
  const back = await get(un(form[1]), { method: 'POST', body, headers: { 'content-type': 'application/x-www-form-urlencoded' } });
  if (back.status !== 302 || !back.location?.startsWith(CALLBACK)) throw new Error(`hosted sign-in answered ${back.status} ${back.location}:\n${back.html}`);
  return [...jar].map(([k, v]) => `${k}=${v}`).join('; ');
}

/** n single-use codes from /oauth2/authorize with the session cookie (8 requests at a time): the case's bodies. */
async function issueCodes({ url, authorize, cookies, body }, n) {
  const bodies = [];
  await parallel(Array.from({ length: n }, (_, i) => cookies[i % cookies.length]), 8, async (cookie) => {
    const res = await fetch(url + authorize, { redirect: 'manual', headers: { cookie } });
    await res.arrayBuffer();
    const code = res.status === 302 ? new URL(res.headers.get('location')).searchParams.get('code') : null;
    if (!code) throw new Error(`/oauth2/authorize answered ${res.status} ${res.headers.get('location')}`);
    bodies.push(body(code));
  });
  return bodies;
}

/** Two pools of n imported users, signed-in users, a machine client: every case's requests. */
async function seed(url, n) {
  const plain = (await call(url, 'CreateUserPool', { PoolName: 'plain', AliasAttributes: ['email'], AutoVerifiedAttributes: ['email'] })).UserPool.Id;
  const byEmail = (await call(url, 'CreateUserPool', { PoolName: 'email', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] })).UserPool.Id;
  await importUsers(url, plain, n, false);
  await importUsers(url, byEmail, n, true);
  const clientOf = async (UserPoolId) =>
    (await call(url, 'CreateUserPoolClient', { UserPoolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })).UserPoolClient.ClientId;
  const plainClient = await clientOf(plain);
  const emailClient = await clientOf(byEmail);
  await call(url, 'CreateResourceServer', { UserPoolId: plain, Identifier: 'https://api.example.com', Name: 'api', Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }] });
  const m2m = (
    await call(url, 'CreateUserPoolClient', {
      UserPoolId: plain,
      ClientName: 'm2m',
      GenerateSecret: true,
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['client_credentials'],
      AllowedOAuthScopes: ['https://api.example.com/read'],
    })
  ).UserPoolClient;
  // Signed-in users: new users with a password (imported users must reset theirs first).
  const signed = { plain: [], email: [] };
  const names = Array.from({ length: o.signed }, (_, i) => i);
  await parallel(names, 4, async (i) => {
    for (const [pool, client, Username, list] of [
      [plain, plainClient, `signed${i}`, signed.plain],
      [byEmail, emailClient, `signed${i}@example.org`, signed.email],
    ]) {
      await call(url, 'AdminCreateUser', { UserPoolId: pool, Username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: pool === plain ? `signed${i}@example.org` : Username }, { Name: 'email_verified', Value: 'true' }] });
      await call(url, 'AdminSetUserPassword', { UserPoolId: pool, Username, Password: PASSWORD, Permanent: true });
      const r = await call(url, 'InitiateAuth', { ClientId: client, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: Username, PASSWORD } });
      list.push({ Username, access: r.AuthenticationResult.AccessToken, refresh: r.AuthenticationResult.RefreshToken });
    }
  });
  // authorization_code: a web client, and a user signed in on the hosted login page (its session
  // cookie lets /oauth2/authorize issue codes without the page: issueCodes).
  const web = (
    await call(url, 'CreateUserPoolClient', {
      UserPoolId: plain,
      ClientName: 'web',
      AllowedOAuthFlowsUserPoolClient: true,
      AllowedOAuthFlows: ['code'],
      AllowedOAuthScopes: ['openid', 'email'],
      CallbackURLs: [CALLBACK],
      SupportedIdentityProviders: ['COGNITO'],
    })
  ).UserPoolClient.ClientId;
  const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: web, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid email' })}`;
  const cookies = [];
  for (const u of signed.plain.slice(0, Math.max(1, o.codeUsers))) cookies.push(await hostedSignIn(url, authorize, u.Username));
  // Names spread over the pool (the hot rows are not all at one end of the index).
  const spread = (k) => Array.from({ length: 200 }, (_, j) => Math.floor((j * (n - 1)) / 199));
  const target = 'AWSCognitoIdentityProviderService.';
  const json = (op, bodies) => ({ path: '/', headers: { 'Content-Type': 'application/x-amz-json-1.1', 'X-Amz-Target': target + op }, bodies: bodies.map((b) => JSON.stringify(b)) });
  const given = ['Emma', 'Liam', 'Olivia', 'Noah', 'Ava', 'Lucas', 'Mia', 'Hugo', 'Zoe', 'Omar'];
  return {
    AdminGetUser: json('AdminGetUser', spread(0).map((i) => ({ UserPoolId: plain, Username: `user${i}` }))),
    'AdminGetUser (email as username)': json('AdminGetUser', spread(0).map((i) => ({ UserPoolId: byEmail, Username: `user${i}@example.com` }))),
    GetUser: json('GetUser', signed.plain.map((s) => ({ AccessToken: s.access }))),
    'GetUser (email as username)': json('GetUser', signed.email.map((s) => ({ AccessToken: s.access }))),
    'ListUsers, no filter': json('ListUsers', [{ UserPoolId: plain, Limit: 60 }]),
    'ListUsers, email =': json('ListUsers', spread(0).map((i) => ({ UserPoolId: plain, Limit: 60, Filter: `email = "user${i}@example.com"` }))),
    'ListUsers, given_name =': json('ListUsers', given.map((g) => ({ UserPoolId: plain, Limit: 60, Filter: `given_name = "${g}0"` }))),
    REFRESH_TOKEN_AUTH: json('InitiateAuth', signed.plain.map((s) => ({ ClientId: plainClient, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: s.refresh } }))),
    'token: client_credentials': {
      path: '/oauth2/token',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: `Basic ${Buffer.from(`${m2m.ClientId}:${m2m.ClientSecret}`).toString('base64')}` },
      bodies: ['grant_type=client_credentials'],
    },
    'token: authorization_code': {
      path: '/oauth2/token',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded' },
      // The bodies: issued before each run (issueCodes).
      codes: { url, authorize, cookies, body: (code) => new URLSearchParams({ grant_type: 'authorization_code', client_id: web, code, redirect_uri: CALLBACK }).toString() },
      bodies: [],
    },
    USER_PASSWORD_AUTH: json('InitiateAuth', signed.email.map((s) => ({ ClientId: emailClient, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: s.Username, PASSWORD } }))),
  };
}

/** The wrk Lua script: the bodies in turn, to one path with its headers; prints one JSON line. */
function luaScript({ headers, bodies }, once = false) {
  const list = bodies.map((b) => `[==[${b}]==]`).join(',\n');
  return `
wrk.method = "POST"
${Object.entries(headers).map(([k, v]) => `wrk.headers["${k}"] = "${v}"`).join('\n')}
local bodies = {
${list}
}
local requests = {}
local i = 0
init = function(args)
  for k, b in ipairs(bodies) do requests[k] = wrk.format(nil, nil, nil, b) end
end
request = function()
  i = i + 1
  if i > #requests then
    ${once ? 'wrk.thread:stop()' : ''}
    i = 1
  end
  return requests[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKRESULT {"requests":%d,"us":%d,"non2xx":%d,"socketErrors":%d,"p99":%.3f}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout, latency:percentile(99) / 1000))
end
`;
}

function runWrk(url, script) {
  return new Promise((resolve, reject) => {
    const proc = spawn(o.pin ? 'taskset' : 'wrk', [...(o.pin ? ['-c', '1', 'wrk'] : []), '-t1', `-c${o.connections}`, `-d${o.seconds}s`, '-s', script, url], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (b) => (out += b));
    proc.stderr.on('data', (b) => (out += b));
    proc.on('exit', (code) => {
      const m = /WRKRESULT (\{.*\})/.exec(out);
      if (code !== 0 || !m) return reject(new Error(`wrk failed (${code}):\n${out}`));
      const r = JSON.parse(m[1]);
      resolve({ requests: r.requests, rps: r.requests / (r.us / 1e6), p99: r.p99, bad: r.non2xx + r.socketErrors });
    });
  });
}

/** CPU seconds of a server process and of its PostgreSQL backends (those there at the time). */
async function cpuOf(t) {
  const backends = t.store === 'postgres' ? await backendsOf(t.pid, DATABASE_URL) : [];
  return { server: cpuSeconds(t.pid), backends: new Map(backends.map((b) => [b, cpuSeconds(b) ?? 0])) };
}

/**
 * RS256 signatures a second, one core, this process (node:crypto on a KeyObject), for 1.5 s; with
 * --pin, this process on core 0 meanwhile (the servers' core), then on every core again.
 */
function signsPerSecond() {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const data = Buffer.alloc(600, 1);
  if (o.pin) execFileSync('taskset', ['-a', '-pc', '0', String(process.pid)], { stdio: 'ignore' });
  let n = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 1500) {
    sign('sha256', data, privateKey);
    n++;
  }
  const rate = n / ((performance.now() - t0) / 1000);
  if (o.pin) execFileSync('taskset', ['-a', '-pc', `0-${os.cpus().length - 1}`, String(process.pid)], { stdio: 'ignore' });
  return rate;
}

const TOKEN_CASES = new Set(['REFRESH_TOKEN_AUTH', 'token: client_credentials', 'token: authorization_code']);

/** A case's row: with --builds, the build's label after the case. */
const rowName = (name, build) => (build ? `${name} [${build}]` : name);

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};
const fmt = (x) => Math.round(x).toLocaleString('en-US');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-compare-'));
const servers = [];
const schemas = [];
let stopping = false;
async function cleanup() {
  if (stopping) return;
  stopping = true;
  await Promise.all(servers.map((s) => stopProcess(s.proc)));
  fs.rmSync(tmp, { recursive: true, force: true });
  if (schemas.length) {
    const pg = (await import('pg')).default;
    const c = new pg.Client({ connectionString: DATABASE_URL });
    await c.connect();
    for (const s of schemas) await c.query(`DROP SCHEMA IF EXISTS ${s} CASCADE`);
    await c.end();
  }
}
for (const signal of ['SIGINT', 'SIGTERM']) process.once(signal, () => cleanup().finally(() => process.exit(130)));

try {
  const targets = [];
  for (const build of o.builds) for (const size of o.sizes) {
    for (const store of o.stores) {
      const dir = path.join(tmp, `${build.label}${store}-${size}`);
      const storeArgs = ['--data-dir', dir];
      if (store === 'postgres') {
        const schema = `bench_cmp_${process.pid}_${targets.length}`;
        schemas.push(schema);
        storeArgs.push('--database-url', DATABASE_URL, '--database-schema', schema);
      }
      const argv = (port) => [...o.nodeArgs, build.cli, '--port', String(port), '--log-requests', 'false', '--console-messages', 'false', ...storeArgs];
      const s = await startProcess(argv(0), LISTENING);
      servers.push(s);
      const t0 = performance.now();
      const requests = await seed(s.url, size);
      const cases = {};
      for (const name of o.cases) {
        const r = requests[name];
        // One request first: a case that fails would only measure errors.
        const [first] = r.codes ? await issueCodes(r.codes, 1) : r.bodies;
        const res = await fetch(s.url + r.path, { method: 'POST', headers: r.headers, body: first });
        if (!res.ok) throw new Error(`${name} on ${store} answered ${res.status}: ${await res.text()}`);
        const script = path.join(tmp, `${build.label}${store}-${size}-${o.cases.indexOf(name)}.lua`);
        if (!r.codes) fs.writeFileSync(script, luaScript(r));
        cases[name] = { script, url: s.url + r.path, request: r };
      }
      console.error(`${build.label ? `${build.label}: ` : ''}${store}, ${size} users a pool: ${s.url}, seeded in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
      targets.push({ build: build.label, store, size, cases, server: s, argv, pid: s.proc.pid });
    }
  }
  if (o.restart) {
    // Each server stopped and started again on its port (the tokens' issuer is its URL) and data: new
    // connections, plans made anew on the filled tables, SQLite's page cache cold.
    for (const t of targets) {
      await stopProcess(t.server.proc);
      const again = await startProcess(t.argv(new URL(t.server.url).port), LISTENING);
      servers[servers.indexOf(t.server)] = again;
      t.server = again;
      t.pid = again.proc.pid;
    }
    console.error('every server restarted after seeding');
  }
  const results = new Map(); // `${case}|${store}|${size}` → [{ rps, p99, bad }]
  const signs = [];
  for (let round = 0; round < o.rounds; round++) {
    if (!o.pin) signs.push(signsPerSecond());
    for (const name of o.cases) {
      // Pinned: the ceiling measured on the servers' core right before each token case (the machine's speed drifts).
      if (o.pin && TOKEN_CASES.has(name)) signs.push(signsPerSecond());
      // The targets interleaved, each round in another order.
      const order = targets.map((_, i) => targets[(i + round) % targets.length]);
      for (const t of order) {
        const c = t.cases[name];
        // Single-use codes: issued for this run, before it (not counted); wrk stops when they run out.
        if (c.request.codes) fs.writeFileSync(c.script, luaScript({ ...c.request, bodies: await issueCodes(c.request.codes, o.codes) }, true));
        const cpuBefore = await cpuOf(t);
        const r = await runWrk(c.url, c.script);
        // CPU a request (less noisy than rates on a shared machine): the server's, and its PostgreSQL backends'.
        const cpuAfter = await cpuOf(t);
        if (cpuBefore.server !== undefined && cpuAfter.server !== undefined && r.requests) r.serverUs = ((cpuAfter.server - cpuBefore.server) / r.requests) * 1e6;
        if (t.store === 'postgres' && r.requests) {
          let pgCpu = 0;
          for (const [pid, cpu] of cpuAfter.backends) pgCpu += cpu - (cpuBefore.backends.get(pid) ?? 0);
          r.pgUs = (pgCpu / r.requests) * 1e6;
        }
        const key = `${rowName(name, t.build)}|${t.store}|${t.size}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(r);
        console.error(
          `round ${round + 1}: ${rowName(name, t.build)}, ${t.store}, ${t.size}: ${fmt(r.rps)}/s p99 ${r.p99.toFixed(1)} ms` +
            `${r.serverUs !== undefined ? `, server CPU ${r.serverUs.toFixed(0)} µs/req` : ''}${r.pgUs !== undefined ? `, PostgreSQL CPU ${r.pgUs.toFixed(0)} µs/req` : ''}${r.bad ? `, ${r.bad} failed` : ''}`,
        );
      }
    }
  }
  const signRate = median(signs);
  const cpus = os.cpus().length;
  console.log(
    `\nincognito, SQLite and PostgreSQL side by side: node ${process.version}, ${cpus} CPUs, wrk -t1 -c${o.connections} -d${o.seconds}s, ${o.rounds} rounds ` +
      `(targets interleaved), pools filled by an import job (no ANALYZE)${o.restart ? ', every server restarted after seeding' : ''}, ${o.signed} signed-in users a pool; medians (every round in brackets).`,
  );
  console.log(`RS256 signatures alone, one core, this process: ${fmt(signRate)}/s (rounds: ${signs.map(fmt).join(', ')}).\n`);
  const sizes = o.sizes;
  const head = ['path'];
  for (const size of sizes) head.push(...o.stores.map((s) => `${s === 'sqlite' ? 'SQLite' : 'PostgreSQL'}, ${fmt(size)} users`), ...(o.stores.length === 2 ? [`PG/SQLite, ${fmt(size)} (goal ≥ 0.80)`] : []));
  if (sizes.length > 1) for (const s of o.stores) head.push(`${s === 'sqlite' ? 'SQLite' : 'PostgreSQL'} ${fmt(sizes.at(-1))}/${fmt(sizes[0])} (goal ≥ 0.80)`);
  head.push('p99 ms (' + o.stores.map((s) => (s === 'sqlite' ? 'SQLite' : 'PG')).join(' / ') + `, ${fmt(sizes.at(-1))})`);
  console.log(`| ${head.join(' | ')} |`);
  console.log(`| --- | ${head.slice(1).map(() => '---:').join(' | ')} |`);
  const med = (name, store, size) => median(results.get(`${name}|${store}|${size}`).map((r) => r.rps));
  const rows = o.cases.flatMap((name) => o.builds.map((b) => rowName(name, b.label)));
  for (const name of rows) {
    const cells = [name];
    for (const size of sizes) {
      for (const store of o.stores) {
        const rs = results.get(`${name}|${store}|${size}`);
        cells.push(`${fmt(med(name, store, size))} (${rs.map((r) => fmt(r.rps)).join(', ')})`);
      }
      if (o.stores.length === 2) cells.push((med(name, 'postgres', size) / med(name, 'sqlite', size)).toFixed(2));
    }
    if (sizes.length > 1) for (const store of o.stores) cells.push((med(name, store, sizes.at(-1)) / med(name, store, sizes[0])).toFixed(2));
    cells.push(o.stores.map((store) => median(results.get(`${name}|${store}|${sizes.at(-1)}`).map((r) => r.p99)).toFixed(1)).join(' / '));
    console.log(`| ${cells.join(' | ')} |`);
  }
  // CPU a request, medians over the rounds: the server process, and (PostgreSQL) its backends.
  const cpuRows = rows.flatMap((name) => sizes.flatMap((size) => o.stores.map((store) => [name, store, size, results.get(`${name}|${store}|${size}`)])));
  if (cpuRows.some(([, , , rs]) => rs.every((r) => r.serverUs !== undefined))) {
    console.log('\nCPU a request (µs, medians over the rounds): server process; PostgreSQL backends (those of the server at the end of each run); together:');
    for (const [name, store, size, rs] of cpuRows) {
      if (!rs.every((r) => r.serverUs !== undefined)) continue;
      const server = median(rs.map((r) => r.serverUs));
      const pgUs = store === 'postgres' && rs.every((r) => r.pgUs !== undefined) ? median(rs.map((r) => r.pgUs)) : undefined;
      const both = median(rs.map((r) => r.serverUs + (r.pgUs ?? 0)));
      console.log(`- ${name}, ${store}, ${fmt(size)} users: server ${server.toFixed(0)}${pgUs !== undefined ? `, PostgreSQL ${pgUs.toFixed(0)}, together ${both.toFixed(0)}` : ''}`);
    }
  }
  // The token paths against the signing ceiling (2 signatures a refresh, 1 a client_credentials token).
  const ceilings = [
    ['REFRESH_TOKEN_AUTH', 2],
    ['token: client_credentials', 1],
    ['token: authorization_code', 2],
  ]
    .filter(([name]) => o.cases.includes(name))
    .flatMap(([name, k]) => o.builds.map((b) => [rowName(name, b.label), k]));
  if (ceilings.length) {
    console.log(`\nToken paths against RS256 signing alone (${fmt(signRate)}/s; goal ≥ 0.80):`);
    for (const [name, k] of ceilings) {
      for (const size of sizes) {
        console.log(`- ${name}, ${fmt(size)} users: ${o.stores.map((store) => `${store} ${((med(name, store, size) * k) / signRate).toFixed(2)}`).join(', ')}`);
      }
    }
  }
  const failed = [...results.entries()].filter(([, rs]) => rs.some((r) => r.bad));
  if (failed.length) {
    console.log(`\nFAILED requests: ${failed.map(([k, rs]) => `${k}: ${rs.map((r) => r.bad).join('/')}`).join('; ')}`);
    process.exitCode = 1;
  }
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await cleanup();
}
