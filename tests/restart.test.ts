/** Durability: what was written survives SIGKILL, on both stores. Also the command line itself. */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import {
  CognitoIdentityProviderClient,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserPoolClientCommand,
  DescribeUserPoolCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends } from './harness.js';
import { CLI, kill, startCli, storeArgs } from './process.js';

const sdk = (url: string) =>
  new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });

for (const backend of await backends()) {
  describe(`restart (${backend.name})`, () => {
    it('a pool and a client survive SIGKILL unchanged', async () => {
      const db = await backend.fresh();
      const args = storeArgs(db.settings);
      try {
        let child = await startCli(args);
        let c = sdk(child.url);
        const { UserPool } = await c.send(new CreateUserPoolCommand({ PoolName: 'durable', Schema: [{ Name: 'plan', AttributeDataType: 'String' }] }));
        const { UserPoolClient } = await c.send(
          new CreateUserPoolClientCommand({ UserPoolId: UserPool!.Id, ClientName: 'durable-client', GenerateSecret: true, AccessTokenValidity: 10, TokenValidityUnits: { AccessToken: 'minutes' } }),
        );
        const poolBefore = (await c.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id }))).UserPool;
        const clientBefore = (await c.send(new DescribeUserPoolClientCommand({ UserPoolId: UserPool!.Id, ClientId: UserPoolClient!.ClientId }))).UserPoolClient;
        c.destroy();
        await kill(child, 'SIGKILL');

        child = await startCli(args);
        c = sdk(child.url);
        const poolAfter = (await c.send(new DescribeUserPoolCommand({ UserPoolId: UserPool!.Id }))).UserPool;
        const clientAfter = (await c.send(new DescribeUserPoolClientCommand({ UserPoolId: UserPool!.Id, ClientId: UserPoolClient!.ClientId }))).UserPoolClient;
        assert.deepEqual(poolAfter, poolBefore);
        assert.deepEqual(clientAfter, clientBefore);
        assert.equal(clientAfter!.ClientSecret, UserPoolClient!.ClientSecret);
        c.destroy();
        await kill(child, 'SIGTERM');
      } finally {
        await db.cleanup();
      }
    });
  });
}

describe('SQLite ownership', () => {
  it('a second process on the same data directory refuses to start', async () => {
    const db = await (await backends())[0]!.fresh();
    try {
      const first = await startCli(['--data-dir', db.settings.dataDir!]);
      await assert.rejects(startCli(['--data-dir', db.settings.dataDir!]), /in use by another incognito process/);
      await kill(first, 'SIGTERM');
    } finally {
      await db.cleanup();
    }
  });
});

describe('SQLite checkpoints', () => {
  it('a worker thread copies the WAL into the database file while the server runs', async () => {
    const db = await (await backends())[0]!.fresh();
    const file = path.join(db.settings.dataDir!, 'incognito.sqlite');
    try {
      const child = await startCli(['--data-dir', db.settings.dataDir!]);
      const c = sdk(child.url);
      const before = fs.statSync(file).size;
      // Each pool row holds ~4 KB of settings: 60 pools are ~60 pages of WAL, far below the ~10,000
      // pages after which the main connection would checkpoint by itself.
      for (let i = 0; i < 60; i++) await c.send(new CreateUserPoolCommand({ PoolName: `wal-${i}` }));
      let after = before;
      for (let waited = 0; waited < 5_000 && after < before + 200_000; waited += 100) {
        await new Promise((r) => setTimeout(r, 100));
        after = fs.statSync(file).size;
      }
      assert.ok(after >= before + 200_000, `the database file grew from ${before} to ${after} bytes only`);
      c.destroy();
      await kill(child, 'SIGTERM');
    } finally {
      await db.cleanup();
    }
  });
});

describe('command line', () => {
  it('--help documents every setting', () => {
    const r = spawnSync(process.execPath, [CLI, '--help'], { encoding: 'utf8' });
    assert.equal(r.status, 0);
    for (const flag of ['--port', '--host', '--data-dir', '--database-url', '--region', '--account-id', 'DATABASE_URL', 'INCOGNITO_PORT']) {
      assert.ok(r.stdout.includes(flag), flag);
    }
  });
  it('refuses bad settings with a message and exit code 2', () => {
    const r = spawnSync(process.execPath, [CLI, '--port', 'abc'], { encoding: 'utf8' });
    assert.equal(r.status, 2);
    assert.match(r.stderr, /--port/);
    const u = spawnSync(process.execPath, [CLI, '--nope'], { encoding: 'utf8' });
    assert.equal(u.status, 2);
  });
});
