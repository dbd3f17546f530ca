/**
 * GET /metrics on each store: the Prometheus text scraped and parsed, the counters moving after
 * SDK calls (requests and their errors, sign-ins that pass and fail, a refresh, a message, an
 * import job), the database gauges, Node's default metrics; off with --metrics false; behind the
 * access keys (HTTP Basic, and a key's policy: incognito:GetMetrics) when keys are configured.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AdminConfirmSignUpCommand,
  AdminGetUserCommand,
  CreateResourceServerCommand,
  CreateUserImportJobCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserImportJobCommand,
  GetCSVHeaderCommand,
  InitiateAuthCommand,
  SignUpCommand,
  StartUserImportJobCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { SignatureV4 } from '@smithy/signature-v4';
import { Sha256 } from './sha256.js';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';

interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
}

/** Parses the Prometheus text exposition format (0.0.4): one sample a line, # HELP / # TYPE skipped. */
export function parseMetrics(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)(?: \d+)?$/.exec(line);
    assert.ok(m, `not a sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[l[1]!] = l[2]!.replace(/\\n/g, '\n').replace(/\\"/g, '"').replace(/\\\\/g, '\\');
    }
    const v = m[3]!;
    samples.push({ name: m[1]!, labels, value: v === '+Inf' ? Infinity : v === '-Inf' ? -Infinity : Number(v) });
  }
  return samples;
}

/** The sum of the samples of `name` whose labels include `labels` (0 when there is none). */
function value(samples: Sample[], name: string, labels: Record<string, string> = {}): number {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v)).reduce((a, s) => a + s.value, 0);
}

const has = (samples: Sample[], name: string) => samples.some((s) => s.name === name);

const ROLE = 'arn:aws:iam::123456789012:role/CognitoImport';
const PASSWORD = 'Metrics Passw0rd!';

for (const backend of await backends()) {
  describe(`metrics (${backend.name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(async () => {
      await t.close();
    });

    async function scrape(): Promise<Sample[]> {
      const res = await fetch(`${t.url}/metrics`);
      assert.equal(res.status, 200);
      assert.match(res.headers.get('content-type') ?? '', /^text\/plain; version=0\.0\.4/);
      return parseMetrics(await res.text());
    }

    it('counts requests, sign-ins, tokens, messages and import jobs as they happen', async () => {
      const send = t.cognito.send.bind(t.cognito) as (c: unknown) => Promise<any>;
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'metrics', AutoVerifiedAttributes: ['email'] }));
      const pool = UserPool.Id as string;
      const { UserPoolClient } = await send(
        new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }),
      );
      const clientId = UserPoolClient.ClientId as string;
      const before = await scrape();

      // A message (the sign-up code by email), a user confirmed, looked up, and one that is not there.
      await send(new SignUpCommand({ ClientId: clientId, Username: 'mia', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'mia@example.com' }] }));
      await send(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: 'mia' }));
      await send(new AdminGetUserCommand({ UserPoolId: pool, Username: 'mia' }));
      await send(new AdminGetUserCommand({ UserPoolId: pool, Username: 'mia' }));
      await expectError(send(new AdminGetUserCommand({ UserPoolId: pool, Username: 'nobody' })), 'UserNotFoundException');
      // Sign-ins: one that passes, one with a wrong password; then a refresh.
      const signedIn = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'mia', PASSWORD } }));
      await expectError(send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'mia', PASSWORD: 'wrong' + PASSWORD } })), 'NotAuthorizedException');
      await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: signedIn.AuthenticationResult.RefreshToken } }));
      // A hosted endpoint: the pool's JWKS.
      assert.equal((await fetch(`${t.url}/${pool}/.well-known/jwks.json`)).status, 200);
      // An import job of two users.
      const header = (await send(new GetCSVHeaderCommand({ UserPoolId: pool }))).CSVHeader as string[];
      const row = (n: string) => header.map((h) => ({ 'cognito:username': n, 'cognito:mfa_enabled': 'false', email: `${n}@example.com`, email_verified: 'TRUE' })[h] ?? '').join(',');
      const job = (await send(new CreateUserImportJobCommand({ UserPoolId: pool, JobName: 'm', CloudWatchLogsRoleArn: ROLE }))).UserImportJob;
      const put = await fetch(job.PreSignedUrl, { method: 'PUT', body: [header.join(','), row('imp1'), row('imp2')].join('\n') + '\n', headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
      assert.equal(put.status, 200);
      await send(new StartUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId }));
      for (let i = 0; ; i++) {
        const { UserImportJob } = await send(new DescribeUserImportJobCommand({ UserPoolId: pool, JobId: job.JobId }));
        if (UserImportJob.Status === 'Succeeded') break;
        assert.ok(['Pending', 'InProgress'].includes(UserImportJob.Status) && i < 1200, `import job ${UserImportJob.Status}`);
        await new Promise((r) => setTimeout(r, 50));
      }

      const now = await scrape();
      const delta = (name: string, labels: Record<string, string> = {}) => value(now, name, labels) - value(before, name, labels);

      assert.equal(delta('incognito_requests_total', { operation: 'AdminGetUser', outcome: 'ok' }), 2);
      assert.equal(delta('incognito_requests_total', { operation: 'AdminGetUser', outcome: 'UserNotFoundException' }), 1);
      assert.equal(delta('incognito_requests_total', { operation: 'InitiateAuth', outcome: 'NotAuthorizedException' }), 1);
      assert.equal(delta('incognito_requests_total', { operation: 'InitiateAuth', outcome: 'ok' }), 2);
      assert.equal(delta('incognito_requests_total', { operation: 'GET /{poolId}/.well-known/jwks.json', outcome: '200' }), 1);
      assert.equal(delta('incognito_request_duration_seconds_count', { operation: 'AdminGetUser' }), 3);
      // The histogram's buckets are cumulative: +Inf holds every observation.
      assert.equal(value(now, 'incognito_request_duration_seconds_bucket', { operation: 'AdminGetUser', le: '+Inf' }), value(now, 'incognito_request_duration_seconds_count', { operation: 'AdminGetUser' }));
      assert.ok(value(now, 'incognito_request_duration_seconds_sum', { operation: 'AdminGetUser' }) > 0);

      assert.equal(delta('incognito_signin_steps_total', { channel: 'api', step: 'USER_PASSWORD_AUTH', result: 'signed_in' }), 1);
      assert.equal(delta('incognito_signin_steps_total', { channel: 'api', step: 'USER_PASSWORD_AUTH', result: 'wrong_password' }), 1);
      assert.equal(delta('incognito_signin_steps_total', { channel: 'api', step: 'REFRESH_TOKEN_AUTH', result: 'signed_in' }), 1);

      for (const kind of ['id', 'access', 'refresh']) assert.equal(delta('incognito_tokens_issued_total', { kind, grant: 'sign_in' }), 1, kind);
      assert.equal(delta('incognito_tokens_issued_total', { kind: 'id', grant: 'refresh' }), 1);
      assert.equal(delta('incognito_tokens_issued_total', { kind: 'access', grant: 'refresh' }), 1);
      assert.equal(delta('incognito_tokens_issued_total', { kind: 'refresh', grant: 'refresh' }), 0, 'no rotation: the refresh token stays');

      assert.equal(delta('incognito_messages_sent_total', { medium: 'EMAIL', kind: 'SIGN_UP' }), 1);

      assert.equal(delta('incognito_import_jobs_total', { status: 'Succeeded' }), 1);
      assert.equal(delta('incognito_import_users_total', { result: 'imported' }), 2);
      assert.equal(delta('incognito_import_job_duration_seconds_count'), 1);

      // The database gauges and Node's defaults.
      assert.ok(has(now, 'incognito_db_queued_reads'));
      if (backend.name === 'postgres') {
        assert.ok(value(now, 'incognito_db_pool_connections') >= 1);
        assert.ok(value(now, 'incognito_db_pool_idle_connections') <= value(now, 'incognito_db_pool_connections'));
        assert.ok(has(now, 'incognito_db_pool_waiting_requests'));
      } else {
        assert.ok(!has(now, 'incognito_db_pool_connections'), 'SQLite has no connection pool');
      }
      assert.ok(value(now, 'process_cpu_user_seconds_total') > 0);
      assert.ok(has(now, 'nodejs_eventloop_lag_seconds'));
    });

    it('an unconfirmed, a wrong-password and a locked-out sign-in count as such', async () => {
      const send = t.cognito.send.bind(t.cognito) as (c: unknown) => Promise<any>;
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'metrics-fail' }));
      const pool = UserPool.Id as string;
      const { UserPoolClient } = await send(new CreateUserPoolClientCommand({ UserPoolId: pool, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
      await send(new SignUpCommand({ ClientId: UserPoolClient.ClientId, Username: 'ned', Password: PASSWORD }));
      const before = await scrape();
      // Not confirmed yet: refused at the gate.
      await expectError(send(new InitiateAuthCommand({ ClientId: UserPoolClient.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ned', PASSWORD } })), 'UserNotConfirmedException');
      await send(new AdminConfirmSignUpCommand({ UserPoolId: pool, Username: 'ned' }));
      // Five wrong passwords lock the user out: the sixth attempt, even right, is refused as locked.
      for (let i = 0; i < 5; i++) {
        await expectError(send(new InitiateAuthCommand({ ClientId: UserPoolClient.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ned', PASSWORD: 'wrong' } })), 'NotAuthorizedException');
      }
      await expectError(send(new InitiateAuthCommand({ ClientId: UserPoolClient.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'ned', PASSWORD } })), 'NotAuthorizedException', 'Password attempts exceeded');
      const now = await scrape();
      const delta = (labels: Record<string, string>) => value(now, 'incognito_signin_steps_total', labels) - value(before, 'incognito_signin_steps_total', labels);
      assert.equal(delta({ step: 'USER_PASSWORD_AUTH', result: 'unconfirmed' }), 1);
      assert.equal(delta({ step: 'USER_PASSWORD_AUTH', result: 'wrong_password' }), 5);
      assert.equal(delta({ step: 'USER_PASSWORD_AUTH', result: 'locked' }), 1);
      assert.equal(delta({ step: 'USER_PASSWORD_AUTH', result: 'signed_in' }), 0);
      // An unknown flow is counted under `other`, not by the name sent.
      await expectError(send(new InitiateAuthCommand({ ClientId: UserPoolClient.ClientId, AuthFlow: 'NOT_A_FLOW' as never, AuthParameters: { USERNAME: 'ned' } })), 'InvalidParameterException');
      const last = await scrape();
      assert.ok(!last.some((s) => s.labels.step === 'NOT_A_FLOW'));
    });
    it('the token endpoint: client_credentials tokens and its requests by route and status', async () => {
      const send = t.cognito.send.bind(t.cognito) as (c: unknown) => Promise<any>;
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'metrics-m2m' }));
      const pool = UserPool.Id as string;
      await send(new CreateResourceServerCommand({ UserPoolId: pool, Identifier: 'api', Name: 'api', Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }] }));
      const { UserPoolClient } = await send(
        new CreateUserPoolClientCommand({
          UserPoolId: pool,
          ClientName: 'm2m',
          GenerateSecret: true,
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['client_credentials'],
          AllowedOAuthScopes: ['api/read'],
          SupportedIdentityProviders: ['COGNITO'],
        }),
      );
      const token = (secret: string) =>
        fetch(`${t.url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: 'Basic ' + Buffer.from(`${UserPoolClient.ClientId}:${secret}`).toString('base64') },
          body: new URLSearchParams({ grant_type: 'client_credentials' }),
        });
      const before = await scrape();
      const ok = await token(UserPoolClient.ClientSecret);
      assert.equal(ok.status, 200);
      assert.ok(((await ok.json()) as { access_token?: string }).access_token);
      const refused = await token('not-the-secret');
      assert.equal(refused.status, 400);
      await refused.text();
      const now = await scrape();
      const delta = (name: string, labels: Record<string, string>) => value(now, name, labels) - value(before, name, labels);
      assert.equal(delta('incognito_tokens_issued_total', { kind: 'access', grant: 'client_credentials' }), 1);
      assert.equal(delta('incognito_tokens_issued_total', { kind: 'id', grant: 'client_credentials' }), 0);
      assert.equal(delta('incognito_requests_total', { operation: 'POST /oauth2/token', outcome: '200' }), 1);
      assert.equal(delta('incognito_requests_total', { operation: 'POST /oauth2/token', outcome: '400' }), 1);
      assert.equal(delta('incognito_request_duration_seconds_count', { operation: 'POST /oauth2/token' }), 2);
    });
  });

  describe(`metrics off, and behind access keys (${backend.name})`, () => {
    it('--metrics false: GET /metrics is 404', async () => {
      const t = await startTestServer(backend, { metrics: false });
      try {
        const res = await fetch(`${t.url}/metrics`);
        assert.equal(res.status, 404);
        await res.text();
      } finally {
        await t.close();
      }
    });

    it('with access keys: HTTP Basic or SigV4, and the key policy allows incognito:GetMetrics', async () => {
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-metrics-keys-'));
      const file = path.join(dir, 'keys.json');
      const ADMIN = { accessKeyId: 'AKIDMETRICSADM01', secretAccessKey: 'metrics-admin-secret-01' };
      const SCRAPER = { accessKeyId: 'AKIDMETRICSSCR01', secretAccessKey: 'metrics-scraper-secret-01' };
      const MAIL = { accessKeyId: 'AKIDMETRICSMAI01', secretAccessKey: 'metrics-mail-secret-01' };
      fs.writeFileSync(
        file,
        JSON.stringify([
          { ...ADMIN, name: 'admin' },
          { ...SCRAPER, name: 'prometheus', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'incognito:GetMetrics', Resource: '*' }] } },
          { ...MAIL, name: 'mail', policy: { Version: '2012-10-17', Statement: [{ Effect: 'Allow', Action: 'incognito:ListMessages', Resource: '*' }] } },
        ]),
      );
      const t = await startTestServer(backend, { credentialsFile: file });
      const basic = (k: { accessKeyId: string; secretAccessKey: string }) => ({ authorization: 'Basic ' + Buffer.from(`${k.accessKeyId}:${k.secretAccessKey}`).toString('base64') });
      try {
        const none = await fetch(`${t.url}/metrics`);
        assert.equal(none.status, 401);
        assert.match(none.headers.get('www-authenticate') ?? '', /^Basic /);
        await none.text();
        const wrong = await fetch(`${t.url}/metrics`, { headers: basic({ ...SCRAPER, secretAccessKey: 'not-the-secret' }) });
        assert.equal(wrong.status, 401);
        await wrong.text();
        const denied = await fetch(`${t.url}/metrics`, { headers: basic(MAIL) });
        assert.equal(denied.status, 403);
        assert.match(await denied.text(), /incognito:GetMetrics/);
        for (const k of [ADMIN, SCRAPER]) {
          const ok = await fetch(`${t.url}/metrics`, { headers: basic(k) });
          assert.equal(ok.status, 200);
          assert.ok(has(parseMetrics(await ok.text()), 'incognito_requests_total'));
        }
        // SigV4 (service `incognito`), as for the other admin endpoints.
        const u = new URL(`${t.url}/metrics`);
        const sign = (k: typeof SCRAPER) =>
          new SignatureV4({ credentials: k, region: 'us-east-1', service: 'incognito', sha256: Sha256 }).sign({
            method: 'GET',
            protocol: u.protocol,
            hostname: u.hostname,
            port: Number(u.port),
            path: u.pathname,
            query: {},
            headers: { host: u.host },
          } as never);
        const signed = (await sign(SCRAPER)) as unknown as { headers: Record<string, string> };
        const { host: _, ...headers } = signed.headers;
        const bySig = await fetch(`${t.url}/metrics`, { headers });
        assert.equal(bySig.status, 200);
        assert.ok(has(parseMetrics(await bySig.text()), 'incognito_requests_total'));
        const deniedSig = (await sign(MAIL)) as unknown as { headers: Record<string, string> };
        const { host: __, ...deniedHeaders } = deniedSig.headers;
        const refused = await fetch(`${t.url}/metrics`, { headers: deniedHeaders });
        assert.equal(refused.status, 403);
        await refused.text();
      } finally {
        await t.close();
        fs.rmSync(dir, { recursive: true, force: true });
      }
    });
  });
}
