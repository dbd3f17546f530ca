/**
 * Federated sign-in in headless Chromium, on both stores: an app's authorization request shows the
 * hosted sign-in page with a "Continue with Corp" button; the click goes to a real OpenID provider
 * (oidc-provider, in this process), which signs the user in and sends the browser back to
 * /oauth2/idpresponse, then to the app's callback with a code; the code is exchanged and the tokens
 * are the federated user's. Screenshots of the sign-in page and of the app after the callback go to
 * test-output/screenshots/ (their paths are printed as test diagnostics).
 * Without /usr/bin/chromium the suite is skipped, except under CI, where it fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { decodeJwt } from 'jose';
import { CreateIdentityProviderCommand, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { backends, startTestServer, type TestServer } from './harness.js';
import { callbackServer, chromiumSkip, launchChromium, screenshots } from './hosted.js';
import { startOidcProvider } from './idp-fixtures.js';

const skip = chromiumSkip();

describe('federated sign-in in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it('the sign-in page button, the OpenID provider, back at the app with the federated user', async (t) => {
    for (const backend of await backends()) {
      const server: TestServer = await startTestServer(backend);
      const op = await startOidcProvider({ clientId: 'incognito', clientSecret: 'op-secret', redirectUri: `${server.url}/oauth2/idpresponse` });
      const app = await callbackServer();
      try {
        const send = (c: any): Promise<any> => server.cognito.send(c);
        const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'browser-federation' }))).UserPool.Id as string;
        await send(
          new CreateIdentityProviderCommand({
            UserPoolId: poolId,
            ProviderName: 'Corp',
            ProviderType: 'OIDC',
            ProviderDetails: { client_id: 'incognito', client_secret: 'op-secret', authorize_scopes: 'openid email profile', attributes_request_method: 'GET', oidc_issuer: op.issuer },
            AttributeMapping: { email: 'email', given_name: 'given_name' },
          }),
        );
        const client = (
          await send(
            new CreateUserPoolClientCommand({
              UserPoolId: poolId,
              ClientName: 'web',
              AllowedOAuthFlowsUserPoolClient: true,
              AllowedOAuthFlows: ['code'],
              AllowedOAuthScopes: ['openid', 'email', 'profile'],
              CallbackURLs: [`${app.url}/callback`],
              SupportedIdentityProviders: ['COGNITO', 'Corp'],
            }),
          )
        ).UserPoolClient;
        op.accounts.next = 'grace';
        const context = await browser.newContext();
        const page = await context.newPage();
        const shot = screenshots(page, t, `federation-${backend.name}-`);
        const query = new URLSearchParams({ client_id: client.ClientId, response_type: 'code', redirect_uri: `${app.url}/callback`, scope: 'openid email profile', state: 'browser-state' });
        await page.goto(`${server.url}/oauth2/authorize?${query}`);
        await page.getByRole('button', { name: 'Continue with Corp' }).waitFor();
        await shot('sign-in-page');
        await page.getByRole('button', { name: 'Continue with Corp' }).click();
        await page.waitForURL(`${app.url}/callback?**`);
        await page.getByText('Back in the app').waitFor();
        await shot('back-in-app');
        const hit = app.hits.at(-1)!;
        assert.equal(hit.get('state'), 'browser-state');
        const res = await fetch(`${server.url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', code: hit.get('code')!, redirect_uri: `${app.url}/callback`, client_id: client.ClientId }),
        });
        assert.equal(res.status, 200);
        const id = decodeJwt(((await res.json()) as { id_token: string }).id_token);
        assert.equal(id['cognito:username'], 'Corp_grace');
        assert.equal(id.email, 'grace@corp.example');
        assert.deepEqual(id['cognito:groups'], [`${poolId}_Corp`]);
        await context.close();
      } finally {
        await app.close();
        await op.close();
        await server.close();
      }
    }
  });
});
