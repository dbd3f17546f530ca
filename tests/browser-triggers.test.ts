/**
 * The hosted pages with Lambda triggers, in a real browser (headless Chromium through
 * playwright-core): handler files in a temporary --lambda-dir. A sign-up auto-confirmed by
 * PreSignUp, then signed in; PreAuthentication refusing a user, its message on the page;
 * PreTokenGeneration's claim in the ID token after the code exchange; a user the pool does not
 * have, migrated by UserMigration at the sign-in page. Screenshots of each page go to
 * test-output/screenshots/ (paths printed as diagnostics). Skipped without /usr/bin/chromium
 * (outside CI).
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { Browser, Page } from 'playwright-core';
import { AdminCreateUserCommand, AdminGetUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { backends, startTestServer, type TestServer } from './harness.js';
import { browserAppClient, callbackServer, chromiumSkip, launchChromium, screenshots } from './hosted.js';

const PASSWORD = 'Correct-Horse-9';
const OLD_PASSWORD = 'from-the-old-site';
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;
const skip = chromiumSkip();

/** The pool's functions, as an app would write them. */
const HANDLERS: Record<string, string> = {
  preSignUp: `export const handler = async (event) => {
  event.response.autoConfirmUser = true;
  event.response.autoVerifyEmail = true;
  return event;
};`,
  preAuthentication: `export const handler = async (event) => {
  if (event.request.userAttributes['custom:suspended'] === 'yes') throw new Error('This account is suspended');
  return event;
};`,
  preTokenGeneration: `export const handler = async (event) => {
  event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { plan: 'gold', signed_in_via: event.triggerSource } } };
  return event;
};`,
  userMigration: `const oldSite = { 'lena': { password: ${JSON.stringify(OLD_PASSWORD)}, email: 'lena@old.example' } };
export const handler = async (event) => {
  const u = oldSite[event.userName];
  if (!u) return event;
  if (event.triggerSource === 'UserMigration_Authentication' && event.request.password !== u.password) throw new Error('Wrong password for the old site');
  event.response.userAttributes = { email: u.email, email_verified: 'true' };
  event.response.finalUserStatus = 'CONFIRMED';
  event.response.messageAction = 'SUPPRESS';
  return event;
};`,
};

describe('hosted pages with Lambda triggers in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it('runs on each store', async (tc) => {
    for (const backend of await backends()) {
      await tc.test(backend.name, async (t) => {
        await scenario(t, backend);
      });
    }
  });

  async function scenario(t: TestContext, backend: Awaited<ReturnType<typeof backends>>[number]): Promise<void> {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-browser-triggers-'));
    for (const [name, src] of Object.entries(HANDLERS)) fs.writeFileSync(path.join(dir, `${name}.mjs`), src);
    const server: TestServer = await startTestServer(backend, { lambdaDir: dir });
    const app = await callbackServer();
    const context = await browser.newContext();
    const page: Page = await context.newPage();
    const shot = screenshots(page, t, `${backend.name}-triggers-`);
    try {
      const cognito = server.cognito;
      const { poolId, clientId } = await browserAppClient(cognito, 'browser-triggers', [`${app.url}/callback`], [`${app.url}/signed-out`], {
        Schema: [{ Name: 'suspended', AttributeDataType: 'String', Mutable: true }],
        LambdaConfig: {
          PreSignUp: arn('preSignUp'),
          PreAuthentication: arn('preAuthentication'),
          PreTokenGeneration: arn('preTokenGeneration'),
          UserMigration: arn('userMigration'),
        },
      });
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'sid',
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: 'sid@example.com' },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'custom:suspended', Value: 'yes' },
          ],
        }),
      );
      await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'sid', Password: PASSWORD, Permanent: true }));

      const verifier = randomBytes(32).toString('base64url');
      const query = (state: string) =>
        new URLSearchParams({
          client_id: clientId,
          response_type: 'code',
          redirect_uri: `${app.url}/callback`,
          scope: 'openid email',
          state,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        });
      const jwks = createRemoteJWKSet(new URL(`${server.url}/${poolId}/.well-known/jwks.json`));
      const idTokenOf = async (code: string) => {
        const res = await fetch(`${server.url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: `${app.url}/callback`, code_verifier: verifier }),
        });
        assert.equal(res.status, 200);
        const { id_token } = (await res.json()) as { id_token: string };
        return (await jwtVerify(id_token, jwks, { issuer: `${server.url}/${poolId}`, audience: clientId })).payload;
      };
      const signIn = async (username: string, password: string) => {
        await page.getByLabel('Username').fill(username);
        await page.getByLabel('Password').fill(password);
        await page.getByRole('button', { name: 'Sign in' }).click();
      };
      const signOut = async () => {
        await page.goto(`${server.url}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: `${app.url}/signed-out` })}`);
        await page.waitForURL(`${app.url}/signed-out`);
      };

      // 1. Sign-up: PreSignUp confirms the account at once, so the page goes to sign-in, no code.
      await page.goto(`${server.url}/signup?${query('signup')}`);
      assert.equal(await page.locator('h1').textContent(), 'Sign up');
      await page.getByLabel('Username').fill('rosa');
      await page.getByLabel('Email').fill('rosa@example.com');
      await page.getByLabel('Password').fill(PASSWORD);
      await shot('1-sign-up');
      await page.getByRole('button', { name: 'Sign up' }).click();
      assert.equal(await page.locator('h1').textContent(), 'Sign in');
      assert.equal(await page.locator('#message').textContent(), 'Your account is ready. Sign in.');
      await shot('2-auto-confirmed');
      const rosa = await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'rosa' }));
      assert.equal(rosa.UserStatus, 'CONFIRMED');
      assert.equal(rosa.UserAttributes!.find((a) => a.Name === 'email_verified')?.Value, 'true');

      // 2. The new user signs in; PreTokenGeneration's claim is in the ID token after the code exchange.
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${app.url}/callback?**`), page.getByRole('button', { name: 'Sign in' }).click()]);
      await shot('3-callback');
      const id = await idTokenOf(app.hits.at(-1)!.get('code')!);
      assert.equal(id['cognito:username'], 'rosa');
      assert.equal(id.plan, 'gold');
      assert.equal(id.signed_in_via, 'TokenGeneration_HostedAuth');
      await signOut();

      // 3. PreAuthentication refuses a suspended user: its message on the sign-in page, no redirect.
      await page.goto(`${server.url}/oauth2/authorize?${query('suspended')}`);
      await signIn('sid', PASSWORD);
      assert.equal(await page.getByRole('alert').textContent(), 'PreAuthentication failed with error This account is suspended.');
      assert.equal(await page.locator('h1').textContent(), 'Sign in');
      await shot('4-pre-authentication-refused');
      assert.equal(app.hits.filter((h) => h.get('state') === 'suspended').length, 0);

      // 4. A user of the old site the pool does not have yet: a wrong password is refused by the
      //    migration function (no user made), the right one migrates and signs in.
      await signIn('lena', 'not-it');
      assert.equal(await page.getByRole('alert').textContent(), 'UserMigration failed with error Wrong password for the old site.');
      await shot('5-migration-refused');
      await assert.rejects(cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lena' })), (e: any) => e.name === 'UserNotFoundException');
      await page.getByLabel('Password').fill(OLD_PASSWORD);
      await Promise.all([page.waitForURL(`${app.url}/callback?**`), page.getByRole('button', { name: 'Sign in' }).click()]);
      await shot('6-migrated-callback');
      const back = app.hits.at(-1)!;
      assert.equal(back.get('state'), 'suspended');
      const lena = await idTokenOf(back.get('code')!);
      assert.equal(lena['cognito:username'], 'lena');
      assert.equal(lena.email, 'lena@old.example');
      assert.equal(lena.plan, 'gold');
      assert.equal((await cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'lena' }))).UserStatus, 'CONFIRMED');

      // 5. The migrated user signs in again with the same password, now from the pool itself.
      await signOut();
      await page.goto(`${server.url}/oauth2/authorize?${query('again')}`);
      await signIn('lena', OLD_PASSWORD);
      await page.waitForURL(`${app.url}/callback?**`);
      assert.equal(app.hits.at(-1)!.get('state'), 'again');
    } finally {
      await context.close();
      await app.close();
      await server.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  }
});
