/**
 * MFA on the hosted login page in a real browser: headless Chromium (Debian's `chromium` package)
 * driven by playwright-core, on each store, with the server's clock injected (TestClock).
 *  1. A pool that requires MFA with an authenticator app, a user with a temporary password:
 *     authorize -> sign-in page -> new password page -> authenticator set-up page (the QR code, an
 *     inline SVG, is visible at a scannable size; the key is shown as text, and the code is computed
 *     from that text with `otpauth` at the server's clock, as an authenticator app would) -> a wrong
 *     code shows Cognito's message -> the right code -> the callback gets a code, exchanged (PKCE) at
 *     /oauth2/token for tokens that verify against the JWKS. After logout, a second sign-in: the
 *     code page (a wrong code, then the right one) -> signed in.
 *  2. A pool with SMS and email MFA, a user with both enabled and neither preferred: the factor-choice
 *     page -> text message -> the code page -> the code from the outbox -> signed in.
 * Every page is screenshotted to test-output/screenshots/mfa-<store>-*.png (paths printed as test
 * diagnostics). The pages are checked for what a keyboard and a screen reader need: the code field
 * has the focus when the page opens, fields have labels, the pages load no script and no asset.
 * Without /usr/bin/chromium the suite is skipped, except under CI, where it fails.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import {
  AdminCreateUserCommand,
  AdminSetUserMFAPreferenceCommand,
  AdminSetUserPasswordCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { totpAt as totp } from './client-fixtures.js';
import { backends, startTestServer, TestClock, type TestServer } from './harness.js';
import { browserAppClient, callbackServer, chromiumSkip, lastCode, launchChromium, screenshots } from './hosted.js';

const TEMPORARY = 'Temp-Pass-123';
const PASSWORD = 'Battery-Staple-42';
const skip = chromiumSkip();

/**
 * What every hosted page must be: no script, no external asset (nothing but the page itself was
 * requested), a label for each visible field, and keyboard focus on `focused` (by its label) when
 * it opens.
 */
async function checkPage(page: Page, requests: string[], focused?: string): Promise<void> {
  assert.equal(await page.locator('script').count(), 0, 'no script');
  assert.deepEqual(requests, [], 'no request but the page itself');
  for (const input of await page.locator('input:not([type=hidden])').all()) {
    const id = await input.getAttribute('id');
    assert.ok(id && (await page.locator(`label[for="${id}"]`).count()) === 1, `a label for the field ${id}`);
  }
  if (focused) assert.equal(await page.evaluate(() => document.activeElement?.id), await page.getByLabel(focused, { exact: true }).getAttribute('id'), `the focus on ${focused}`);
}

describe('MFA on the hosted pages in Chromium', { skip }, () => {
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
    // On a 30-second boundary (plus 5 s), so that "the next step" is exact.
    const clock = new TestClock(Math.floor(Date.now() / 30_000) * 30_000 + 5_000);
    const server: TestServer = await startTestServer(backend, {}, { clock: clock.now });
    const app = await callbackServer();
    const context = await browser.newContext();
    const page: Page = await context.newPage();
    // Every request the pages make besides the documents the test navigates to (and the redirects).
    const extra: string[] = [];
    page.on('request', (r) => {
      if (!r.isNavigationRequest()) extra.push(r.url());
    });
    const shot = screenshots(page, t, `mfa-${backend.name}-`);
    try {
      const cognito = server.cognito;
      const verifier = randomBytes(32).toString('base64url');
      const authorizeUrl = (clientId: string, state: string) =>
        `${server.url}/oauth2/authorize?${new URLSearchParams({
          client_id: clientId,
          response_type: 'code',
          redirect_uri: `${app.url}/callback`,
          scope: 'openid email profile',
          state,
          code_challenge: createHash('sha256').update(verifier).digest('base64url'),
          code_challenge_method: 'S256',
        })}`;
      /** The callback's code, exchanged for tokens; the ID token verified and its username returned. */
      const exchange = async (poolId: string, clientId: string, state: string) => {
        const back = app.hits.at(-1)!;
        assert.equal(back.get('state'), state);
        const res = await fetch(`${server.url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: back.get('code')!, redirect_uri: `${app.url}/callback`, code_verifier: verifier }),
        });
        assert.equal(res.status, 200);
        const tokens = (await res.json()) as { id_token: string; access_token: string; refresh_token: string };
        assert.ok(tokens.access_token && tokens.refresh_token);
        const jwks = createRemoteJWKSet(new URL(`${server.url}/${poolId}/.well-known/jwks.json`));
        const id = (await jwtVerify(tokens.id_token, jwks, { issuer: `${server.url}/${poolId}`, audience: clientId, currentDate: new Date(clock.now()) })).payload;
        return id['cognito:username'];
      };
      const submit = (name: string) => page.getByRole('button', { name, exact: true }).click();
      const toCallback = (name: string) => Promise.all([page.waitForURL(`${app.url}/callback?**`), submit(name)]);
      const h1 = () => page.locator('h1').textContent();

      // 1. MFA required, with an authenticator app; a user with a temporary password.
      const totpPool = await browserAppClient(cognito, 'mfa-totp', [`${app.url}/callback`], [`${app.url}/signed-out`]);
      await cognito.send(new SetUserPoolMfaConfigCommand({ UserPoolId: totpPool.poolId, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: totpPool.poolId,
          Username: 'quinn',
          MessageAction: 'SUPPRESS',
          TemporaryPassword: TEMPORARY,
          UserAttributes: [
            { Name: 'email', Value: 'quinn@example.com' },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );

      await page.goto(authorizeUrl(totpPool.clientId, 'setup'));
      assert.equal(await h1(), 'Sign in');
      await checkPage(page, extra, 'Username');
      await shot('01-sign-in');
      await page.getByLabel('Username').fill('quinn');
      await page.getByLabel('Password').fill(TEMPORARY);
      await submit('Sign in');
      assert.equal(await h1(), 'Change your password');
      await checkPage(page, extra, 'New password');
      await shot('02-new-password');
      await page.getByLabel('New password', { exact: true }).fill(PASSWORD);
      await page.getByLabel('Confirm the new password').fill(PASSWORD);
      await submit('Change password and sign in');

      // The set-up page: the QR code (visible, square, large enough to scan, dark on light) and the key.
      assert.equal(await h1(), 'Set up an authenticator app');
      assert.equal(await page.title(), 'Set up an authenticator app');
      await checkPage(page, extra, 'Code');
      const qr = page.getByRole('img', { name: 'QR code of the authenticator key' });
      assert.ok(await qr.isVisible(), 'the QR code is visible');
      assert.equal(await qr.evaluate((e) => e.tagName.toLowerCase()), 'svg');
      const box = (await qr.boundingBox())!;
      assert.ok(box.width >= 160 && Math.abs(box.width - box.height) < 1, `a square QR code of at least 160 px: ${box.width} x ${box.height}`);
      // The key: shown in groups of four, which copy without spaces.
      const key = (await page.locator('#secret').textContent())!;
      assert.match(key, /^[A-Z2-7]{52}$/);
      assert.ok(await page.locator('#secret').isVisible(), 'the key is shown');
      assert.ok(await page.getByRole('link', { name: 'Back to sign in' }).isVisible(), 'a way back to the sign-in page');
      assert.match(await page.locator('#secret').innerText(), /^([A-Z2-7]{4}\s*){13}$/);
      await shot('03-totp-setup');
      // On a phone's width: nothing scrolls sideways, the QR code still fits.
      await page.setViewportSize({ width: 360, height: 740 });
      assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= 360), 'no horizontal scrolling at 360 px');
      assert.ok((await qr.boundingBox())!.width >= 160, 'the QR code stays scannable at 360 px');
      await shot('03-totp-setup-narrow');
      await page.setViewportSize({ width: 1280, height: 720 });

      await page.getByLabel('Code', { exact: true }).fill(totp(key, clock.now() + 120_000));
      await page.getByLabel('Device name (optional)').fill('Pixel');
      await submit('Verify and sign in');
      assert.equal(await page.getByRole('alert').textContent(), 'Code mismatch and fail enable Software Token MFA');
      assert.equal(await h1(), 'Set up an authenticator app');
      // The same key again, the QR code still there, the focus back on the code.
      assert.equal(await page.locator('#secret').textContent(), key);
      assert.ok(await qr.isVisible());
      // The device name typed is kept; the focus is on the code.
      assert.equal(await page.getByLabel('Device name (optional)').inputValue(), 'Pixel');
      await checkPage(page, extra, 'Code');
      await shot('04-totp-setup-wrong-code');

      await page.getByLabel('Code', { exact: true }).fill(totp(key, clock.now()));
      await toCallback('Verify and sign in');
      assert.equal(await exchange(totpPool.poolId, totpPool.clientId, 'setup'), 'quinn');
      clock.advance(30_000); // the set-up code's step is used up

      // Logout; the second sign-in asks for the authenticator's code.
      await page.goto(`${server.url}/logout?${new URLSearchParams({ client_id: totpPool.clientId, logout_uri: `${app.url}/signed-out` })}`);
      await page.waitForURL(`${app.url}/signed-out`);
      extra.length = 0;
      await page.goto(authorizeUrl(totpPool.clientId, 'again'));
      await page.getByLabel('Username').fill('quinn');
      await page.getByLabel('Password').fill(PASSWORD);
      await submit('Sign in');
      assert.equal(await h1(), 'Enter your authentication code');
      assert.equal(await page.locator('#f_code_hint').textContent(), 'Enter the code your authenticator app (Pixel) shows.');
      await checkPage(page, extra, 'Code');
      await shot('05-totp-code');
      await page.getByLabel('Code', { exact: true }).fill(totp(key, clock.now() + 120_000));
      await submit('Sign in');
      assert.equal(await page.getByRole('alert').textContent(), 'Invalid code received for user');
      await checkPage(page, extra, 'Code');
      await shot('06-totp-code-wrong');
      await page.getByLabel('Code', { exact: true }).fill(totp(key, clock.now()));
      await toCallback('Sign in');
      assert.equal(await exchange(totpPool.poolId, totpPool.clientId, 'again'), 'quinn');

      // 2. SMS and email, both enabled for the user and neither preferred: the choice, then a text message.
      const choicePool = await browserAppClient(cognito, 'mfa-choice', [`${app.url}/callback`], [`${app.url}/signed-out`], {
        EmailConfiguration: { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' },
      });
      await cognito.send(
        new SetUserPoolMfaConfigCommand({
          UserPoolId: choicePool.poolId,
          MfaConfiguration: 'OPTIONAL',
          SmsMfaConfiguration: { SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' }, SmsAuthenticationMessage: 'Your sign-in code: {####}' },
          EmailMfaConfiguration: { Message: 'Your sign-in code: {####}', Subject: 'Your code' },
        }),
      );
      await cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: choicePool.poolId,
          Username: 'cleo',
          MessageAction: 'SUPPRESS',
          TemporaryPassword: TEMPORARY,
          UserAttributes: [
            { Name: 'email', Value: 'cleo@example.com' },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'phone_number', Value: '+15555550142' },
          ],
        }),
      );
      await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: choicePool.poolId, Username: 'cleo', Password: PASSWORD, Permanent: true }));
      await cognito.send(new AdminSetUserMFAPreferenceCommand({ UserPoolId: choicePool.poolId, Username: 'cleo', SMSMfaSettings: { Enabled: true }, EmailMfaSettings: { Enabled: true } }));

      extra.length = 0;
      await page.goto(authorizeUrl(choicePool.clientId, 'choice'));
      await page.getByLabel('Username').fill('cleo');
      await page.getByLabel('Password').fill(PASSWORD);
      await submit('Sign in');
      assert.equal(await h1(), 'Choose how to confirm it is you');
      const choices = page.getByRole('button');
      assert.deepEqual(await choices.allTextContents(), ['Text message (SMS)', 'Email']);
      await checkPage(page, extra);
      await shot('07-choose-factor');
      await submit('Text message (SMS)');
      assert.equal(await h1(), 'Enter your authentication code');
      assert.match((await page.locator('#f_code_hint').textContent())!, /^We sent a code by text message to \+\*+0142\.$/);
      await checkPage(page, extra, 'Code');
      await shot('08-sms-code');
      await page.getByLabel('Code', { exact: true }).fill(await lastCode(server.url, choicePool.poolId, 'cleo', 'MFA'));
      await toCallback('Sign in');
      assert.equal(await exchange(choicePool.poolId, choicePool.clientId, 'choice'), 'cleo');
    } finally {
      await context.close();
      await app.close();
      await server.close();
    }
  }
});
