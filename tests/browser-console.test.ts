/**
 * The web console in a real browser (headless Chromium, playwright-core), on each store, behind an
 * access key (the browser sends it as HTTP Basic credentials): browse pools → a pool → users →
 * search → a user; create a user; set a password (a refused one first); disable; add to a group;
 * read the invitation's temporary password on the Messages page; an import job's progress and log;
 * delete a user after the confirmation page. A `<script>` in a user's name stays text (no dialog
 * opens). A console link followed from another site keeps the open tab's session. No page is wider
 * than the window at 390, 1024 and 1280 px. Screenshots of each page go to
 * test-output/screenshots/console-*.png.
 */
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser, Page } from 'playwright-core';
import {
  AdminCreateUserCommand,
  AdminGetUserCommand,
  AdminListGroupsForUserCommand,
  CreateGroupCommand,
  CreateUserImportJobCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DescribeUserImportJobCommand,
  GetCSVHeaderCommand,
  StartUserImportJobCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { adminFetch, startTestServer, TEST_KEY, type Backend, type TestServer } from './harness.js';
import { chromiumSuite, screenshots } from './hosted.js';

const PASSWORD = 'Correct-Horse-9';

chromiumSuite('web console in Chromium', async (t: TestContext, backend: Backend, browser: Browser) => {
  const server: TestServer = await startTestServer(backend, { accessKeyId: TEST_KEY.accessKeyId, secretAccessKey: TEST_KEY.secretAccessKey });
  const context = await browser.newContext({ httpCredentials: { username: TEST_KEY.accessKeyId, password: TEST_KEY.secretAccessKey }, viewport: { width: 1280, height: 800 } });
  const page: Page = await context.newPage();
  const dialogs: string[] = [];
  page.on('dialog', (d) => {
    dialogs.push(d.message());
    void d.dismiss();
  });
  const shot = screenshots(page, t, `console-${backend.name}-`);
  try {
    const cognito = server.cognito;
    const { UserPool } = await cognito.send(new CreateUserPoolCommand({ PoolName: 'Acme customers', AutoVerifiedAttributes: ['email'], AliasAttributes: ['email'] }));
    const poolId = UserPool!.Id!;
    await cognito.send(
      new CreateUserPoolClientCommand({
        UserPoolId: poolId,
        ClientName: 'web app',
        ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH'],
        AllowedOAuthFlows: ['code'],
        AllowedOAuthFlowsUserPoolClient: true,
        AllowedOAuthScopes: ['openid', 'email'],
        SupportedIdentityProviders: ['COGNITO'],
        CallbackURLs: ['https://shop.example.com/auth/callback/after-sign-in', 'http://localhost:3000/auth/callback/after-sign-in'],
      }),
    );
    await cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'backend', GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }));
    await cognito.send(new CreatePoolGroup(poolId, 'admins', 'Can manage the shop', 1));
    await cognito.send(new CreatePoolGroup(poolId, 'beta-testers', 'See new features first', 10));
    const people = [
      ['alice', 'Alice Martin'],
      ['bob', 'Bob Chen'],
      ['charlie', 'Charlie Dubois'],
      ['diana', 'Diana Rossi'],
      ['mallory', '<script>alert("owned")</script>'],
    ];
    for (const [username, name] of people) {
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          TemporaryPassword: PASSWORD,
          UserAttributes: [
            { Name: 'email', Value: `${username}@example.com` },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'name', Value: name! },
          ],
        }),
      );
    }
    // An import job: three rows, one of them refused (no email for a pool that verifies emails is fine; a bad phone is not).
    const header = (await cognito.send(new GetCSVHeaderCommand({ UserPoolId: poolId }))).CSVHeader!;
    const row = (r: Record<string, string>) => header.map((h) => r[h] ?? '').join(',');
    const csv = [
      header.join(','),
      row({ 'cognito:username': 'imported1', 'cognito:mfa_enabled': 'false', email: 'imported1@example.com', email_verified: 'TRUE' }),
      row({ 'cognito:username': 'imported2', 'cognito:mfa_enabled': 'false', email: 'imported2@example.com', email_verified: 'TRUE' }),
      row({ 'cognito:username': 'imported3', 'cognito:mfa_enabled': 'false', email: 'imported3@example.com', email_verified: 'TRUE', phone_number: 'not-a-phone' }),
    ].join('\n');
    const job = (await cognito.send(new CreateUserImportJobCommand({ UserPoolId: poolId, JobName: 'legacy users', CloudWatchLogsRoleArn: 'arn:aws:iam::123456789012:role/CognitoImport' }))).UserImportJob!;
    const put = await fetch(job.PreSignedUrl!, { method: 'PUT', body: csv, headers: { 'x-amz-server-side-encryption': 'aws:kms' } });
    assert.equal(put.status, 200);
    await cognito.send(new StartUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId! }));
    let status = '';
    while (status !== 'Succeeded' && status !== 'Failed') {
      status = (await cognito.send(new DescribeUserImportJobCommand({ UserPoolId: poolId, JobId: job.JobId! }))).UserImportJob!.Status!;
      if (status !== 'Succeeded' && status !== 'Failed') await new Promise((r) => setTimeout(r, 50));
    }

    // Pools → the pool.
    await page.goto(`${server.url}/_incognito/console`);
    assert.equal(await page.locator('h1').textContent(), 'User pools');
    await shot('pools');
    await page.click('text=Acme customers');
    assert.equal(await page.locator('h1').textContent(), 'Acme customers');
    assert.equal(await page.locator('#clients tbody tr').count(), 2);
    assert.ok((await page.locator('#clients').textContent())!.includes('confidential (secret hidden)'));
    await shot('pool');

    // Users → search → a user.
    await page.click('nav.tabs >> text=Users');
    assert.equal(await page.locator('#users tbody tr').count(), 7, 'five users and two imported');
    await shot('users');
    await page.selectOption('select[name=attr]', 'email');
    await page.fill('input[name=value]', 'b');
    await page.click('#search button[type=submit]');
    assert.deepEqual(await page.locator('#users tbody tr td:first-child').allTextContents(), ['bob']);
    assert.equal(await page.locator('#filter').textContent(), 'email ^= "b"');
    await shot('users-search');
    await page.click('#users >> text=bob');
    assert.equal(await page.locator('h1').textContent(), 'bob');
    assert.ok((await page.locator('#attributes').textContent())!.includes('Bob Chen'));
    await shot('user');

    // The script in mallory's name is shown as text, and runs nowhere.
    await page.goto(`${server.url}/_incognito/console/pools/${poolId}/users/mallory`);
    assert.ok((await page.locator('#attributes').textContent())!.includes('<script>alert("owned")</script>'));
    assert.equal(await page.locator('main script').count(), 0);
    await shot('user-script-as-text');

    // Create a user, with an email invitation.
    await page.click('nav.tabs >> text=Users');
    await page.fill('#create-user input[name=username]', 'zoe');
    await page.fill('#create-user input[name=email]', 'zoe@example.com');
    await page.click('#create-user button[type=submit]');
    assert.equal(await page.locator('#message').textContent(), 'User created.');
    assert.equal(await page.locator('h1').textContent(), 'zoe');
    await shot('user-created');

    // Set a password: one the policy refuses (Cognito's message on the page), then a good one.
    await page.fill('#set-password input[name=password]', 'password');
    await page.click('#set-password button[type=submit]');
    assert.match((await page.locator('#message').textContent())!, /^InvalidPasswordException: Password did not conform with policy: /);
    await shot('password-refused');
    await page.fill('#set-password input[name=password]', 'Zoe-Strong-Pass-1');
    await page.click('#set-password button[type=submit]');
    assert.equal(await page.locator('#message').textContent(), 'Password set.');
    const zoe = () => cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'zoe' }));
    assert.equal((await zoe()).UserStatus, 'CONFIRMED');

    // Disable; add to a group.
    await page.click('#disable button');
    assert.equal(await page.locator('#message').textContent(), 'User disabled: its sign-ins are revoked.');
    assert.equal((await zoe()).Enabled, false);
    await page.selectOption('#add-to-group select[name=group]', 'beta-testers');
    await page.click('#add-to-group button[type=submit]');
    assert.equal(await page.locator('#message').textContent(), 'Added to the group.');
    assert.deepEqual((await cognito.send(new AdminListGroupsForUserCommand({ UserPoolId: poolId, Username: 'zoe' }))).Groups!.map((g) => g.GroupName), ['beta-testers']);
    await shot('user-after-actions');

    // The invitation's temporary password, on the Messages page, is the outbox's.
    const outbox = (await (await adminFetch(`${server.url}/_incognito/messages?userPoolId=${poolId}&username=zoe`)).json()) as { messages: { kind: string; code: string }[] };
    const invitation = outbox.messages.find((m) => m.kind === 'INVITATION')!;
    await page.click('nav.tabs >> text=Messages');
    const firstRow = page.locator('#messages tbody tr').first();
    assert.equal(await firstRow.locator('td').nth(1).textContent(), 'zoe');
    assert.equal(await firstRow.locator('.code').textContent(), invitation.code);
    await shot('messages');

    // The import job: its progress, then its log.
    await page.click('nav.tabs >> text=Import jobs');
    assert.ok((await page.locator('#imports').textContent())!.includes('Succeeded'));
    // The counts, and the CSV lines read (the header line included, as on the job's page).
    assert.deepEqual(await page.locator('#imports thead th').allTextContents(), ['Job', 'Job id', 'Status', 'Imported', 'Skipped', 'Failed', 'Lines read', 'Created', 'Completed']);
    assert.deepEqual((await page.locator('#imports tbody tr td').allTextContents()).slice(3, 7), ['2', '0', '1', '4']);
    await shot('imports');
    await page.click('#imports >> text=legacy users');
    assert.equal(await page.locator('#imported').textContent(), '2');
    assert.equal(await page.locator('#failed').textContent(), '1');
    const log = (await page.locator('#import-log').textContent())!;
    assert.match(log, /\[SUCCEEDED\] Line Number 2 - The import succeeded\./);
    assert.match(log, /\[FAILED\] Line Number 4/);
    await shot('import-job');

    // A console link followed from another site (a ticket, a chat): the session of the tab already
    // open stays (SameSite=Lax), so its forms still work.
    const dianaUrl = `${server.url}/_incognito/console/pools/${poolId}/users/diana`;
    await page.goto(dianaUrl);
    await context.route('http://elsewhere.test/**', (r) => r.fulfill({ contentType: 'text/html', body: `<!doctype html><a id="go" href="${dianaUrl}">diana</a>` }));
    const other = await context.newPage();
    await other.goto('http://elsewhere.test/ticket');
    await other.click('#go');
    await other.waitForURL(dianaUrl);
    assert.equal(await other.locator('h1').textContent(), 'diana');
    await other.close();
    await page.click('#disable button');
    assert.equal(await page.locator('#message').textContent(), 'User disabled: its sign-ins are revoked.');

    // Each page at a phone's, a small laptop's and a desktop's width: nothing wider than the window
    // (wide tables scroll inside their cards).
    const pages: [string, string][] = [
      ['pools', ''],
      ['pool', `/pools/${poolId}`],
      ['users', `/pools/${poolId}/users`],
      ['user', `/pools/${poolId}/users/diana`],
      ['groups', `/pools/${poolId}/groups`],
      ['group', `/pools/${poolId}/groups/beta-testers`],
      ['messages', `/pools/${poolId}/messages`],
      ['imports', `/pools/${poolId}/imports`],
      ['import-job', `/pools/${poolId}/imports/${job.JobId}`],
    ];
    for (const width of [390, 1024, 1280]) {
      await page.setViewportSize({ width, height: 800 });
      for (const [name, p] of pages) {
        await page.goto(`${server.url}/_incognito/console${p}`);
        const [scroll, client] = await page.evaluate(() => [document.documentElement.scrollWidth, document.documentElement.clientWidth]);
        assert.ok(scroll <= client, `${name} at ${width} px: the page is ${scroll} px wide in a ${client} px window`);
        await shot(`${width}-${name}`);
      }
    }
    await page.setViewportSize({ width: 1280, height: 800 });

    // Delete, through the confirmation page.
    await page.goto(`${server.url}/_incognito/console/pools/${poolId}/users/charlie`);
    await page.click('#delete');
    await shot('delete-confirm');
    await page.click('#confirm-delete button');
    assert.equal(await page.locator('#message').textContent(), 'User deleted.');
    assert.ok(!(await page.locator('#users').textContent())!.includes('charlie'));

    assert.deepEqual(dialogs, [], 'no script ran');
  } finally {
    await context.close();
    await server.close();
  }
});

/** CreateGroup with a description and a precedence. */
class CreatePoolGroup extends CreateGroupCommand {
  constructor(UserPoolId: string, GroupName: string, Description: string, Precedence: number) {
    super({ UserPoolId, GroupName, Description, Precedence });
  }
}
