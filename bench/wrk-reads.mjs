#!/usr/bin/env node
// The hot reads measured with wrk from a separate process, against servers started for the purpose
// as separate processes (the real command line, dist/src/cli.js), next to the HTTP ceiling of the
// machine (bench/ceiling-server.mjs: plain node:http, JSON in and out, no database; replying at once
// and, with --defer, a turn of the event loop later):
//   - AdminGetUser, rotating over --users users;
//   - GetUser, rotating over the access tokens of --tokens sign-ins (signature check, sign-in and user read).
// Each target gets a pool, an app client and --users users created through the API (two argon2id
// hashes a user), then the measurement runs --rounds times, the targets interleaved within each round,
// and the table shows the median (and every run) of requests/s, the median p99, and the median CPU
// time a request of the server process and (PostgreSQL) of its backends, from /proc: user + system
// over the run, wrk's start and end included.
//   npm run build && node bench/wrk-reads.mjs [--stores sqlite,postgres] [--ops AdminGetUser,GetUser]
//     [--rounds 3] [--seconds 5] [--connections 32] [--threads 1] [--users 100] [--tokens 20]
//     [--no-ceiling] [--builds before=/path/to/old/dist/src/cli.js,after=dist/src/cli.js]
//     [--node-args "--cpu-prof --cpu-prof-dir=/tmp/prof"] [--server-args "--log-requests true"]
// --builds compares command lines (e.g. a build of another commit) under the same conditions; a
// build's own server arguments follow its path after spaces, e.g. to compare a setting:
//   --builds "metrics-on=dist/src/cli.js --metrics true,metrics-off=dist/src/cli.js --metrics false"
// PostgreSQL: DATABASE_URL (default postgres://postgres@127.0.0.1:5432/test), one scratch schema a server.
import { spawn, execFileSync } from 'node:child_process';
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
const o = {
  stores: opt('--stores', 'sqlite,postgres').split(',').filter(Boolean),
  ops: opt('--ops', 'AdminGetUser,GetUser').split(',').filter(Boolean),
  rounds: Number(opt('--rounds', '3')),
  seconds: Number(opt('--seconds', '5')),
  connections: Number(opt('--connections', '32')),
  threads: Number(opt('--threads', '1')),
  users: Number(opt('--users', '100')),
  tokens: Number(opt('--tokens', '20')),
  ceiling: !args.includes('--no-ceiling'),
  builds: opt('--builds', `current=${path.join(here, '../dist/src/cli.js')}`)
    .split(',')
    .map((b) => [b.slice(0, b.indexOf('=')), ...b.slice(b.indexOf('=') + 1).split(' ').filter(Boolean)])
    .map(([name, cli, ...buildArgs]) => ({ name, cli: path.resolve(cli), args: buildArgs })),
  nodeArgs: (opt('--node-args', '') || '').split(' ').filter(Boolean),
  serverArgs: (opt('--server-args', '') || '').split(' ').filter(Boolean),
};
const DATABASE_URL = process.env.DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/test';
const PASSWORD = 'Bench-Password-1';

try {
  execFileSync('wrk', ['--version'], { stdio: 'ignore' });
} catch (e) {
  // wrk --version exits 1 after printing; only a missing binary is a problem.
  if (e.code === 'ENOENT') {
    console.error('wrk is not installed (apt-get install -y wrk)');
    process.exit(2);
  }
}

/** Spawns a server process and resolves with its URL once it prints it. */
function startProcess(argv, match, env = {}) {
  return new Promise((resolve, reject) => {
    const proc = spawn(process.execPath, argv, { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, ...env } });
    let out = '';
    const timer = setTimeout(() => reject(new Error(`server did not start:\n${out}`)), 30_000);
    const onData = (b) => {
      out += b.toString();
      const m = match.exec(out);
      if (m) {
        clearTimeout(timer);
        proc.removeListener('exit', onExit);
        // From now on the output (request logs, with --server-args '--log-requests true') is read and dropped.
        proc.stdout.removeListener('data', onData);
        proc.stderr.removeListener('data', onErr);
        proc.stdout.resume();
        proc.stderr.resume();
        resolve({ proc, url: m[1] });
      }
    };
    const onErr = (b) => (out += b.toString());
    proc.stdout.on('data', onData);
    proc.stderr.on('data', onErr);
    const onExit = (code) => {
      clearTimeout(timer);
      reject(new Error(`server exited with ${code}:\n${out}`));
    };
    proc.once('exit', onExit);
  });
}

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

/** A pool, a client, --users users (the first --tokens signed in): the request bodies of each op. */
async function seed(url) {
  const { UserPool } = await call(url, 'CreateUserPool', { PoolName: 'bench' });
  const { UserPoolClient } = await call(url, 'CreateUserPoolClient', {
    UserPoolId: UserPool.Id,
    ClientName: 'bench',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
  });
  const usernames = Array.from({ length: o.users }, (_, i) => `user${i}`);
  await parallel(usernames, 4, async (Username, i) => {
    await call(url, 'AdminCreateUser', {
      UserPoolId: UserPool.Id,
      Username,
      MessageAction: 'SUPPRESS',
      UserAttributes: [
        { Name: 'email', Value: `${Username}@example.com` },
        { Name: 'email_verified', Value: 'true' },
      ],
    });
    if (i < o.tokens) await call(url, 'AdminSetUserPassword', { UserPoolId: UserPool.Id, Username, Password: PASSWORD, Permanent: true });
  });
  const tokens = [];
  await parallel(usernames.slice(0, o.tokens), 4, async (USERNAME) => {
    const r = await call(url, 'InitiateAuth', { ClientId: UserPoolClient.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD } });
    tokens.push(r.AuthenticationResult.AccessToken);
  });
  return {
    AdminGetUser: usernames.map((Username) => JSON.stringify({ UserPoolId: UserPool.Id, Username })),
    GetUser: tokens.map((AccessToken) => JSON.stringify({ AccessToken })),
  };
}

/** The wrk Lua script: POSTs the bodies in turn with the operation's headers, prints one JSON line. */
function luaScript(op, bodies) {
  const list = bodies.map((b) => `[==[${b}]==]`).join(',\n');
  return `
wrk.method = "POST"
wrk.headers["Content-Type"] = "application/x-amz-json-1.1"
wrk.headers["X-Amz-Target"] = "AWSCognitoIdentityProviderService.${op}"
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
  if i > #requests then i = 1 end
  return requests[i]
end
done = function(summary, latency, requests)
  local e = summary.errors
  io.write(string.format('WRKRESULT {"requests":%d,"us":%d,"non2xx":%d,"socketErrors":%d,"p50":%.3f,"p99":%.3f}\\n',
    summary.requests, summary.duration, e.status, e.connect + e.read + e.write + e.timeout,
    latency:percentile(50) / 1000, latency:percentile(99) / 1000))
end
`;
}

function runWrk(url, script) {
  return new Promise((resolve, reject) => {
    const proc = spawn('wrk', [`-t${o.threads}`, `-c${o.connections}`, `-d${o.seconds}s`, '-s', script, url + '/'], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    proc.stdout.on('data', (b) => (out += b));
    proc.stderr.on('data', (b) => (out += b));
    proc.on('exit', (code) => {
      const m = /WRKRESULT (\{.*\})/.exec(out);
      if (code !== 0 || !m) return reject(new Error(`wrk failed (${code}):\n${out}`));
      const r = JSON.parse(m[1]);
      resolve({ requests: r.requests, rps: r.requests / (r.us / 1e6), p50: r.p50, p99: r.p99, bad: r.non2xx + r.socketErrors });
    });
  });
}

/** CPU seconds of the server process and of its PostgreSQL backends (those there at the end). */
async function cpuOf(target) {
  const server = cpuSeconds(target.pid);
  const backends = target.postgres ? await backendsOf(target.pid, DATABASE_URL) : [];
  return { server, backends: new Map(backends.map((b) => [b, cpuSeconds(b) ?? 0])) };
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

const cpuMedian = (rs, key) => (rs.every((r) => r[key] !== undefined) ? median(rs.map((r) => r[key])).toFixed(0) : '');

const tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-wrk-'));
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
  /** Every target: { label, url, cases: [{ op, script }] }. */
  const targets = [];
  for (const build of o.builds) {
    for (const store of o.stores) {
      const dir = path.join(tmp, `${build.name}-${store}`);
      const storeArgs = ['--data-dir', dir];
      if (store === 'postgres') {
        const schema = `bench_wrk_${process.pid}_${targets.length}`;
        schemas.push(schema);
        storeArgs.push('--database-url', DATABASE_URL, '--database-schema', schema);
      }
      const s = await startProcess(
        [...o.nodeArgs, build.cli, '--port', '0', '--log-requests', 'false', '--console-messages', 'false', ...storeArgs, ...o.serverArgs, ...build.args],
        /"msg":"incognito listening","url":"([^"]+)"/,
      );
      servers.push(s);
      const t0 = performance.now();
      const bodies = await seed(s.url);
      const seeded = ((performance.now() - t0) / 1000).toFixed(1);
      const label = o.builds.length > 1 ? `${build.name}, ${store}` : store;
      const cases = [];
      for (const op of o.ops) {
        // One call first: a case that fails would only measure errors.
        await call(s.url, op, JSON.parse(bodies[op][0]));
        const script = path.join(tmp, `${build.name}-${store}-${op}.lua`);
        fs.writeFileSync(script, luaScript(op, bodies[op]));
        cases.push({ op, script });
      }
      console.error(`${label}: ${s.url}, seeded in ${seeded} s`);
      targets.push({ label, url: s.url, cases, pid: s.proc.pid, postgres: store === 'postgres' });
    }
  }
  if (o.ceiling) {
    const bodies = Array.from({ length: o.users }, (_, i) => JSON.stringify({ UserPoolId: 'us-east-1_ceiling', Username: `user${i}` }));
    const script = path.join(tmp, 'ceiling.lua');
    fs.writeFileSync(script, luaScript('AdminGetUser', bodies));
    // Replying in the request's own turn of the event loop, and a turn later (as incognito does once
    // its reads have run together at the end of the turn).
    for (const [flags, op] of [
      [[], 'node:http, JSON in and out'],
      [['--defer'], 'node:http, JSON in and out, replies a turn later'],
    ]) {
      const s = await startProcess([path.join(here, 'ceiling-server.mjs'), ...flags], /"url":"([^"]+)"/);
      servers.push(s);
      targets.push({ label: 'ceiling', url: s.url, cases: [{ op, script }], pid: s.proc.pid, postgres: false });
    }
  }

  const results = new Map();
  for (let round = 1; round <= o.rounds; round++) {
    for (const t of targets) {
      for (const c of t.cases) {
        const before = await cpuOf(t);
        const r = await runWrk(t.url, c.script);
        const after = await cpuOf(t);
        const n = r.requests;
        if (before.server !== undefined && after.server !== undefined) r.serverUs = ((after.server - before.server) / n) * 1e6;
        if (t.postgres) {
          // Backends opened during the run count from zero.
          let pgCpu = 0;
          for (const [pid, cpu] of after.backends) pgCpu += cpu - (before.backends.get(pid) ?? 0);
          r.pgUs = (pgCpu / n) * 1e6;
        }
        const key = `${t.label}\u0000${c.op}`;
        if (!results.has(key)) results.set(key, []);
        results.get(key).push(r);
        console.error(
          `round ${round}: ${t.label} ${c.op}: ${Math.round(r.rps)} req/s, p99 ${r.p99.toFixed(1)} ms` +
            `${r.serverUs !== undefined ? `, server CPU ${r.serverUs.toFixed(0)} µs/req` : ''}${r.pgUs !== undefined ? `, PostgreSQL CPU ${r.pgUs.toFixed(0)} µs/req` : ''}` +
            `${r.bad ? `, ${r.bad} errors or non-2xx` : ''}`,
        );
      }
    }
  }

  console.log(
    `wrk -t${o.threads} -c${o.connections} -d${o.seconds}s, ${o.rounds} rounds (targets interleaved), ${o.users} users, ` +
      `${o.tokens} access tokens, node ${process.version}, ${os.cpus().length} CPUs`,
  );
  console.log('| target | operation | req/s (median) | p99 ms (median) | req/s, every run | server CPU µs/req | PostgreSQL CPU µs/req | non-2xx or errors |');
  console.log('| --- | --- | ---: | ---: | --- | ---: | ---: | ---: |');
  for (const [key, rs] of results) {
    const [label, op] = key.split('\u0000');
    const bad = rs.reduce((n, r) => n + r.bad, 0);
    console.log(
      `| ${label} | ${op} | ${Math.round(median(rs.map((r) => r.rps)))} | ${median(rs.map((r) => r.p99)).toFixed(1)} | ` +
        `${rs.map((r) => Math.round(r.rps)).join(' / ')} | ${cpuMedian(rs, 'serverUs')} | ${cpuMedian(rs, 'pgUs')} | ${bad} |`,
    );
  }
} catch (e) {
  console.error(e);
  process.exitCode = 1;
} finally {
  await cleanup();
}
