/**
 * The command line as a new user meets it: `npm start` runs the build `npm install` made, without
 * compiling and without TypeScript at all; `--help` and `/health` answer; SIGTERM stops it
 * gracefully; a port in use, a data directory another incognito owns, a master key that does not
 * fit are one-line messages saying what to change.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, spawnSync } from 'node:child_process';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLI, kill, startCli } from './process.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

/** npm itself: the one running the tests when there is one, else the one on the PATH. */
function npm(args: string[], cwd: string) {
  const viaNode = process.env.npm_execpath?.endsWith('.js');
  return spawn(viaNode ? process.execPath : 'npm', viaNode ? [process.env.npm_execpath!, ...args] : args, {
    cwd,
    env: { ...process.env, npm_config_update_notifier: 'false' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
}

function finished(child: ReturnType<typeof spawn>): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (b: Buffer) => (stdout += b.toString()));
  child.stderr!.on('data', (b: Buffer) => (stderr += b.toString()));
  return new Promise((resolve) => child.on('close', (code) => resolve({ code, stdout, stderr })));
}

describe('npm start after npm install', () => {
  // A copy of the installed tree without TypeScript: package.json and the scripts, the build
  // (dist/src and its build info) and the sources with their times, and node_modules with every
  // package but typescript (links to this one's) and no .bin. Were `npm start` to compile, or to
  // need a devDependency at run time, it would fail here.
  let app: string;
  let dataDir: string;
  before(() => {
    app = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-app-'));
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-start-'));
    const copy = (rel: string) => fs.cpSync(path.join(ROOT, rel), path.join(app, rel), { recursive: true, preserveTimestamps: true });
    for (const rel of ['package.json', 'tsconfig.json', 'scripts', 'src', 'dist/src', 'dist/tsconfig.tsbuildinfo']) copy(rel);
    fs.mkdirSync(path.join(app, 'node_modules'));
    for (const name of fs.readdirSync(path.join(ROOT, 'node_modules'))) {
      if (name === 'typescript' || name === '.bin') continue;
      fs.symlinkSync(path.join(ROOT, 'node_modules', name), path.join(app, 'node_modules', name));
    }
    assert.throws(() => createRequire(path.join(app, 'package.json')).resolve('typescript'), 'the copy has no TypeScript');
  });
  after(() => {
    fs.rmSync(app, { recursive: true, force: true });
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('answers --help from the build', async () => {
    const r = await finished(npm(['start', '--silent', '--', '--help'], app));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /^usage: incognito \[options\]$/m);
    for (const flag of ['--port', '--tls-cert', '--tls-key', '--https-port']) assert.ok(r.stdout.includes(flag), flag);
    assert.doesNotMatch(r.stderr, /building dist/);
  });

  it('serves /health, and stops gracefully on SIGTERM to the process id it logs', async () => {
    const child = npm(['start', '--silent', '--', '--port', '0', '--data-dir', dataDir, '--log-requests', 'false'], app);
    const done = finished(child);
    const listening = await new Promise<{ url: string; pid: number }>((resolve, reject) => {
      let out = '';
      const timer = setTimeout(() => reject(new Error(`no listening line:\n${out}`)), 30_000);
      child.stdout!.on('data', (b: Buffer) => {
        out += b.toString();
        const m = /"msg":"incognito listening","url":"([^"]+)".*"pid":(\d+)/.exec(out);
        if (m) {
          clearTimeout(timer);
          resolve({ url: m[1]!, pid: Number(m[2]) });
        }
      });
      child.on('close', () => reject(new Error(`exited:\n${out}`)));
    });
    const health = await fetch(`${listening.url}/health`);
    assert.equal(health.status, 200);
    assert.deepEqual(await health.json(), { status: 'ok', store: 'sqlite' });
    process.kill(listening.pid, 'SIGTERM');
    const r = await done;
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stdout, /"msg":"received SIGTERM, shutting down"/);
    assert.doesNotMatch(r.stderr, /building dist/);
  });

  it('says so when a source changed since the build and TypeScript is not there to build it again', async () => {
    const now = new Date();
    fs.utimesSync(path.join(app, 'src', 'log.ts'), now, now);
    const r = await finished(npm(['start', '--silent', '--', '--help'], app));
    assert.equal(r.code, 0, r.stderr);
    assert.match(r.stderr, /src\/log\.ts changed since dist\/ was built, and TypeScript is not installed/);
    assert.match(r.stdout, /^usage: incognito/m);
  });
});

describe('a port in use', () => {
  let busy: net.Server;
  let port: number;
  let dataDir: string;
  before(async () => {
    busy = net.createServer();
    await new Promise<void>((resolve) => busy.listen(0, '127.0.0.1', resolve));
    port = (busy.address() as net.AddressInfo).port;
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-busy-'));
  });
  after(async () => {
    await new Promise((resolve) => busy.close(resolve));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('--port: names the address and how to choose another, without a stack trace', () => {
    const r = spawnSync(process.execPath, [CLI, '--port', String(port), '--data-dir', dataDir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr.trim(),
      `incognito: cannot listen on 127.0.0.1:${port}: the address is already in use (another incognito, or another program, is listening there). ` +
        `Stop that process (Ctrl-C, or kill <pid>), or choose another port with --port or INCOGNITO_PORT, for example: npm start -- --port ${port + 1}`,
    );
  });

  it('--https-port: the same for the HTTPS listener', async () => {
    const { makeSelfSigned } = await import('../src/tls.js');
    const files = await makeSelfSigned(path.join(dataDir, 'tls'), []);
    const r = spawnSync(process.execPath, [CLI, '--port', '0', '--https-port', String(port), '--tls-cert', files.cert, '--tls-key', files.key, '--data-dir', dataDir], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, new RegExp(`^incognito: cannot listen on 127\\.0\\.0\\.1:${port}: the address is already in use .* --https-port or INCOGNITO_HTTPS_PORT, for example: npm start -- --https-port ${port + 1}\\n$`));
    assert.doesNotMatch(r.stderr, /\n\s+at /);
  });
});

describe('other reasons not to start, in one line', () => {
  it('a data directory another incognito owns: stop it, or a --data-dir of its own', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-owned-'));
    const first = await startCli(['--data-dir', dataDir]);
    try {
      const r = spawnSync(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir], { encoding: 'utf8' });
      assert.equal(r.status, 1);
      assert.equal(
        r.stderr,
        `incognito: the database in ${dataDir} is in use by another incognito process (SQLite serves one process; use PostgreSQL for several nodes). ` +
          'Stop that process (Ctrl-C, or kill <pid>), or start this one with a --data-dir of its own (and another --port).\n',
      );
    } finally {
      await kill(first, 'SIGTERM');
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });

  it('a master key that does not fit the database', async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-key-'));
    try {
      const first = await startCli(['--data-dir', dataDir]);
      await kill(first, 'SIGTERM');
      const other = Buffer.alloc(32, 7).toString('base64');
      const r = spawnSync(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir], { encoding: 'utf8', env: { ...process.env, INCOGNITO_MASTER_KEY: other } });
      assert.equal(r.status, 1);
      assert.match(r.stderr, /^incognito: the master key does not match the one this database was set up with .*\n$/);
      assert.doesNotMatch(r.stderr, /\n\s+at /);
    } finally {
      fs.rmSync(dataDir, { recursive: true, force: true });
    }
  });
});

describe('the admin API on an address others can reach', () => {
  let dataDir: string;
  before(() => {
    dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-open-'));
  });
  after(() => fs.rmSync(dataDir, { recursive: true, force: true }));

  it('refuses a non-loopback --host without access keys, in one line saying what to do', () => {
    const r = spawnSync(process.execPath, [CLI, '--port', '0', '--host', '0.0.0.0', '--data-dir', dataDir], { encoding: 'utf8', env: { ...process.env, INCOGNITO_ACCESS_KEY_ID: '', INCOGNITO_SECRET_ACCESS_KEY: '', INCOGNITO_CREDENTIALS_FILE: '' } });
    assert.equal(r.status, 1);
    assert.equal(
      r.stderr,
      'incognito: refusing to listen on 0.0.0.0: no access keys are configured, so anyone who can reach this address could call the admin API ' +
        '(AdminCreateUser, ListUsers, DeleteUserPool, ...), read /_incognito/messages and use the web console. Configure keys with INCOGNITO_ACCESS_KEY_ID and ' +
        'INCOGNITO_SECRET_ACCESS_KEY, or --credentials-file FILE (see "Running in production" in the README), or add --insecure-admin ' +
        'to listen there without them (development only).\n',
    );
  });

  it('listens there with --insecure-admin, or with access keys (the listening line names the keys, never a secret)', async () => {
    const open = await startCli(['--host', '0.0.0.0', '--insecure-admin', '--data-dir', dataDir, '--log-requests', 'false']);
    try {
      assert.match(open.output(), /"accessKeys":"none \(admin operations are open: development only\)"/);
    } finally {
      await kill(open, 'SIGTERM');
    }
    const keyed = await startCli(['--host', '0.0.0.0', '--data-dir', dataDir], { INCOGNITO_ACCESS_KEY_ID: 'AKIDCLITEST00001', INCOGNITO_SECRET_ACCESS_KEY: 'cli-test-secret-0001' });
    try {
      assert.match(keyed.output(), /"accessKeys":\["admin"\]/);
      assert.ok(!keyed.output().includes('cli-test-secret-0001'));
      // The admin API needs the key now; the port answers on loopback too (0.0.0.0).
      const port = new URL(keyed.url).port;
      const r = await fetch(`http://127.0.0.1:${port}/`, { method: 'POST', headers: { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': 'AWSCognitoIdentityProviderService.ListUserPools' }, body: '{"MaxResults":1}' });
      assert.equal(((await r.json()) as { __type: string }).__type, 'MissingAuthenticationTokenException');
    } finally {
      await kill(keyed, 'SIGTERM');
    }
  });

  it('a credentials file that is not valid stops the start in one line', () => {
    const file = path.join(dataDir, 'keys.json');
    fs.writeFileSync(file, JSON.stringify([{ accessKeyId: 'AKIDONE', secretAccessKey: 'secret-one-1', policy: { Statement: [{ Effect: 'Allow', Action: '*', Resource: '*', Condition: {} }] } }]));
    const r = spawnSync(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir, '--credentials-file', file], { encoding: 'utf8' });
    assert.equal(r.status, 1);
    assert.match(r.stderr, /^incognito: --credentials-file .*keys\.json: key 'AKIDONE': Statement\[0\]: Condition is not supported by incognito .*\n$/);
    const half = spawnSync(process.execPath, [CLI, '--port', '0', '--data-dir', dataDir], { encoding: 'utf8', env: { ...process.env, INCOGNITO_ACCESS_KEY_ID: 'AKIDONLY', INCOGNITO_SECRET_ACCESS_KEY: '' } });
    assert.equal(half.status, 2);
    assert.match(half.stderr, /INCOGNITO_ACCESS_KEY_ID and INCOGNITO_SECRET_ACCESS_KEY .* go together/);
  });
});
