/** The AWS CLI and boto3 against the server (they are on these machines; skipped where they are not). */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';

// The server runs in this process: children must be awaited, never spawnSync'd (that would block it).
const run = (cmd: string, args: string[]) =>
  promisify(execFile)(cmd, args, { encoding: 'utf8', env, timeout: 60_000 }).then(
    (r) => ({ status: 0, stdout: r.stdout, stderr: r.stderr }),
    (e: any) => ({ status: (e.code as number) ?? 1, stdout: (e.stdout as string) ?? '', stderr: (e.stderr as string) ?? String(e) }),
  );
import { backends, startTestServer, type TestServer } from './harness.js';

const env = { ...process.env, AWS_ACCESS_KEY_ID: 'AKIDEXAMPLE', AWS_SECRET_ACCESS_KEY: 'secret', AWS_DEFAULT_REGION: 'us-east-1', AWS_PAGER: '' };
const hasAws = spawnSync('aws', ['--version'], { encoding: 'utf8' }).status === 0;
const hasBoto3 = spawnSync('python3', ['-c', 'import boto3'], { encoding: 'utf8' }).status === 0;

async function aws(url: string, ...args: string[]): Promise<any> {
  const r = await run('aws', ['cognito-idp', ...args, '--endpoint-url', url, '--output', 'json']);
  return { status: r.status, json: r.stdout ? JSON.parse(r.stdout) : undefined, stderr: r.stderr };
}

const BOTO3 = `
import sys, json, boto3
c = boto3.client('cognito-idp', endpoint_url=sys.argv[1], region_name='eu-central-1')
pool = c.create_user_pool(PoolName='boto3-pool')['UserPool']
client = c.create_user_pool_client(UserPoolId=pool['Id'], ClientName='boto3-client', GenerateSecret=True,
    AccessTokenValidity=30, TokenValidityUnits={'AccessToken': 'minutes'})['UserPoolClient']
d = c.describe_user_pool_client(UserPoolId=pool['Id'], ClientId=client['ClientId'])['UserPoolClient']
try:
    c.describe_user_pool(UserPoolId='eu-central-1_missing00')
    err = None
except c.exceptions.ResourceNotFoundException as e:
    err = e.response['Error']
try:
    c.create_user_pool_client(UserPoolId=pool['Id'], ClientName='x', AccessTokenValidity=2, TokenValidityUnits={'AccessToken': 'days'})
    err2 = None
except c.exceptions.InvalidParameterException as e:
    err2 = e.response['Error']
print(json.dumps({'pool': pool['Id'], 'client': d['ClientId'], 'secret': d.get('ClientSecret'), 'access': d.get('AccessTokenValidity'),
    'created': d['CreationDate'].isoformat(), 'err': err, 'err2': err2}))
`;

for (const backend of await backends()) {
  describe(`AWS CLI and boto3 (${backend.name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    it('aws cognito-idp create-user-pool / create-user-pool-client / describe', { skip: !hasAws && 'aws CLI not installed' }, async () => {
      const pool = await aws(t.url, 'create-user-pool', '--pool-name', 'cli-pool');
      assert.equal(pool.status, 0, pool.stderr);
      const poolId = pool.json.UserPool.Id;
      assert.match(poolId, /^us-east-1_/);
      const client = await aws(t.url, 'create-user-pool-client', '--user-pool-id', poolId, '--client-name', 'cli-client', '--generate-secret', '--explicit-auth-flows', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH');
      assert.equal(client.status, 0, client.stderr);
      assert.match(client.json.UserPoolClient.ClientId, /^[a-z0-9]{26}$/);
      assert.match(client.json.UserPoolClient.ClientSecret, /^[a-z0-9]{51}$/);
      const d = await aws(t.url, 'describe-user-pool-client', '--user-pool-id', poolId, '--client-id', client.json.UserPoolClient.ClientId);
      assert.equal(d.status, 0, d.stderr);
      assert.deepEqual(d.json.UserPoolClient.ExplicitAuthFlows, ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
      const list = await aws(t.url, 'list-user-pools', '--max-results', '10');
      assert.equal(list.status, 0, list.stderr);
      assert.ok(list.json.UserPools.some((p: any) => p.Id === poolId));
      const bad = await aws(t.url, 'describe-user-pool', '--user-pool-id', 'us-east-1_missing00');
      assert.notEqual(bad.status, 0);
      assert.match(bad.stderr, /ResourceNotFoundException/);
    });

    it('boto3 creates and describes pools and clients, and raises the modelled exceptions', { skip: !hasBoto3 && 'boto3 not installed' }, async () => {
      const r = await run('python3', ['-c', BOTO3, t.url]);
      assert.equal(r.status, 0, r.stderr);
      const out = JSON.parse(r.stdout);
      assert.match(out.pool, /^eu-central-1_[A-Za-z0-9]{9}$/);
      assert.match(out.client, /^[a-z0-9]{26}$/);
      assert.match(out.secret, /^[a-z0-9]{51}$/);
      assert.equal(out.access, 30);
      assert.ok(Math.abs(Date.parse(out.created) - Date.now()) < 60_000);
      assert.equal(out.err.Code, 'ResourceNotFoundException');
      assert.equal(out.err2.Code, 'InvalidParameterException');
      assert.equal(out.err2.Message, 'Invalid range for token validity.');
    });
  });
}
