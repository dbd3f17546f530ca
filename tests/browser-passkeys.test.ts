/**
 * Passkeys in headless Chromium with a virtual authenticator (the DevTools protocol's WebAuthn
 * domain: a CTAP2 platform authenticator with resident keys and user verification), on both stores:
 *  - a single-page app using Amplify v6 (bundled with esbuild) signs in, then
 *    associateWebAuthnCredential registers a passkey (StartWebAuthnRegistration,
 *    navigator.credentials.create, CompleteWebAuthnRegistration), listWebAuthnCredentials shows
 *    it, deleteWebAuthnCredential removes it;
 *  - the hosted pages: a user signs in on the hosted sign-in page, opens /passkeys/add, adds a
 *    passkey (the page's first-party script, @simplewebauthn/browser), lands back at the app; the
 *    passkey is the user's (ListWebAuthnCredentials with the tokens of the code).
 * The pool's relying party ID is localhost and the pages are opened on http://localhost:<port>
 * (a secure context). Screenshots go to test-output/screenshots/.
 * Without /usr/bin/chromium the suite is skipped, except under CI, where it fails.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Browser, BrowserContext, Page } from 'playwright-core';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ListWebAuthnCredentialsCommand,
  SetUserPoolMfaConfigCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, startTestServer, type TestServer } from './harness.js';
import { bundleForBrowser, callbackServer, chromiumSkip, launchChromium, screenshots } from './hosted.js';

const PASSWORD = 'Correct-Horse-9';
const skip = chromiumSkip();

/** A pool offering passkeys with RP ID localhost, a user with a password, and a client. */
async function passkeyPool(server: TestServer, client: Record<string, unknown>) {
  const send = (c: any): Promise<any> => server.cognito.send(c);
  const poolId = (
    await send(new CreateUserPoolCommand({ PoolName: 'browser-passkeys', UserPoolTier: 'ESSENTIALS', Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'WEB_AUTHN'] } } }))
  ).UserPool.Id as string;
  await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, WebAuthnConfiguration: { RelyingPartyId: 'localhost', UserVerification: 'required' } }));
  const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', ...client }))).UserPoolClient.ClientId as string;
  await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'pat', MessageAction: 'SUPPRESS' }));
  await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'pat', Password: PASSWORD, Permanent: true }));
  return { poolId, clientId };
}

/** A virtual platform authenticator in the page's browser context (CTAP2, resident keys, user verification). */
async function virtualAuthenticator(context: BrowserContext, page: Page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send('WebAuthn.enable', { enableUI: false });
  const { authenticatorId } = await cdp.send('WebAuthn.addVirtualAuthenticator', {
    options: { protocol: 'ctap2', transport: 'internal', hasResidentKey: true, hasUserVerification: true, isUserVerified: true, automaticPresenceSimulation: true },
  });
  return { credentials: async () => (await cdp.send('WebAuthn.getCredentials', { authenticatorId })).credentials };
}

describe('passkeys in Chromium', { skip }, () => {
  let browser: Browser;
  let amplifyJs: string;
  before(async () => {
    browser = await launchChromium();
    const entry = `import { Amplify } from 'aws-amplify';
import { signIn, signOut, fetchAuthSession, associateWebAuthnCredential, listWebAuthnCredentials, deleteWebAuthnCredential } from 'aws-amplify/auth';
window.amplifyApp = { Amplify, signIn, signOut, fetchAuthSession, associateWebAuthnCredential, listWebAuthnCredentials, deleteWebAuthnCredential };`;
    amplifyJs = await bundleForBrowser(entry);
  });
  after(() => browser?.close());

  it('Amplify v6: associateWebAuthnCredential registers a passkey, listWebAuthnCredentials shows it, deleteWebAuthnCredential removes it', async (t) => {
    for (const backend of await backends()) {
      const server = await startTestServer(backend);
      let cfg = {};
      const appServer = http.createServer((req, res) => {
        if (req.url === '/amplify.js') return void res.writeHead(200, { 'content-type': 'text/javascript' }).end(amplifyJs);
        res.writeHead(200, { 'content-type': 'text/html' }).end(`<!doctype html><html><head><meta charset="utf-8"><title>Passkeys app</title><script src="/amplify.js"></script>
<style>body{font-family:sans-serif;margin:2em}pre{background:#f4f4f4;padding:1em;white-space:pre-wrap;word-break:break-all}</style></head>
<body><h1>Passkeys app</h1><p id="status">Not signed in</p><pre id="out"></pre>
<script>
const { Amplify, signIn, signOut, fetchAuthSession, associateWebAuthnCredential, listWebAuthnCredentials, deleteWebAuthnCredential } = window.amplifyApp;
Amplify.configure(${JSON.stringify(cfg)});
const $ = (id) => document.getElementById(id);
const show = (list) => { $('out').textContent = JSON.stringify(list, null, 2); };
window.app = {
  async signIn(username, password) {
    const r = await signIn({ username, password, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
    $('status').textContent = r.isSignedIn ? 'Signed in as ' + username : 'Step: ' + r.nextStep.signInStep;
    return r.isSignedIn;
  },
  async signInWithPasskey(username) {
    await signOut();
    const r = await signIn({ username, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'WEB_AUTHN' } });
    const s = await fetchAuthSession();
    $('status').textContent = r.isSignedIn ? 'Signed in with a passkey as ' + s.tokens.accessToken.payload.username : 'Step: ' + r.nextStep.signInStep;
    return { isSignedIn: r.isSignedIn, username: s.tokens && s.tokens.accessToken.payload.username };
  },
  async register() { await associateWebAuthnCredential(); const l = await listWebAuthnCredentials(); show(l.credentials); $('status').textContent = 'Passkeys: ' + l.credentials.length; return l; },
  async list() { const l = await listWebAuthnCredentials(); show(l.credentials); return l; },
  async remove(credentialId) { await deleteWebAuthnCredential({ credentialId }); const l = await listWebAuthnCredentials(); show(l.credentials); $('status').textContent = 'Passkeys: ' + l.credentials.length; return l; },
};
</script></body></html>`);
      });
      await new Promise<void>((r) => appServer.listen(0, '127.0.0.1', r));
      const appUrl = `http://localhost:${(appServer.address() as AddressInfo).port}`;
      try {
        const { poolId, clientId } = await passkeyPool(server, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
        cfg = { Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: server.url } } };
        const context = await browser.newContext();
        const page = await context.newPage();
        const authenticator = await virtualAuthenticator(context, page);
        const shot = screenshots(page, t, `passkeys-amplify-${backend.name}-`);
        await page.goto(`${appUrl}/`);
        assert.equal(await page.evaluate(([u, p]) => (window as any).app.signIn(u, p), ['pat', PASSWORD]), true);
        const registered = await page.evaluate(() => (window as any).app.register());
        await page.getByText('Passkeys: 1').waitFor();
        await shot('registered');
        assert.equal(registered.credentials.length, 1);
        const c = registered.credentials[0];
        assert.equal(c.relyingPartyId, 'localhost');
        assert.equal(c.authenticatorAttachment, 'platform');
        assert.deepEqual(c.authenticatorTransports, ['internal']);
        assert.equal(typeof c.friendlyCredentialName, 'string');
        // The authenticator holds the same credential, for this RP and this user (user handle = the sub, base64url).
        const held = await authenticator.credentials();
        assert.equal(held.length, 1);
        assert.equal(Buffer.from(held[0]!.credentialId, 'base64').toString('base64url'), c.credentialId);
        assert.equal(held[0]!.rpId, 'localhost');
        assert.equal(held[0]!.isResidentCredential, true);
        // Signed out, then in again with the passkey: USER_AUTH, preferredChallenge WEB_AUTHN.
        const signCount = held[0]!.signCount;
        assert.deepEqual(await page.evaluate((u) => (window as any).app.signInWithPasskey(u), 'pat'), { isSignedIn: true, username: 'pat' });
        await page.getByText('Signed in with a passkey as pat').waitFor();
        await shot('signed-in-with-passkey');
        assert.equal((await authenticator.credentials())[0]!.signCount, signCount + 1, 'the authenticator signed once');
        const removed = await page.evaluate((id) => (window as any).app.remove(id), c.credentialId);
        await page.getByText('Passkeys: 0').waitFor();
        await shot('removed');
        assert.deepEqual(removed.credentials, []);
        await context.close();
      } finally {
        await new Promise<void>((r) => appServer.close(() => r()));
        await server.close();
      }
    }
  });

  it('hosted pages: signed in, /passkeys/add creates a passkey with the first-party script; the sign-in page signs in with it', async (t) => {
    for (const backend of await backends()) {
      const server = await startTestServer(backend);
      const app = await callbackServer();
      try {
        const local = server.url.replace('127.0.0.1', 'localhost');
        const callback = `${app.url}/callback`;
        const { poolId, clientId } = await passkeyPool(server, {
          AllowedOAuthFlowsUserPoolClient: true,
          AllowedOAuthFlows: ['code'],
          AllowedOAuthScopes: ['openid', 'aws.cognito.signin.user.admin'],
          CallbackURLs: [callback],
          SupportedIdentityProviders: ['COGNITO'],
        });
        const context = await browser.newContext();
        const page = await context.newPage();
        const authenticator = await virtualAuthenticator(context, page);
        const shot = screenshots(page, t, `passkeys-hosted-${backend.name}-`);
        const errors: string[] = [];
        page.on('pageerror', (e) => errors.push(String(e)));
        page.on('console', (m) => m.type() === 'error' && errors.push(m.text()));
        // Without a sign-in session: sign in first.
        const add = `${local}/passkeys/add?${new URLSearchParams({ client_id: clientId, redirect_uri: callback })}`;
        const res = await page.goto(add);
        assert.equal(res!.status(), 401);
        await page.getByText('Sign in first').waitFor();
        errors.length = 0; // the 401 itself, logged by the browser
        // Sign in on the hosted page.
        await page.goto(`${local}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: callback, scope: 'openid aws.cognito.signin.user.admin' })}`);
        await page.getByLabel('Username').fill('pat');
        await page.getByLabel('Password').fill(PASSWORD);
        await page.getByRole('button', { name: 'Sign in', exact: true }).click();
        await page.waitForURL(`${callback}?**`);
        // The passkey page, then the authenticator.
        await page.goto(add);
        await page.getByRole('button', { name: 'Add a passkey' }).waitFor();
        await shot('add-page');
        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await page.waitForURL(callback);
        await page.getByText('Back in the app').waitFor();
        assert.deepEqual(errors, []);
        const held = await authenticator.credentials();
        assert.equal(held.length, 1);
        assert.equal(held[0]!.rpId, 'localhost');
        // The user's passkey: through the API with the tokens of a new code (the session signs in straight away).
        await page.goto(`${local}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: callback, scope: 'openid aws.cognito.signin.user.admin' })}`);
        await page.waitForURL(`${callback}?**`);
        const code = app.hits.at(-1)!.get('code')!;
        const tokens = (await (
          await fetch(`${server.url}/oauth2/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: callback, client_id: clientId }),
          })
        ).json()) as { access_token: string };
        const listed = await server.cognito.send(new ListWebAuthnCredentialsCommand({ AccessToken: tokens.access_token }));
        assert.equal(listed.Credentials!.length, 1);
        assert.equal(listed.Credentials![0]!.CredentialId, Buffer.from(held[0]!.credentialId, 'base64').toString('base64url'));
        assert.equal(listed.Credentials![0]!.AuthenticatorAttachment, 'platform');
        // A second visit excludes the passkey the authenticator holds: the browser refuses, the page says so.
        await page.goto(add);
        await page.getByRole('button', { name: 'Add a passkey' }).click();
        await page.locator('#passkey-status').waitFor({ state: 'visible' });
        await shot('already-registered');
        assert.match(await page.locator('#passkey-status').innerText(), /No passkey was created/);
        // A new visit without the session: the sign-in page offers the passkey, which signs in.
        await context.clearCookies();
        await page.goto(`${local}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: callback, scope: 'openid' })}`);
        await page.getByLabel('Username').fill('pat');
        await shot('sign-in-page');
        const hits = app.hits.length;
        const signCount = held[0]!.signCount;
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        await page.waitForURL(`${callback}?**`);
        assert.equal(app.hits.length, hits + 1);
        assert.ok(app.hits.at(-1)!.get('code'));
        assert.equal((await authenticator.credentials())[0]!.signCount, signCount + 1, 'the authenticator signed once');
        assert.deepEqual(errors, []);
        // A user without a passkey who asks for one is told to use the password.
        await context.clearCookies();
        await server.cognito.send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'quinn', MessageAction: 'SUPPRESS' }));
        await server.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'quinn', Password: PASSWORD, Permanent: true }));
        await page.goto(`${local}/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: callback, scope: 'openid' })}`);
        await page.getByLabel('Username').fill('quinn');
        await page.getByRole('button', { name: 'Sign in with a passkey' }).click();
        await page.getByText('This account has no passkey yet').waitFor();
        await shot('no-passkey');
        await context.close();
      } finally {
        await app.close();
        await server.close();
      }
    }
  });
});
