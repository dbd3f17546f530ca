/**
 * Federated sign-in in headless Chromium, on both stores: an app's authorization request shows the
 * hosted sign-in page with a "Continue with Corp" button; the click goes to a real OpenID provider
 * (oidc-provider, in this process), which signs the user in and sends the browser back to
 * /oauth2/idpresponse, then to the app's callback with a code; the code is exchanged and the tokens
 * are the federated user's. Screenshots of the sign-in page and of the app after the callback go to
 * test-output/screenshots/ (their paths are printed as test diagnostics).
 * Then Amplify v6 in the page (on both stores): `signInWithRedirect({ provider: { custom: 'Corp' } })` against the
 * HTTPS listener (Amplify builds https://<oauth.domain> URLs), the provider, and back: Amplify
 * completes the code exchange itself and `fetchAuthSession` holds the federated user's tokens.
 * Amplify has no browser bundle: the test bundles a small entry with esbuild.
 * Without /usr/bin/chromium the suite is skipped, except under CI, where it fails.
 */
import { after, before, describe, it, type TestContext } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import type { AddressInfo } from 'node:net';
import { CLI } from './process.js';
import type { Browser } from 'playwright-core';
import { decodeJwt } from 'jose';
import { CreateIdentityProviderCommand, CreateUserPoolClientCommand, CreateUserPoolCommand } from '@aws-sdk/client-cognito-identity-provider';
import { backends, startTestServer, type Backend, type TestServer } from './harness.js';
import { bundleForBrowser, callbackServer, chromiumSkip, launchChromium, screenshots } from './hosted.js';
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

  it('Amplify v6 signInWithRedirect({ provider: { custom: "Corp" } }) completes in the browser', async (t) => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-amplify-fed-'));
    await promisify(execFile)(process.execPath, [CLI, 'cert', '--out', dir]);
    // The app: Amplify bundled for the browser, one page that configures it and signs in with Corp.
    const entry = `import { Amplify } from 'aws-amplify';
import { signInWithRedirect, fetchAuthSession, getCurrentUser } from 'aws-amplify/auth';
import { Hub } from 'aws-amplify/utils';
window.amplifyApp = { Amplify, signInWithRedirect, fetchAuthSession, getCurrentUser, Hub };`;
    const js = await bundleForBrowser(entry);
    try {
      for (const backend of await backends()) await amplifyRun(t, backend, dir, js);
    } finally {
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });

  /** One run of the Amplify app against a server on `backend` (HTTPS listener, the OpenID provider, the app's page). */
  async function amplifyRun(t: TestContext, backend: Backend, dir: string, js: string) {
    const server: TestServer = await startTestServer(backend, { tlsCert: path.join(dir, 'cert.pem'), tlsKey: path.join(dir, 'key.pem'), httpsPort: 0 });
    const httpsPort = new URL(server.server.httpsUrl!).port;
    const domain = `localhost:${httpsPort}`;
    const op = await startOidcProvider({ clientId: 'incognito', clientSecret: 'op-secret', redirectUri: `https://${domain}/oauth2/idpresponse` });
    let appUrl = '';
    let cfg = {};
    const appServer = http.createServer((req, res) => {
      if (req.url === '/amplify.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(js);
      res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><meta charset="utf-8"><title>Amplify app</title><script src="/amplify.js"></script></head>
<body><h1>Amplify app</h1><p id="status">Loading…</p><button id="signin">Sign in with Corp</button><pre id="out"></pre>
<script>
const { Amplify, signInWithRedirect, fetchAuthSession, getCurrentUser, Hub } = window.amplifyApp;
window.app = { events: [] };
Hub.listen('auth', ({ payload }) => { window.app.events.push(payload.event); if (payload.event === 'signInWithRedirect_failure') window.app.error = String(payload.data && (payload.data.error || payload.data)); });
Amplify.configure(${JSON.stringify(cfg)});
document.getElementById('signin').onclick = () => signInWithRedirect({ provider: { custom: 'Corp' } }).catch((e) => { window.app.error = String(e); });
getCurrentUser().then(async (u) => {
  const s = await fetchAuthSession();
  window.app.user = { username: u.username, idToken: s.tokens.idToken.toString(), payload: s.tokens.idToken.payload };
  document.getElementById('status').textContent = 'Signed in as ' + u.username;
  document.getElementById('out').textContent = JSON.stringify(s.tokens.idToken.payload, null, 2);
}, () => { document.getElementById('status').textContent = 'Not signed in'; window.app.signedOut = true; });
</script></body></html>`);
    });
    await new Promise<void>((r) => appServer.listen(0, '127.0.0.1', r));
    appUrl = `http://localhost:${(appServer.address() as AddressInfo).port}`;
    try {
      const send = (c: any): Promise<any> => server.cognito.send(c);
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'amplify-federation' }))).UserPool.Id as string;
      await send(
        new CreateIdentityProviderCommand({
          UserPoolId: poolId,
          ProviderName: 'Corp',
          ProviderType: 'OIDC',
          ProviderDetails: { client_id: 'incognito', client_secret: 'op-secret', authorize_scopes: 'openid email profile', attributes_request_method: 'GET', oidc_issuer: op.issuer },
          AttributeMapping: { email: 'email' },
        }),
      );
      const client = (
        await send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: 'amplify',
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'],
            CallbackURLs: [`${appUrl}/`],
            LogoutURLs: [`${appUrl}/`],
            SupportedIdentityProviders: ['COGNITO', 'Corp'],
          }),
        )
      ).UserPoolClient;
      cfg = {
        Auth: {
          Cognito: {
            userPoolId: poolId,
            userPoolClientId: client.ClientId,
            loginWith: { oauth: { domain, scopes: ['openid', 'email', 'profile', 'aws.cognito.signin.user.admin'], redirectSignIn: [`${appUrl}/`], redirectSignOut: [`${appUrl}/`], responseType: 'code' } },
          },
        },
      };
      op.accounts.next = 'heidi';
      const context = await browser.newContext({ ignoreHTTPSErrors: true });
      const page = await context.newPage();
      const shot = screenshots(page, t, `federation-amplify-${backend.name}-`);
      await page.goto(`${appUrl}/`);
      await page.waitForFunction(() => (window as any).app?.signedOut === true);
      await page.getByRole('button', { name: 'Sign in with Corp' }).click();
      await page.waitForFunction(() => (window as any).app?.user || (window as any).app?.error, undefined, { timeout: 20_000 });
      const app = await page.evaluate(() => (window as any).app);
      assert.equal(app.error, undefined, app.error);
      await page.getByText('Signed in as Corp_heidi').waitFor();
      await shot('signed-in');
      assert.equal(app.user.username, 'Corp_heidi');
      assert.equal(app.user.payload.email, 'heidi@corp.example');
      assert.deepEqual(app.user.payload['cognito:groups'], [`${poolId}_Corp`]);
      assert.ok(app.events.includes('signInWithRedirect'), JSON.stringify(app.events));
      await context.close();
    } finally {
      await new Promise<void>((r) => appServer.close(() => r()));
      await op.close();
      await server.close();
    }
  }
});
