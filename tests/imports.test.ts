/**
 * User import jobs through the real SDK, on each store: the CSV header, the upload (curl and
 * fetch), every status transition, the CSV rules with their log lines, RESET_REQUIRED users
 * completing a password reset, stop, expiry and the pool lock; and crash safety (SIGKILL) and
 * one-runner-per-job on two PostgreSQL nodes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes, randomUUID } from 'node:crypto';
import {
  AddCustomAttributesCommand,
  AdminCreateUserCommand,
  AdminGetUserCommand,
  CognitoIdentityProviderClient,
  ConfirmForgotPasswordCommand,
  CreateUserImportJobCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolCommand,
  DescribeUserImportJobCommand,
  ForgotPasswordCommand,
  GetCSVHeaderCommand,
  InitiateAuthCommand,
  ListUserImportJobsCommand,
  ListUsersCommand,
  SignUpCommand,
  StartUserImportJobCommand,
  StopUserImportJobCommand,
  UpdateUserPoolCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secrets } from '../src/domain/secrets.js';
import { presignedUrl } from '../src/imports/upload.js';
import { startServer } from '../src/server.js';
import { openStore } from '../src/store/index.js';
import type { UserRecord } from '../src/store/types.js';
import { adminFetch, backends, useKey, expectError, startTestServer, type TestServer } from './harness.js';
import { kill, startCli, type Child, storeArgs } from './process.js';
import { sortSubs } from '../src/imports/runner.js';

const ROLE = 'arn:aws:iam::123456789012:role/CognitoImport';
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** A CSV with the given header; each row maps column → value (missing columns empty). */
function csv(header: string[], rows: Record<string, string>[]): string {
  return [header.join(','), ...rows.map((r) => header.map((h) => r[h] ?? '').join(','))].join('\n') + '\n';
}
/** A good row for a pool that auto-verifies email. */
const good = (n: number | string, extra: Record<string, string> = {}) => ({
  'cognito:username': `user${n}`,
  'cognito:mfa_enabled': 'false',
  email: `user${n}@example.com`,
  email_verified: 'TRUE',
  ...extra,
});

async function put(url: string, body: string): Promise<number> {
  const res = await fetch(url, { method: 'PUT', body, headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
  await res.text();
  return res.status;
}

async function waitFor(c: CognitoIdentityProviderClient, UserPoolId: string, JobId: string, done: (s: string) => boolean, ms = 60_000): Promise<any> {
  const until = Date.now() + ms;
  for (;;) {
    const { UserImportJob } = await c.send(new DescribeUserImportJobCommand({ UserPoolId, JobId }));
    if (done(UserImportJob!.Status!)) return UserImportJob;
    if (Date.now() > until) throw new Error(`job ${JobId} still ${UserImportJob!.Status}`);
    await sleep(50);
  }
}

/** A user row written straight to the store (a name taken while an import runs), without attributes. */
function storeUser(poolId: string, name: string, status: UserRecord['status']): UserRecord {
  const now = Date.now();
  return { poolId, username: name, usernameKey: name, sub: randomUUID(), status, enabled: true, attributes: {}, passwordHash: null, srpVerifier: null, passwordUpdatedAt: null, mfa: {}, extra: {}, createdAt: now, updatedAt: now };
}

async function countUsers(c: CognitoIdentityProviderClient, UserPoolId: string): Promise<string[]> {
  const names: string[] = [];
  let PaginationToken: string | undefined;
  do {
    const r = await c.send(new ListUsersCommand({ UserPoolId, Limit: 60, PaginationToken }));
    names.push(...r.Users!.map((u) => u.Username!));
    PaginationToken = r.PaginationToken;
  } while (PaginationToken);
  return names;
}

for (const backend of await backends()) {
  describe(`user import jobs (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    /** The job log lines the runner writes to the server log. */
    const serverLog: { jobId: string; line: string }[] = [];
    before(async () => {
      t = await startTestServer(backend, {}, { runner: { log: (jobId, lines) => serverLog.push(...lines.map((line) => ({ jobId, line }))) } });
    });
    after(() => t.close());

    async function pool(input: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'imports', AutoVerifiedAttributes: ['email'], ...input }));
      return UserPool.Id as string;
    }
    async function header(p: string): Promise<string[]> {
      return (await send(new GetCSVHeaderCommand({ UserPoolId: p }))).CSVHeader;
    }
    async function job(p: string, name = 'import') {
      return (await send(new CreateUserImportJobCommand({ UserPoolId: p, JobName: name, CloudWatchLogsRoleArn: ROLE }))).UserImportJob;
    }
    /** Creates a job, uploads the file, starts it and waits for it to end. */
    async function run(p: string, file: string) {
      const j = await job(p);
      assert.equal(await put(j.PreSignedUrl, file), 200);
      const started = (await send(new StartUserImportJobCommand({ UserPoolId: p, JobId: j.JobId }))).UserImportJob;
      assert.equal(started.Status, 'Pending');
      return waitFor(t.cognito, p, j.JobId, (s) => !['Pending', 'InProgress'].includes(s));
    }
    async function log(jobId: string): Promise<string[]> {
      const res = await adminFetch(`${t.url}/_incognito/imports/${jobId}/log?limit=10000`);
      assert.equal(res.status, 200);
      return ((await res.json()) as { lines: { message: string }[] }).lines.map((l) => l.message);
    }

    it('GetCSVHeader lists the standard attributes, the custom ones, cognito:mfa_enabled and cognito:username', async () => {
      const p = await pool({ Schema: [{ Name: 'plan', AttributeDataType: 'String', Mutable: true }] });
      const h = await header(p);
      assert.deepEqual(h.slice(0, 3), ['name', 'given_name', 'family_name']);
      assert.ok(h.includes('email') && h.includes('email_verified') && h.includes('phone_number') && h.includes('birthdate'));
      assert.ok(!h.includes('sub'));
      assert.deepEqual(h.slice(-3), ['custom:plan', 'cognito:mfa_enabled', 'cognito:username']);
      await expectError(send(new GetCSVHeaderCommand({ UserPoolId: 'us-east-1_nope12345' })), 'ResourceNotFoundException');
    });

    it('CreateUserImportJob: Created, with a PreSignedUrl on this server; its checks', async () => {
      const p = await pool();
      const j = await job(p, 'first job');
      assert.match(j.JobId, /^import-[0-9a-zA-Z-]+$/);
      assert.equal(j.Status, 'Created');
      assert.equal(j.JobName, 'first job');
      assert.equal(j.CloudWatchLogsRoleArn, ROLE);
      assert.equal(j.ImportedUsers, 0);
      assert.ok(j.PreSignedUrl.startsWith(`${t.url}/_incognito/import-upload/${j.JobId}?`));
      assert.ok(j.CreationDate instanceof Date);
      await expectError(send(new CreateUserImportJobCommand({ UserPoolId: p, JobName: 'x', CloudWatchLogsRoleArn: 'arn:aws:s3:us-east-1:123456789012:bucket/logs' })), 'InvalidParameterException', /IAM role ARN/);
      await expectError(send(new CreateUserImportJobCommand({ UserPoolId: 'us-east-1_nope12345', JobName: 'x', CloudWatchLogsRoleArn: ROLE })), 'ResourceNotFoundException');
      await expectError(send(new StartUserImportJobCommand({ UserPoolId: p, JobId: j.JobId })), 'PreconditionNotMetException', /No file has been uploaded/);
      await expectError(send(new DescribeUserImportJobCommand({ UserPoolId: p, JobId: 'import-doesnotexist' })), 'ResourceNotFoundException');
    });

    it('uploads with curl and with fetch; refuses tampered, expired and oversized uploads', async () => {
      const p = await pool();
      const h = await header(p);
      const j = await job(p);
      const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-csv-'));
      const file = path.join(dir, 'users.csv');
      fs.writeFileSync(file, csv(h, [good(1)]));
      try {
        // Asynchronously: the server runs in this process.
        const { stdout } = await promisify(execFile)('curl', ['-s', '-o', '/dev/null', '-w', '%{http_code}', '-T', file, '-H', 'x-amz-server-side-encryption:aws:kms', j.PreSignedUrl]);
        assert.equal(stdout, '200');
      } finally {
        fs.rmSync(dir, { recursive: true, force: true });
      }
      // fetch replaces it (a second upload before the start wins).
      assert.equal(await put(j.PreSignedUrl, csv(h, [good(1), good(2)])), 200);
      const url = new URL(j.PreSignedUrl);
      url.searchParams.set('signature', 'A'.repeat(url.searchParams.get('signature')!.length));
      assert.equal(await put(url.toString(), 'x'), 403);
      const other = await job(p);
      assert.equal(await put(j.PreSignedUrl.replace(j.JobId, other.JobId), 'x'), 403, 'a URL is for its job only');
      const secrets = new Secrets(Buffer.from(t.config.masterKey!, 'base64'));
      assert.equal(await put(presignedUrl(secrets, t.url, other.JobId, Date.now() - 16 * 60_000), 'x'), 403, 'expired after 15 minutes');
      const declared = await fetch(other.PreSignedUrl, { method: 'PUT', headers: { 'content-length': String(100 * 1024 * 1024 + 1) }, body: 'x'.repeat(10) }).catch((e: Error) => e);
      // Either the 413 arrives or the connection is cut once the server refused the declared size.
      if (!(declared instanceof Error)) assert.equal(declared.status, 413);
      // A chunked body that grows past 100 MB is cut off with 413.
      const big = new ReadableStream({
        pull(controller) {
          sent += 1 << 20;
          if (sent > 101 * (1 << 20)) controller.close();
          else controller.enqueue(new Uint8Array(1 << 20).fill(97));
        },
      });
      let sent = 0;
      const r = await fetch(other.PreSignedUrl, { method: 'PUT', body: big, duplex: 'half' } as RequestInit).catch((e: Error) => e);
      if (!(r instanceof Error)) assert.equal(r.status, 413);
      const after = (await send(new DescribeUserImportJobCommand({ UserPoolId: p, JobId: other.JobId }))).UserImportJob;
      assert.equal(after.Status, 'Created');
      await expectError(send(new StartUserImportJobCommand({ UserPoolId: p, JobId: other.JobId })), 'PreconditionNotMetException', /No file has been uploaded/);
      const done = await (async () => {
        await send(new StartUserImportJobCommand({ UserPoolId: p, JobId: j.JobId }));
        return waitFor(t.cognito, p, j.JobId, (s) => s === 'Succeeded');
      })();
      assert.equal(done.ImportedUsers, 2);
      assert.equal(await put(j.PreSignedUrl, 'x'), 409, 'no upload once the job has started');
    });

    it('imports RESET_REQUIRED users who complete a password reset; exact counts and log', async () => {
      const p = await pool({ Schema: [{ Name: 'plan', AttributeDataType: 'String', Mutable: true }] });
      const { UserPoolClient } = await send(new CreateUserPoolClientCommand({ UserPoolId: p, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
      const hiding = (await send(new CreateUserPoolClientCommand({ UserPoolId: p, ClientName: 'hiding', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'], PreventUserExistenceErrors: 'ENABLED' }))).UserPoolClient;
      const h = await header(p);
      const done = await run(p, csv(h, [good(1, { given_name: 'One', 'custom:plan': 'pro\\, gold', birthdate: '02/29/2000' }), good(2), good(3, { phone_number: '+12065550100' })]));
      assert.equal(done.Status, 'Succeeded');
      assert.equal(done.ImportedUsers, 3);
      assert.equal(done.SkippedUsers, 0);
      assert.equal(done.FailedUsers, 0);
      assert.equal(done.CompletionMessage, 'Import Job Completed Successfully.');
      assert.ok(done.StartDate && done.CompletionDate);
      assert.deepEqual(await log(done.JobId), [2, 3, 4].map((n) => `[SUCCEEDED] Line Number ${n} - The import succeeded.`));

      const u = await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'user1' }));
      assert.equal(u.UserStatus, 'RESET_REQUIRED');
      const attrs = Object.fromEntries(u.UserAttributes.map((a: any) => [a.Name, a.Value]));
      assert.equal(attrs['custom:plan'], 'pro, gold', 'an escaped comma');
      assert.equal(attrs.given_name, 'One');
      assert.equal(attrs.email_verified, 'true');
      assert.equal(attrs.birthdate, '2000-02-29');
      assert.match(attrs.sub, /^[0-9a-f-]{36}$/);

      const signIn = (ClientId: string, PASSWORD: string) => send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'user1', PASSWORD } }));
      await expectError(signIn(UserPoolClient.ClientId, 'Any-Password-1'), 'PasswordResetRequiredException', 'Password reset required for the user');
      await expectError(signIn(hiding.ClientId, 'Any-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
      const forgot = await send(new ForgotPasswordCommand({ ClientId: UserPoolClient.ClientId, Username: 'user1' }));
      assert.equal(forgot.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
      const [m] = await t.server.store.messages.list(p, { username: 'user1', limit: 1 });
      await send(new ConfirmForgotPasswordCommand({ ClientId: UserPoolClient.ClientId, Username: 'user1', ConfirmationCode: m!.code!, Password: 'Imported-User-1' }));
      assert.equal((await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'user1' }))).UserStatus, 'CONFIRMED');
      assert.ok((await signIn(UserPoolClient.ClientId, 'Imported-User-1')).AuthenticationResult.AccessToken);

      // Deleting the pool deletes its jobs, with their log lines.
      await send(new DeleteUserPoolCommand({ UserPoolId: p }));
      assert.equal((await adminFetch(`${t.url}/_incognito/imports/${done.JobId}/log`)).status, 404);
      assert.deepEqual(await t.server.store.imports.log(done.JobId, 0, 10), []);
    });

    it('every CSV rule: bad rows are failed or skipped with their log line, and the job goes on', async () => {
      const p = await pool({ Schema: [{ Name: 'given_name', AttributeDataType: 'String', Required: true, Mutable: true }] });
      const { UserPoolClient } = await send(new CreateUserPoolClientCommand({ UserPoolId: p, ClientName: 'app' }));
      await send(new SignUpCommand({ ClientId: UserPoolClient.ClientId, Username: 'userexisting', Password: 'Existing-User-1', UserAttributes: [{ Name: 'email', Value: 'e@example.com' }, { Name: 'given_name', Value: 'E' }] }));
      const h = await header(p);
      const g = (n: string, extra: Record<string, string> = {}) => good(n, { given_name: 'G', ...extra });
      const rows = [
        g('ok1'), // line 2
        g('nameless', { 'cognito:username': '' }), // 3: no username
        g('two words'), // 4: whitespace in username
        g('mfa', { 'cognito:mfa_enabled': 'maybe' }), // 5
        g('mfaon', { 'cognito:mfa_enabled': 'true' }), // 6: MFA is OFF in the pool
        g('noverify', { email_verified: 'false' }), // 7: no auto-verified attribute true
        g('noemail', { email: '' }), // 8: email_verified true without an email
        g('badphone', { phone_number: '12065550100' }), // 9
        g('badbirth', { birthdate: '1999-12-31' }), // 10
        g('norequired', { given_name: '' }), // 11: a required attribute missing
        g('ok1'), // 12: the same username again
        g('existing'), // 13: a user the pool has
        g('ok2', { given_name: 'x'.repeat(16_001) }), // 14: a row over 16,000 characters
        g('ok3', { nickname: 'says "hi"' }), // 15: quotes are ordinary characters
      ];
      const done = await run(p, csv(h, rows));
      // More users failed or were skipped than were imported: Failed, as in Cognito.
      assert.equal(done.Status, 'Failed');
      assert.equal(done.CompletionMessage, 'Too many users have failed or been skipped during the import.');
      assert.equal(done.ImportedUsers, 2, (await log(done.JobId)).join('\n'));
      assert.equal(done.SkippedUsers, 2);
      assert.equal(done.FailedUsers, rows.length - 4);
      const lines = await log(done.JobId);
      assert.equal(lines.length, rows.length);
      assert.equal(lines[0], '[SUCCEEDED] Line Number 2 - The import succeeded.');
      assert.equal(lines[5], '[FAILED] Line Number 7 - The User Record does not set any of the auto verified attributes to true. (Example: email_verified to true).');
      assert.equal(lines[10], '[SKIPPED] Line Number 12 - The user already exists.');
      assert.equal(lines[11], '[SKIPPED] Line Number 13 - The user already exists.');
      assert.equal(lines[13], '[SUCCEEDED] Line Number 15 - The import succeeded.');
      for (const i of [1, 2, 3, 4, 6, 7, 8, 9, 12]) assert.match(lines[i]!, new RegExp(`^\\[FAILED\\] Line Number ${i + 2} - .+`), lines[i]);
      // No user data in the log.
      assert.ok(!lines.join('\n').includes('@example.com'));
      assert.equal(
        Object.fromEntries((await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'userok3' }))).UserAttributes.map((a: any) => [a.Name, a.Value])).nickname,
        'says "hi"',
      );
      assert.deepEqual((await countUsers(t.cognito, p)).sort(), ['userexisting', 'userok1', 'userok3']);
    });

    it('a file that cannot be parsed fails the job', async () => {
      const p = await pool();
      const h = await header(p);
      const missing = await run(p, csv(h.filter((c) => c !== 'email'), [good(1)]));
      assert.equal(missing.Status, 'Failed');
      assert.match(missing.CompletionMessage, /email/);
      assert.equal(missing.ImportedUsers, 0);
      const bom = await run(p, '\ufeff' + csv(h, [good(1)]));
      assert.equal(bom.Status, 'Failed');
      assert.match(bom.CompletionMessage, /BOM|byte order mark/i);
      // A header with a few of the columns only: the message names the first missing ones and fits a
      // CompletionMessage (at most 128 characters in the Cognito model), as do the other header errors.
      const few = await run(p, 'cognito:username,email,email_verified,cognito:mfa_enabled\nuser1,user1@example.com,true,false\n');
      assert.equal(few.Status, 'Failed');
      assert.match(few.CompletionMessage, /^The CSV header lacks the columns "name", "given_name".* and \d+ more; every column of GetCSVHeader must be present\.$/);
      const unknown = await run(p, csv([...h, ...Array.from({ length: 12 }, (_, i) => `custom:not_in_this_pool_${i}`)], [good(1)]));
      assert.match(unknown.CompletionMessage, /does not have: "custom:not_in_this_pool_0".* and \d+ more\.$/);
      const twice = await run(p, csv([...h, ...h], [good(1)]));
      assert.match(twice.CompletionMessage, /names columns more than once: "name", .* and \d+ more\.$/);
      for (const j of [missing, bom, few, unknown, twice]) assert.ok(j.CompletionMessage.length <= 128, j.CompletionMessage);
    });

    it('more users failed or skipped than imported: the job ends Failed, as in Cognito; otherwise Succeeded', async () => {
      const p = await pool();
      const h = await header(p);
      const bad = (n: number) => good(n, { email_verified: 'false' });
      const failed = await run(p, csv(h, [good(1), bad(2), bad(3)]));
      assert.deepEqual(
        [failed.Status, failed.CompletionMessage, failed.ImportedUsers, failed.SkippedUsers, failed.FailedUsers],
        ['Failed', 'Too many users have failed or been skipped during the import.', 1, 0, 2],
      );
      assert.deepEqual(await countUsers(t.cognito, p), ['user1'], 'the users imported stay');
      // Skipped users count too: the same file again skips user1.
      const again = await run(p, csv(h, [good(1), good(4)]));
      assert.deepEqual([again.Status, again.CompletionMessage, again.ImportedUsers, again.SkippedUsers], ['Succeeded', 'Import Job Completed Successfully.', 1, 1]);
      const allSkipped = await run(p, csv(h, [good(1), good(4)]));
      assert.deepEqual([allSkipped.Status, allSkipped.CompletionMessage, allSkipped.SkippedUsers], ['Failed', 'Too many users have failed or been skipped during the import.', 2]);
      assert.equal((await run(p, csv(h, []))).Status, 'Succeeded', 'a file with no users');
    });

    it('a pool without auto-verified attributes cannot start a job', async () => {
      const p = await pool({ AutoVerifiedAttributes: [] });
      const j = await job(p);
      assert.equal(await put(j.PreSignedUrl, csv(await header(p), [good(1)])), 200);
      await expectError(send(new StartUserImportJobCommand({ UserPoolId: p, JobId: j.JobId })), 'PreconditionNotMetException');
    });

    it('stop: Stopping then Stopped, counts matching the users that exist, and no restart', async () => {
      const p = await pool();
      const h = await header(p);
      const j = await job(p);
      assert.equal(await put(j.PreSignedUrl, csv(h, Array.from({ length: 100_000 }, (_, i) => good(i)))), 200);
      await send(new StartUserImportJobCommand({ UserPoolId: p, JobId: j.JobId }));
      // While it runs, the pool cannot change.
      await expectError(send(new UpdateUserPoolCommand({ UserPoolId: p })), 'UserImportInProgressException');
      await expectError(send(new AddCustomAttributesCommand({ UserPoolId: p, CustomAttributes: [{ Name: 'x', AttributeDataType: 'String' }] })), 'UserImportInProgressException');
      await expectError(send(new DeleteUserPoolCommand({ UserPoolId: p })), 'UserImportInProgressException');
      const second = await job(p);
      assert.equal(await put(second.PreSignedUrl, csv(h, [good('x')])), 200);
      await expectError(send(new StartUserImportJobCommand({ UserPoolId: p, JobId: second.JobId })), 'PreconditionNotMetException', /one job runs at a time/);
      const stopping = (await send(new StopUserImportJobCommand({ UserPoolId: p, JobId: j.JobId }))).UserImportJob;
      assert.ok(['Stopping', 'Stopped'].includes(stopping.Status));
      const stopped = await waitFor(t.cognito, p, j.JobId, (s) => s === 'Stopped');
      assert.equal(stopped.CompletionMessage, 'The Import Job was stopped by the developer.');
      assert.ok(stopped.ImportedUsers < 100_000, 'stopped before the end');
      assert.equal((await countUsers(t.cognito, p)).length, stopped.ImportedUsers);
      // Its log has a line for each user imported (the lines written ahead of the others included).
      const stoppedLog = await t.server.store.imports.log(j.JobId, 0, 100_000);
      assert.equal(stoppedLog.length, stopped.ImportedUsers);
      assert.ok(stoppedLog.every((l, i) => i === 0 || l.line > stoppedLog[i - 1]!.line));
      assert.equal((await t.server.store.imports.pending(j.JobId, 0)).size, 0);
      // The server log has the same lines.
      assert.deepEqual(
        serverLog.filter((l) => l.jobId === j.JobId).map((l) => l.line).sort(),
        stoppedLog.map((l) => l.message).sort(),
      );
      await expectError(send(new StartUserImportJobCommand({ UserPoolId: p, JobId: j.JobId })), 'PreconditionNotMetException');
      await expectError(send(new StopUserImportJobCommand({ UserPoolId: p, JobId: j.JobId })), 'PreconditionNotMetException');
      // The pool is free again.
      await send(new UpdateUserPoolCommand({ UserPoolId: p, AutoVerifiedAttributes: ['email'] }));
    });

    it('ListUserImportJobs: newest first, pages of MaxResults; unstarted jobs expire', async () => {
      const p = await pool();
      const ids: string[] = [];
      for (let i = 0; i < 5; i++) {
        ids.push((await job(p, `job ${i}`)).JobId);
        // Jobs created in the same millisecond have no order between them (newest first needs a later time).
        await sleep(2);
      }
      const seen: string[] = [];
      let PaginationToken: string | undefined;
      do {
        const r = await send(new ListUserImportJobsCommand({ UserPoolId: p, MaxResults: 2, PaginationToken }));
        assert.ok(r.UserImportJobs.length <= 2);
        seen.push(...r.UserImportJobs.map((x: any) => x.JobId));
        PaginationToken = r.PaginationToken;
      } while (PaginationToken);
      assert.deepEqual(seen, [...ids].reverse());
      await expectError(send(new ListUserImportJobsCommand({ UserPoolId: p, MaxResults: 61 })), 'InvalidParameterException');
      await expectError(send(new ListUserImportJobsCommand({ UserPoolId: p, MaxResults: 2, PaginationToken: 'bogus' })), 'InvalidParameterException');
      // Expiry: jobs not started within the limit (24 hours) become Expired.
      await t.server.store.imports.expire(Date.now() + 1, Date.now());
      const expired = (await send(new DescribeUserImportJobCommand({ UserPoolId: p, JobId: ids[0] }))).UserImportJob;
      assert.equal(expired.Status, 'Expired');
      await expectError(send(new StartUserImportJobCommand({ UserPoolId: p, JobId: ids[0] })), 'PreconditionNotMetException');
    });
  });

  describe(`user import windows and batches (${backend.name})`, () => {
    it('windows of 3 rows written 2 at a time in username order: the outcomes, counts and log of file order', async () => {
      // Usernames taken while the import runs: created as the first window's log lines are written.
      let during: Promise<unknown> | undefined;
      const small = await startTestServer(backend, {}, {
        runner: {
          windowSize: 3,
          batchSize: 2,
          pollMs: 20,
          log: () => {
            during ??= small.server.store.users.insert(storeUser(p, 'usertaken', 'CONFIRMED'));
          },
        },
      });
      let p = '';
      try {
        const c = small.cognito;
        p = (await c.send(new CreateUserPoolCommand({ PoolName: 'windows', AutoVerifiedAttributes: ['email'], AliasAttributes: ['email'] }))).UserPool!.Id!;
        await c.send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'userpre', MessageAction: 'SUPPRESS' }));
        const h = (await c.send(new GetCSVHeaderCommand({ UserPoolId: p }))).CSVHeader!;
        const row = (n: string, email = `${n}@example.com`) => good(n, { email, email_verified: 'true' });
        const lines = csv(h, [
          row('zed'), // 2
          row('amy', 'zed@example.com'), // 3: the alias line 2 claims (amy sorts first, line 2 still wins)
          row('bob'), // 4
          row('zed', 'zed2@example.com'), // 5: line 2's username
          row('carl'), // 6
          row('bob', 'bob2@example.com'), // 7: line 4's, a window before
          row('abe', 'carl@example.com'), // 8: the alias of line 6, a window before
          row('pre'), // 9: a user the pool had
          row('dan'), // 10
          row('ann'), // 11
          row('taken'), // 12: created while the import runs
          row('eve'), // 13
        ]).split('\n');
        lines.splice(6, 0, '   '); // an empty line 7: the rows after it move down one
        lines.splice(9, 0, 'one,value'); // line 10: a row with too few values
        const file = lines.join('\n');
        const { UserImportJob } = await c.send(new CreateUserImportJobCommand({ UserPoolId: p, JobName: 'w', CloudWatchLogsRoleArn: ROLE }));
        assert.equal(await put(UserImportJob!.PreSignedUrl!, file), 200);
        await c.send(new StartUserImportJobCommand({ UserPoolId: p, JobId: UserImportJob!.JobId }));
        const done = await waitFor(c, p, UserImportJob!.JobId!, (s) => !['Pending', 'InProgress'].includes(s));
        await during;
        const ok = (n: number) => `[SUCCEEDED] Line Number ${n} - The import succeeded.`;
        const skipped = (n: number) => `[SKIPPED] Line Number ${n} - The user already exists.`;
        const alias = (n: number) => `[FAILED] Line Number ${n} - An account with the given email already exists.`;
        const res = await adminFetch(`${small.url}/_incognito/imports/${UserImportJob!.JobId}/log?limit=100`);
        const got = ((await res.json()) as { lines: { line: number; message: string }[] }).lines;
        assert.deepEqual(
          got.map((l) => l.message),
          [ok(2), alias(3), ok(4), skipped(5), ok(6), skipped(8), alias(9), `[FAILED] Line Number 10 - The row has 2 values but the header has ${h.length} columns. Write a comma inside a value as \\, (backslash comma).`, skipped(11), ok(12), ok(13), skipped(14), ok(15)],
        );
        assert.deepEqual(got.map((l) => l.line), [2, 3, 4, 5, 6, 8, 9, 10, 11, 12, 13, 14, 15]);
        // 7 users failed or skipped, 6 imported: Failed, as in Cognito.
        assert.equal(done.Status, 'Failed');
        assert.equal(done.CompletionMessage, 'Too many users have failed or been skipped during the import.');
        assert.equal(done.ImportedUsers, 6);
        assert.equal(done.SkippedUsers, 4);
        assert.equal(done.FailedUsers, 3);
        assert.deepEqual((await countUsers(c, p)).sort(), ['userann', 'userbob', 'usercarl', 'userdan', 'usereve', 'userpre', 'usertaken', 'userzed']);
        // Each alias went to the earlier line's user.
        const byEmail = async (email: string) => (await c.send(new ListUsersCommand({ UserPoolId: p, Filter: `email = "${email}"` }))).Users!.map((u) => u.Username);
        assert.deepEqual(await byEmail('zed@example.com'), ['userzed']);
        assert.deepEqual(await byEmail('carl@example.com'), ['usercarl']);
        // import_pending is empty once the job ends.
        assert.equal((await small.server.store.imports.pending(UserImportJob!.JobId!, 0)).size, 0);
      } finally {
        await small.close();
      }
    });

    it('a username taken in the middle of a window: the rest of the window decided again and written, without a sub twice or a stall', async () => {
      // Windows of 50 rows, a transaction a batch of 10: a user named like the last row of the second
      // window is created as the first window's log lines are written, so the second window's first
      // batches are written before its last batch meets the name (its subs were shared out in username order).
      const errors: string[] = [];
      let during: Promise<unknown> | undefined;
      const small = await startTestServer(backend, {}, {
        runner: {
          windowSize: 50,
          batchSize: 10,
          transactionMs: 0,
          pollMs: 20,
          onError: (msg, e) => errors.push(`${msg}: ${e instanceof Error ? e.message : String(e)}`),
          log: () => {
            during ??= small.server.store.users.insert(storeUser(p, 'user099', 'CONFIRMED'));
          },
        },
      });
      let p = '';
      try {
        const c = small.cognito;
        p = (await c.send(new CreateUserPoolCommand({ PoolName: 'mid-window', AutoVerifiedAttributes: ['email'] }))).UserPool!.Id!;
        const h = (await c.send(new GetCSVHeaderCommand({ UserPoolId: p }))).CSVHeader!;
        const { UserImportJob } = await c.send(new CreateUserImportJobCommand({ UserPoolId: p, JobName: 'mid', CloudWatchLogsRoleArn: ROLE }));
        assert.equal(await put(UserImportJob!.PreSignedUrl!, csv(h, Array.from({ length: 100 }, (_, i) => good(String(i).padStart(3, '0'))))), 200);
        const started = Date.now();
        await c.send(new StartUserImportJobCommand({ UserPoolId: p, JobId: UserImportJob!.JobId }));
        const done = await waitFor(c, p, UserImportJob!.JobId!, (s) => !['Pending', 'InProgress'].includes(s));
        await during;
        assert.deepEqual(errors, [], 'the runner reported no error (it retried the window without meeting a sub of its own)');
        assert.ok(Date.now() - started < 10_000, `no wait for the claim's lease (${Date.now() - started} ms)`);
        assert.equal(done.Status, 'Succeeded');
        assert.equal(done.ImportedUsers, 99);
        assert.equal(done.SkippedUsers, 1);
        const names = await countUsers(c, p);
        assert.equal(names.length, 100);
        const subs = new Set<string>();
        for (const u of (await c.send(new ListUsersCommand({ UserPoolId: p, Limit: 60 }))).Users!) subs.add(u.Attributes!.find((a) => a.Name === 'sub')!.Value!);
        assert.equal(subs.size, 60);
      } finally {
        await small.close();
      }
    });

    if (backend.name === 'sqlite') {
      it("SQLite: an import's transaction on its own connection: reads answer from what is committed, other writes wait for its commit", async () => {
        const t = await startTestServer(backend);
        try {
          const c = t.cognito;
          const store = t.server.store;
          const p = (await c.send(new CreateUserPoolCommand({ PoolName: 'long-transactions' }))).UserPool!.Id!;
          await c.send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'before', MessageAction: 'SUPPRESS' }));
          // (The node learns the pool's username rules at its first lookup: a read through Kysely, done here.)
          await c.send(new AdminGetUserCommand({ UserPoolId: p, Username: 'before' }));
          const row = (name: string) => storeUser(p, name, 'RESET_REQUIRED');
          assert.ok(store.importTransaction, 'the SQLite store has import transactions');
          let written = false;
          let write: Promise<unknown> | undefined;
          const during = await store.importTransaction(async (tx) => {
            await tx.users.insertMany([row('inside')]);
            // The event loop turns while the transaction is open: the hot reads answer, from what is committed.
            await sleep(20);
            const seen = { inside: await store.reads.userByKey(p, 'inside'), before: await store.reads.userByKey(p, 'before') };
            // And so does an API read of a user.
            const got = await Promise.race([c.send(new AdminGetUserCommand({ UserPoolId: p, Username: 'before' })).then((u) => u.Username), sleep(1000).then(() => 'waited')]);
            assert.equal(got, 'before');
            // An API write meanwhile waits for the commit, and the import can tell (it then ends its transaction).
            const idle = store.importWaited?.();
            write = c.send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'meanwhile', MessageAction: 'SUPPRESS' })).then(() => (written = true));
            await sleep(200);
            return { ...seen, written, idle, waited: store.importWaited?.() };
          });
          assert.equal(during.inside, undefined, 'the uncommitted user is not read');
          assert.equal(during.before?.username, 'before', 'the committed user is');
          assert.equal(during.written, false, 'the API write waited');
          assert.equal(during.idle, false, 'nothing waited before it');
          assert.equal(during.waited, true, 'the import transaction knows a request waits for it');
          await write;
          assert.equal(written, true);
          assert.equal((await c.send(new AdminGetUserCommand({ UserPoolId: p, Username: 'inside' }))).UserStatus, 'RESET_REQUIRED');
          // A transaction that fails leaves nothing.
          await assert.rejects(
            store.importTransaction(async (tx) => {
              await tx.users.insertMany([row('rolledback')]);
              throw new Error('refused');
            }),
            /refused/,
          );
          assert.equal(await store.reads.userByKey(p, 'rolledback'), undefined);
          assert.deepEqual((await countUsers(c, p)).sort(), ['before', 'inside', 'meanwhile']);
        } finally {
          await t.close();
        }
      });
    }

    it('a job stopped within a window: the log lines of its imported users reach the server log too', async () => {
      const serverLog: string[] = [];
      // One window for the whole file, written 20 rows a transaction: the stop lands within it.
      const small = await startTestServer(backend, {}, { runner: { windowSize: 100_000, batchSize: 20, pollMs: 20, log: (_jobId, lines) => serverLog.push(...lines) } });
      try {
        const c = small.cognito;
        const p = (await c.send(new CreateUserPoolCommand({ PoolName: 'stop-log', AutoVerifiedAttributes: ['email'] }))).UserPool!.Id!;
        const h = (await c.send(new GetCSVHeaderCommand({ UserPoolId: p }))).CSVHeader!;
        const { UserImportJob } = await c.send(new CreateUserImportJobCommand({ UserPoolId: p, JobName: 'stop', CloudWatchLogsRoleArn: ROLE }));
        const jobId = UserImportJob!.JobId!;
        assert.equal(await put(UserImportJob!.PreSignedUrl!, csv(h, Array.from({ length: 10_000 }, (_, i) => good(i)))), 200);
        await c.send(new StartUserImportJobCommand({ UserPoolId: p, JobId: jobId }));
        while (!(await c.send(new DescribeUserImportJobCommand({ UserPoolId: p, JobId: jobId }))).UserImportJob!.ImportedUsers) await sleep(5);
        await c.send(new StopUserImportJobCommand({ UserPoolId: p, JobId: jobId }));
        const stopped = await waitFor(c, p, jobId, (s) => s === 'Stopped');
        assert.ok(stopped.ImportedUsers > 0 && stopped.ImportedUsers < 10_000, String(stopped.ImportedUsers));
        const jobLog = (await small.server.store.imports.log(jobId, 0, 10_000)).map((l) => l.message);
        assert.equal(jobLog.length, stopped.ImportedUsers);
        assert.deepEqual([...serverLog].sort(), [...jobLog].sort());
      } finally {
        await small.close();
      }
    });
  });

  describe(`user import crash safety (${backend.name})`, () => {
    it('SIGKILL in the middle of a job: after a restart it resumes, no user duplicated or missing', async () => {
      const db = await backend.fresh();
      const args = ['--public-url', 'http://incognito.test:9229', ...storeArgs(db.settings)];
      const env = { INCOGNITO_MASTER_KEY: randomBytes(32).toString('base64'), INCOGNITO_LOG_REQUESTS: 'false' };
      let child: Child | undefined;
      let c: CognitoIdentityProviderClient | undefined;
      const restart = async () => {
        c?.destroy();
        if (child) await kill(child, 'SIGKILL');
        child = await startCli(args, env);
        c = new CognitoIdentityProviderClient({ region: 'us-east-1', endpoint: child.url, credentials: { accessKeyId: 'a', secretAccessKey: 'b' }, maxAttempts: 1 });
        return { c, url: child.url };
      };
      try {
        let s = await restart();
        const { UserPool } = await s.c.send(new CreateUserPoolCommand({ PoolName: 'crash', AutoVerifiedAttributes: ['email'] }));
        const p = UserPool!.Id!;
        const h = (await s.c.send(new GetCSVHeaderCommand({ UserPoolId: p }))).CSVHeader!;
        const total = 60_000;
        const { UserImportJob } = await s.c.send(new CreateUserImportJobCommand({ UserPoolId: p, JobName: 'crash', CloudWatchLogsRoleArn: ROLE }));
        const jobId = UserImportJob!.JobId!;
        // The URL names the public host; send it to the child's real address.
        const upload = UserImportJob!.PreSignedUrl!.replace('http://incognito.test:9229', s.url);
        assert.equal(await put(upload, csv(h, Array.from({ length: total }, (_, i) => good(i)))), 200);
        await s.c.send(new StartUserImportJobCommand({ UserPoolId: p, JobId: jobId }));
        const during = await waitFor(s.c, p, jobId, (st) => st !== 'Pending');
        assert.equal(during.Status, 'InProgress');
        await waitForCount(s.c, p, jobId, 1);
        s.c.destroy();
        await kill(child!, 'SIGKILL');
        child = undefined;
        // What the killed node left: the job's counts match the users that exist.
        const store = await openStore({ dataDir: db.settings.dataDir ?? os.tmpdir(), databaseUrl: db.settings.databaseUrl, databaseSchema: db.settings.databaseSchema });
        try {
          const mid = (await store.imports.get(jobId))!;
          assert.ok(mid.imported > 0 && mid.imported < total, `killed mid-job (${mid.imported} imported)`);
          assert.equal(await store.users.count(p), mid.imported, 'the counts match the users that exist');
          // Every committed outcome has its log line, once: in import_log up to lines_done (every line
          // up to it is done), in import_pending after it (rows are written in username order, so
          // lines after lines_done can be done before the lines ahead of them).
          assert.ok(mid.linesDone >= 1 && mid.linesDone <= mid.imported + 1, `lines_done ${mid.linesDone}`);
          const logged = (await store.imports.log(jobId, 0, total + 1)).map((l) => l.line);
          assert.deepEqual(logged, Array.from({ length: mid.linesDone - 1 }, (_, i) => i + 2), 'import_log holds exactly the lines up to lines_done');
          const pending = [...(await store.imports.pending(jobId, mid.linesDone)).keys()];
          assert.equal(logged.length + pending.length, mid.imported, 'one log line per imported user');
          // The users that exist are exactly those of these lines (user<n> is on line n + 2).
          const names: number[] = [];
          for (let after: string | undefined, first = true; first || after; first = false) {
            const r = await store.users.list(p, { after, limit: 1000 });
            names.push(...r.users.map((u) => Number(u.username.slice(4)) + 2));
            after = r.cursor;
          }
          assert.deepEqual(names.sort((a, b) => a - b), [...logged, ...pending].sort((a, b) => a - b));
        } finally {
          await store.close();
        }
        s = await restart();
        const done = await waitFor(s.c, p, jobId, (st) => st === 'Succeeded', 120_000);
        assert.equal(done.ImportedUsers, total);
        assert.equal(done.SkippedUsers, 0);
        assert.equal(done.FailedUsers, 0);
        const all = await countUsers(s.c, p);
        assert.equal(all.length, total);
        assert.equal(new Set(all).size, total, 'no user twice');
        // The log: every line once, in order.
        const lines: number[] = [];
        for (let afterLine = 0; ; ) {
          const r = (await (await adminFetch(`${s.url}/_incognito/imports/${jobId}/log?after=${afterLine}&limit=10000`)).json()) as { lines: { line: number; message: string }[]; next: number | null };
          assert.ok(r.lines.every((l) => l.message === `[SUCCEEDED] Line Number ${l.line} - The import succeeded.`));
          lines.push(...r.lines.map((l) => l.line));
          if (r.next === null) break;
          afterLine = r.next;
        }
        assert.deepEqual(lines, Array.from({ length: total }, (_, i) => i + 2));
      } finally {
        c?.destroy();
        if (child) await kill(child, 'SIGTERM');
        await db.cleanup();
      }
    });
  });
}

/** Waits until the job has imported at least `n` users. */
async function waitForCount(c: CognitoIdentityProviderClient, UserPoolId: string, JobId: string, n: number): Promise<void> {
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const { UserImportJob } = await c.send(new DescribeUserImportJobCommand({ UserPoolId, JobId }));
    if (UserImportJob!.ImportedUsers! >= n) return;
    await sleep(20);
  }
  throw new Error('the job imported nothing');
}

const pgBackend = (await backends()).find((b) => b.name === 'postgres');
if (pgBackend) {
  describe('user imports on two PostgreSQL nodes', () => {
    it('exactly one node runs a job: every line imported and logged once', async () => {
      const a = await startTestServer(pgBackend, { publicUrl: 'http://incognito.test' });
      const b = await startServer({ ...a.config, port: 0 }, undefined, { runner: { pollMs: 20, batchSize: 200 } });
      // The second node has the first one's access key, if any (INCOGNITO_TEST_CREDENTIALS).
      if (a.config.accessKeyId !== undefined) useKey(b.url, { accessKeyId: a.config.accessKeyId, secretAccessKey: a.config.secretAccessKey! });
      try {
        const c = a.cognito;
        const { UserPool } = await c.send(new CreateUserPoolCommand({ PoolName: 'two', AutoVerifiedAttributes: ['email'] }));
        const p = UserPool!.Id!;
        const h = (await c.send(new GetCSVHeaderCommand({ UserPoolId: p }))).CSVHeader!;
        const { UserImportJob } = await c.send(new CreateUserImportJobCommand({ UserPoolId: p, JobName: 'two', CloudWatchLogsRoleArn: ROLE }));
        const total = 5_000;
        assert.equal(await put(UserImportJob!.PreSignedUrl!.replace('http://incognito.test', a.url), csv(h, Array.from({ length: total }, (_, i) => good(i)))), 200);
        await c.send(new StartUserImportJobCommand({ UserPoolId: p, JobId: UserImportJob!.JobId }));
        const done = await waitFor(c, p, UserImportJob!.JobId!, (s) => s === 'Succeeded');
        assert.equal(done.ImportedUsers, total);
        const lines: string[] = [];
        let afterLine = 0;
        for (;;) {
          const r = (await (await adminFetch(`${b.url}/_incognito/imports/${UserImportJob!.JobId}/log?after=${afterLine}&limit=10000`)).json()) as { lines: { line: number; message: string }[]; next: number | null };
          lines.push(...r.lines.map((l) => l.message));
          if (r.next === null) break;
          afterLine = r.next;
        }
        assert.equal(lines.length, total);
        assert.ok(lines.every((l) => l.startsWith('[SUCCEEDED]')));
        assert.equal((await countUsers(c, p)).length, total);
      } finally {
        useKey(b.url, undefined);
        await b.close();
        await a.close();
      }
    });
  });
}

describe("a window's subs in order (runner.ts sortSubs)", () => {
  it('puts random UUIDs in string order, and anything else too (by sorting it)', async () => {
    const byString = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
    for (const n of [0, 1, 2, 1_000, 70_000]) {
      const subs = Array.from({ length: n }, () => randomUUID());
      // Some equal first digits and some equal subs: the buckets hold more than one.
      if (n > 2) subs.push(`${subs[0]!.slice(0, 4)}0000-0000-4000-8000-000000000000`, subs[1]!);
      assert.deepEqual(await sortSubs([...subs]), [...subs].sort(byString));
    }
    const odd = [randomUUID(), randomUUID().toUpperCase(), 'ab', '', randomUUID(), 'zz-not-hex'];
    assert.deepEqual(await sortSubs([...odd]), [...odd].sort(byString));
  });
});
