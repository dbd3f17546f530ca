/**
 * The hosted pages in a real browser: headless Chromium (Debian's `chromium` package) driven by
 * playwright-core. It opens the authorize URL, signs in on the page, follows the redirect to a
 * small local callback server, and exchanges the code (PKCE) for tokens that verify against the
 * JWKS; then the temporary-password path and logout. Screenshots of every page go to
 * test-output/screenshots/ (their paths are printed as test diagnostics).
 * Without /usr/bin/chromium the suite is skipped, except under CI, where it fails (.ci/run
 * installs the package).
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { backends, startTestServer, type TestServer } from './harness.js';
import { browserAppClient, callbackServer, chromiumSkip, launchChromium, screenshots } from './hosted.js';

const PASSWORD = 'Correct-Horse-9';
const skip = chromiumSkip();

describe('hosted pages in Chromium', { skip }, () => {
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
    const server: TestServer = await startTestServer(backend);
    const app = await callbackServer();
    const context = await browser.newContext();
    const page: Page = await context.newPage();
    const shot = screenshots(page, t, `${backend.name}-`);
    try {
      const cognito = server.cognito;
      const { poolId, clientId } = await browserAppClient(cognito, 'browser', [`${app.url}/callback`], [`${app.url}/signed-out`]);
      for (const [username, permanent] of [['nina', true], ['omar', false]] as const) {
        await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: poolId,
            Username: username,
            MessageAction: 'SUPPRESS',
            TemporaryPassword: PASSWORD,
            UserAttributes: [
              { Name: 'email', Value: `${username}@example.com` },
              { Name: 'email_verified', Value: 'true' },
            ],
          }),
        );
        if (permanent) await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
      }

      const verifier = randomBytes(32).toString('base64url');
      const authorizeUrl = (state: string) =>
        `${server.url}/oauth2/authorize?${new URLSearchParams({
          client_id: clientId,
          response_type: 'code',
          redirect_uri: `${app.url}/callback`,
          scope: 'openid email profile',
          state,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        })}`;
      const exchange = async (code: string) => {
        const res = await fetch(`${server.url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code, redirect_uri: `${app.url}/callback`, code_verifier: verifier }),
        });
        assert.equal(res.status, 200);
        return (await res.json()) as { id_token: string; access_token: string; refresh_token: string };
      };
      const jwks = createRemoteJWKSet(new URL(`${server.url}/${poolId}/.well-known/jwks.json`));

      // 1. The sign-in page, a wrong password, then the right one.
      await page.goto(authorizeUrl('first'));
      assert.equal(await page.locator('h1').textContent(), 'Sign in');
      assert.equal(await page.title(), 'Sign in');
      await shot('1-sign-in');
      await page.getByLabel('Username').fill('nina');
      await page.getByLabel('Password').fill('Not-the-password-1');
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal(await page.getByRole('alert').textContent(), 'Incorrect username or password.');
      await shot('2-wrong-password');
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${app.url}/callback?**`), page.getByRole('button', { name: 'Sign in' }).click()]);
      await shot('3-callback');
      const back = app.hits.at(-1)!;
      assert.equal(back.get('state'), 'first');
      const tokens = await exchange(back.get('code')!);
      const id = (await jwtVerify(tokens.id_token, jwks, { issuer: `${server.url}/${poolId}`, audience: clientId })).payload;
      assert.equal(id['cognito:username'], 'nina');
      assert.equal(id.email, 'nina@example.com');
      const access = (await jwtVerify(tokens.access_token, jwks, { issuer: `${server.url}/${poolId}` })).payload;
      assert.equal(access.scope, 'openid email profile');

      // 2. Signed in: the next authorize goes straight back, without the page.
      await page.goto(authorizeUrl('second'));
      await page.waitForURL(`${app.url}/callback?**`);
      assert.equal(app.hits.at(-1)!.get('state'), 'second');

      // 3. Logout: back to a sign-out URL, and the sign-in page is shown again.
      await page.goto(`${server.url}/logout?${new URLSearchParams({ client_id: clientId, logout_uri: `${app.url}/signed-out` })}`);
      await page.waitForURL(`${app.url}/signed-out`);
      assert.equal(await page.locator('h1').textContent(), 'Signed out');
      await shot('4-signed-out');
      await page.goto(authorizeUrl('third'));
      assert.equal(await page.locator('h1').textContent(), 'Sign in');

      // 4. A temporary password: the new-password page, then back to the app.
      await page.getByLabel('Username').fill('omar');
      await page.getByLabel('Password').fill(PASSWORD);
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal(await page.locator('h1').textContent(), 'Change your password');
      await shot('5-new-password');
      await page.getByLabel('New password', { exact: true }).fill('Battery-Staple-42');
      await page.getByLabel('Confirm the new password').fill('Battery-Staple-42');
      await Promise.all([page.waitForURL(`${app.url}/callback?**`), page.getByRole('button', { name: 'Change password and sign in' }).click()]);
      const omar = await exchange(app.hits.at(-1)!.get('code')!);
      assert.equal((await jwtVerify(omar.id_token, jwks, { issuer: `${server.url}/${poolId}` })).payload['cognito:username'], 'omar');

      // 5. The forgot-password and sign-up pages render (no external assets: they work offline).
      await page.goto(`${server.url}/forgotPassword?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: `${app.url}/callback` })}`);
      assert.equal(await page.locator('h1').textContent(), 'Forgot your password?');
      await shot('6-forgot-password');
      await page.goto(`${server.url}/signup?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: `${app.url}/callback` })}`);
      assert.equal(await page.locator('h1').textContent(), 'Sign up');
      await shot('7-sign-up');
    } finally {
      await context.close();
      await app.close();
      await server.close();
    }
  }
});
