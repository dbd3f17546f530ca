/**
 * SAML federation in headless Chromium, on both stores, against the test SAML IdP served over HTTP
 * (tests/saml-idp.ts startSamlIdp: a sign-in page, and a page that auto-POSTs the signed Response
 * as real IdPs do). The IdP is on `localhost`, the server on 127.0.0.1: another site, so the
 * Response comes back by a cross-site POST, as in production.
 *   SP-initiated: the app's authorization request, the hosted page's corporate email box (the
 *   provider's IdpIdentifiers hold the email's domain), the signed AuthnRequest to the IdP, its sign-in page, the auto-POST to
 *   /saml2/idpresponse, the app's callback with a code, the tokens.
 *   IdP-initiated (IDPInit): the IdP's portal, the app's tile, the unsolicited Response, the app's
 *   callback with a code.
 *   IdP-initiated single logout (IDPSignout): the portal's "Sign out everywhere" sends a signed
 *   LogoutRequest to /saml2/logout; the hosted session ends and the IdP gets a signed LogoutResponse.
 * Screenshots go to test-output/screenshots/ (their paths are printed as test diagnostics).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import type { Browser } from 'playwright-core';
import { decodeJwt } from 'jose';
import { CreateIdentityProviderCommand, CreateUserPoolClientCommand, CreateUserPoolCommand, GetSigningCertificateCommand } from '@aws-sdk/client-cognito-identity-provider';
import { backends, startTestServer, type TestServer } from './harness.js';
import { callbackServer, chromiumSkip, launchChromium, screenshots } from './hosted.js';
import { pemOf, startSamlIdp } from './saml-idp.js';

const skip = chromiumSkip();

describe('SAML federation in Chromium', { skip }, () => {
  let browser: Browser;
  before(async () => {
    browser = await launchChromium();
  });
  after(() => browser?.close());

  it('SP-initiated and IdP-initiated sign-in through the SAML IdP\'s pages, then IdP-initiated single logout', async (t) => {
    for (const backend of await backends()) {
      const server: TestServer = await startTestServer(backend);
      const idp = await startSamlIdp({ host: 'localhost' });
      const app = await callbackServer();
      try {
        assert.notEqual(new URL(idp.base).hostname, new URL(server.url).hostname, 'the IdP is another site');
        const send = (c: any): Promise<any> => server.cognito.send(c);
        const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'browser-saml' }))).UserPool.Id as string;
        await send(
          new CreateIdentityProviderCommand({
            UserPoolId: poolId,
            ProviderName: 'CorpSAML',
            ProviderType: 'SAML',
            ProviderDetails: { MetadataURL: idp.metadataUrl, IDPInit: 'true', IDPSignout: 'true', RequestSigningAlgorithm: 'rsa-sha256' },
            AttributeMapping: { email: 'email', name: 'name' },
            IdpIdentifiers: ['idp.example'],
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
              // IDPInit: the client supports SAML providers only (Cognito's rule), so the page has no password form.
              SupportedIdentityProviders: ['CorpSAML'],
            }),
          )
        ).UserPoolClient;
        const spCert = pemOf((await send(new GetSigningCertificateCommand({ UserPoolId: poolId }))).Certificate);
        const authorize = { client_id: client.ClientId, response_type: 'code', redirect_uri: `${app.url}/callback`, scope: 'openid email profile' };
        const tokensOf = async (code: string) => {
          const res = await fetch(`${server.url}/oauth2/token`, {
            method: 'POST',
            headers: { 'content-type': 'application/x-www-form-urlencoded' },
            body: new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: `${app.url}/callback`, client_id: client.ClientId }),
          });
          assert.equal(res.status, 200, await res.clone().text());
          return decodeJwt(((await res.json()) as { id_token: string }).id_token);
        };

        // SP-initiated.
        let context = await browser.newContext();
        let page = await context.newPage();
        let shot = screenshots(page, t, `saml-${backend.name}-`);
        await page.goto(`${server.url}/oauth2/authorize?${new URLSearchParams({ ...authorize, state: 'sp-state' })}`);
        await page.getByRole('button', { name: 'Continue with CorpSAML' }).waitFor();
        await shot('sign-in-page');
        // The corporate email box (the provider has IdpIdentifiers): its domain picks the provider.
        await page.getByLabel('Corporate email').fill('pat@idp.example');
        await page.getByRole('button', { name: 'Sign in with your corporate ID' }).click();
        await page.waitForURL(`${idp.base}/sso?**`);
        const authnRequest = idp.read(page.url(), spCert);
        assert.equal(authnRequest.signature, 'valid', 'the AuthnRequest is signed with the pool certificate (RequestSigningAlgorithm)');
        assert.equal(authnRequest.acs, `${server.url}/saml2/idpresponse`);
        await page.getByLabel('Username').fill('pat');
        await page.getByLabel('Password').fill('any-password');
        await shot('idp-sign-in');
        await page.getByRole('button', { name: 'Sign in' }).click();
        await page.waitForURL(`${app.url}/callback?**`);
        await page.getByText('Back in the app').waitFor();
        await shot('sp-initiated-back-in-app');
        let hit = app.hits.at(-1)!;
        assert.equal(hit.get('state'), 'sp-state');
        let id = await tokensOf(hit.get('code')!);
        assert.equal(id['cognito:username'], 'CorpSAML_pat');
        assert.equal(id.email, 'pat@idp.example');
        assert.equal(id.name, 'Pat');
        assert.deepEqual(id['cognito:groups'], [`${poolId}_CorpSAML`]);
        await context.close();

        // IdP-initiated, in a browser without any cookie of the server.
        idp.apps.push({ name: 'Our app', acs: `${server.url}/saml2/idpresponse`, audience: `urn:amazon:cognito:sp:${poolId}`, relayState: new URLSearchParams({ ...authorize, identity_provider: 'CorpSAML' }).toString() });
        context = await browser.newContext();
        page = await context.newPage();
        shot = screenshots(page, t, `saml-${backend.name}-`);
        await page.goto(`${idp.base}/portal?user=quinn`);
        await shot('idp-portal');
        const hits = app.hits.length;
        await page.getByRole('link', { name: 'Our app' }).click();
        await page.waitForURL(`${app.url}/callback?**`);
        await page.getByText('Back in the app').waitFor();
        await shot('idp-initiated-back-in-app');
        assert.equal(app.hits.length, hits + 1);
        hit = app.hits.at(-1)!;
        id = await tokensOf(hit.get('code')!);
        assert.equal(id['cognito:username'], 'CorpSAML_quinn');
        assert.equal(id.email, 'quinn@idp.example');

        // The hosted session is live: a new authorization request goes straight back with a code.
        await page.goto(`${server.url}/oauth2/authorize?${new URLSearchParams({ ...authorize, state: 'again' })}`);
        await page.waitForURL(`${app.url}/callback?**`);
        assert.equal(app.hits.at(-1)!.get('state'), 'again');

        // IdP-initiated single logout: the IdP's LogoutRequest ends it; the IdP shows our answer.
        await page.goto(`${idp.base}/portal?user=quinn`);
        await page.getByRole('link', { name: 'Sign out everywhere' }).click();
        await page.waitForURL(`${idp.base}/slo?**`);
        await page.getByText('The application answered: Success').waitFor();
        await shot('idp-logout-done');
        const answer = idp.readLogoutResponse(page.url(), spCert);
        assert.equal(answer.signature, 'valid', 'the LogoutResponse is signed with the pool certificate');
        assert.equal(answer.relayState, 'idp-logout');
        await page.goto(`${server.url}/oauth2/authorize?${new URLSearchParams({ ...authorize, state: 'after-logout' })}`);
        await page.getByRole('button', { name: 'Continue with CorpSAML' }).waitFor();
        await shot('after-idp-logout-sign-in-page');
        assert.notEqual(app.hits.at(-1)!.get('state'), 'after-logout', 'signed out: the sign-in page, not the app');
        await context.close();
      } finally {
        await app.close();
        await idp.close();
        await server.close();
      }
    }
  });
});
