/**
 * Sign-in with an email code on the hosted login page in a real browser: headless Chromium driven by
 * playwright-core, on each store. A pool that allows EMAIL_OTP as a first factor: the sign-in page
 * offers "Email me a sign-in code" beside the password button; a user with a verified email asks for
 * a code (the password left empty), the code page says where it went, a wrong code shows Cognito's
 * message, the code from the outbox signs in and the callback's authorization code is exchanged
 * (PKCE) for tokens that verify against the JWKS. An account without a verified email is told to use
 * its password; a pool without EMAIL_OTP shows no such button. Screenshots in
 * test-output/screenshots/userauth-<store>-*.png. Without /usr/bin/chromium the suite is skipped,
 * except under CI, where it fails.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import type { Browser, Page } from 'playwright-core';
import { AdminCreateUserCommand, AdminSetUserPasswordCommand, CreateUserPoolClientCommand } from '@aws-sdk/client-cognito-identity-provider';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { backends, startTestServer, type TestServer } from './harness.js';
import { browserAppClient, callbackServer, chromiumSkip, lastCode, launchChromium, screenshots } from './hosted.js';

const PASSWORD = 'Battery-Staple-42';
const SES = { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' } as const;
const skip = chromiumSkip();

describe('sign-in with an email code on the hosted pages in Chromium', { skip }, () => {
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
    const extra: string[] = [];
    page.on('request', (r) => {
      if (!r.isNavigationRequest()) extra.push(r.url());
    });
    const shot = screenshots(page, t, `userauth-${backend.name}-`);
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
      const submit = (name: string) => page.getByRole('button', { name, exact: true }).click();
      const h1 = () => page.locator('h1').textContent();

      const { poolId, clientId } = await browserAppClient(cognito, 'email-code', [`${app.url}/callback`], [`${app.url}/signed-out`], {
        EmailConfiguration: SES,
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
      });
      for (const [Username, verified] of [['ella', 'true'], ['otto', 'false']] as const) {
        await cognito.send(
          new AdminCreateUserCommand({
            UserPoolId: poolId,
            Username,
            MessageAction: 'SUPPRESS',
            UserAttributes: [
              { Name: 'email', Value: `${Username}@example.com` },
              { Name: 'email_verified', Value: verified },
            ],
          }),
        );
        await cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
      }

      await page.goto(authorizeUrl(clientId, 'emailed'));
      assert.equal(await h1(), 'Sign in');
      assert.ok(await page.getByRole('button', { name: 'Email me a sign-in code', exact: true }).isVisible());
      assert.equal(await page.locator('script').count(), 0, 'no script');
      await shot('01-sign-in');
      await page.getByLabel('Username').fill('ella');
      await submit('Email me a sign-in code');
      assert.equal(await h1(), 'Enter your authentication code');
      assert.match((await page.locator('#f_code_hint').textContent())!, /e\*\*\*@e\*\*\*/);
      assert.equal(await page.evaluate(() => document.activeElement?.id), 'f_code', 'the focus on the code');
      await shot('02-email-code');
      const code = await lastCode(server.url, poolId, 'ella', 'MFA');
      await page.getByLabel('Code', { exact: true }).fill(code === '000000' ? '111111' : '000000');
      await submit('Sign in');
      assert.equal(await page.getByRole('alert').textContent(), 'Invalid code received for user');
      await shot('03-email-code-wrong');
      await page.getByLabel('Code', { exact: true }).fill(code);
      await Promise.all([page.waitForURL(`${app.url}/callback?**`), submit('Sign in')]);
      const back = app.hits.at(-1)!;
      assert.equal(back.get('state'), 'emailed');
      const res = await fetch(`${server.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
        body: new URLSearchParams({ grant_type: 'authorization_code', client_id: clientId, code: back.get('code')!, redirect_uri: `${app.url}/callback`, code_verifier: verifier }),
      });
      assert.equal(res.status, 200);
      const tokens = (await res.json()) as { id_token: string };
      const jwks = createRemoteJWKSet(new URL(`${server.url}/${poolId}/.well-known/jwks.json`));
      assert.equal((await jwtVerify(tokens.id_token, jwks, { issuer: `${server.url}/${poolId}`, audience: clientId })).payload['cognito:username'], 'ella');
      assert.deepEqual(extra, [], 'no request but the pages themselves');

      // No verified email: told to use the password, which still works from the same page.
      await context.clearCookies();
      await page.goto(authorizeUrl(clientId, 'unverified'));
      await page.getByLabel('Username').fill('otto');
      await submit('Email me a sign-in code');
      assert.equal(await page.getByRole('alert').textContent(), 'We cannot email a sign-in code to this account. Sign in with your password.');
      assert.equal(await page.getByLabel('Username').inputValue(), 'otto');
      await shot('04-no-verified-email');
      await page.getByLabel('Password').fill(PASSWORD);
      await Promise.all([page.waitForURL(`${app.url}/callback?**`), submit('Sign in')]);
      assert.equal(app.hits.at(-1)!.get('state'), 'unverified');

      // Under PreventUserExistenceErrors the page answers a user without a verified email, and a
      // name that is nobody's, as it answers a user with one: the code page, and a wrong code.
      const hiding = (
        await cognito.send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: 'hiding',
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid', 'email', 'profile'],
            CallbackURLs: [`${app.url}/callback`],
            SupportedIdentityProviders: ['COGNITO'],
            PreventUserExistenceErrors: 'ENABLED',
          }),
        )
      ).UserPoolClient!.ClientId!;
      for (const name of ['ella', 'otto', 'nobody']) {
        await context.clearCookies();
        await page.goto(authorizeUrl(hiding, `hidden-${name}`));
        await page.getByLabel('Username').fill(name);
        await submit('Email me a sign-in code');
        assert.equal(await h1(), 'Enter your authentication code', name);
        await page.getByLabel('Code', { exact: true }).fill('000000');
        await submit('Sign in');
        assert.equal(await page.getByRole('alert').textContent(), 'Invalid code received for user', name);
        if (name === 'otto') await shot('05-hidden-no-verified-email');
      }

      // A pool that requires MFA signs in by password only: no code button, no "leave it empty".
      const mfaOn = await browserAppClient(cognito, 'mfa-on', [`${app.url}/callback`], [`${app.url}/signed-out`], {
        EmailConfiguration: SES,
        MfaConfiguration: 'ON',
        SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' },
        Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } },
      });
      await context.clearCookies();
      await page.goto(authorizeUrl(mfaOn.clientId, 'mfa-on'));
      assert.equal(await page.getByRole('button', { name: 'Email me a sign-in code' }).count(), 0);
      assert.doesNotMatch((await page.content()) ?? '', /leave it empty/);
      await shot('06-mfa-on');

      // A pool without EMAIL_OTP: the password form alone.
      const plain = await browserAppClient(cognito, 'plain', [`${app.url}/callback`], [`${app.url}/signed-out`]);
      await context.clearCookies();
      await page.goto(authorizeUrl(plain.clientId, 'plain'));
      assert.equal(await page.getByRole('button', { name: 'Email me a sign-in code' }).count(), 0);
      assert.equal(await page.getByRole('button').count(), 1);
    } finally {
      await context.close();
      await app.close();
      await server.close();
    }
  }
});
