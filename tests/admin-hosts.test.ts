/**
 * DNS rebinding and foreign pages, with no access keys configured (src/iam/hosts.ts): the admin
 * endpoints (/_incognito/messages, import logs, /metrics, the web console) and the admin JSON
 * operations answer 403 to a request addressed to a foreign Host name, or sent by a page of a
 * foreign origin; IP addresses, localhost, *.localhost, the --public-url host, --host and
 * --admin-hosts are served; the public operations (SignUp, InitiateAuth) and the hosted endpoints
 * are served whatever the Host. And the console's session cookie is Secure when the request came
 * through an https --public-url. On each store, over raw HTTP (to set Host).
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import { CreateUserPoolClientCommand, CreateUserPoolCommand, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { backends, startTestServer, type TestServer } from './harness.js';

interface Raw {
  status: number;
  headers: http.IncomingHttpHeaders;
  body: string;
}

/** A request to `base` + `path` with exactly these headers (Host included). */
function raw(base: string, path: string, headers: Record<string, string>, method = 'GET', body = ''): Promise<Raw> {
  const u = new URL(base);
  return new Promise((resolve, reject) => {
    const req = http.request({ host: u.hostname, port: u.port, path, method, headers: { ...headers, ...(body ? { 'content-length': String(Buffer.byteLength(body)) } : {}) }, setHost: false }, (res) => {
      let data = '';
      res.setEncoding('utf8');
      res.on('data', (c: string) => (data += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body: data }));
    });
    req.on('error', reject);
    req.end(body);
  });
}

/** A JSON API call of `operation` with these headers (unsigned: no keys are configured). */
function api(base: string, operation: string, input: unknown, headers: Record<string, string>): Promise<Raw> {
  return raw(base, '/', { 'content-type': 'application/x-amz-json-1.1', 'x-amz-target': `AWSCognitoIdentityProviderService.${operation}`, ...headers }, 'POST', JSON.stringify(input));
}

const REBINDING = /^Refused: this request is addressed to the host 'attacker\.example:\d+', which is not this server's name\. .*DNS rebinding/;

for (const backend of await backends()) {
  describe(`admin endpoints without access keys: Host and Origin (${backend.name})`, () => {
    let t: TestServer;
    let port: string;
    let poolId: string;
    let clientId: string;
    before(async () => {
      t = await startTestServer(backend, { adminHosts: 'incognito, Other.Example' });
      port = new URL(t.url).port;
      poolId = (await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'rebinding' }))).UserPool!.Id!;
      clientId = (await t.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))).UserPoolClient!.ClientId!;
    });
    after(() => t.close());

    it('refuses the console, the outbox, import logs and metrics to a foreign Host name (403, a message that says why)', async () => {
      const evil = { host: `attacker.example:${port}` };
      const console_ = await raw(t.url, '/_incognito/console', evil);
      assert.equal(console_.status, 403);
      assert.match(console_.headers['content-type']!, /^text\/html/);
      assert.ok(console_.body.includes('DNS rebinding'), 'the page says why');
      assert.ok(!console_.headers['set-cookie'], 'no session is made');
      const users = await raw(t.url, `/_incognito/console/pools/${poolId}/users`, evil);
      assert.equal(users.status, 403);
      const post = await raw(t.url, `/_incognito/console/pools/${poolId}/users`, { ...evil, 'content-type': 'application/x-www-form-urlencoded' }, 'POST', 'username=mallory');
      assert.equal(post.status, 403);
      for (const p of [`/_incognito/messages?userPoolId=${poolId}`, '/_incognito/imports/import-abc/log', '/metrics']) {
        const r = await raw(t.url, p, evil);
        assert.equal(r.status, 403, p);
        const body = JSON.parse(r.body) as { __type: string; message: string };
        assert.equal(body.__type, 'AccessDeniedException', p);
        assert.match(body.message, REBINDING, p);
      }
      // Nothing was created by the refused form.
      assert.deepEqual((await t.cognito.send(new ListUsersCommand({ UserPoolId: poolId }))).Users, []);
    });

    it('refuses the admin JSON operations to a foreign Host, serves the public ones', async () => {
      const evil = { host: `attacker.example:${port}` };
      const list = await api(t.url, 'ListUsers', { UserPoolId: poolId }, evil);
      assert.equal(list.status, 403);
      assert.equal(list.headers['x-amzn-errortype'], 'AccessDeniedException:');
      assert.match((JSON.parse(list.body) as { message: string }).message, REBINDING);
      const create = await api(t.url, 'AdminCreateUser', { UserPoolId: poolId, Username: 'mallory' }, evil);
      assert.equal(create.status, 403);
      const pools = await api(t.url, 'ListUserPools', { MaxResults: 10 }, evil);
      assert.equal(pools.status, 403);
      // Public operations: SignUp and InitiateAuth answer as they would on any Host.
      const signUp = await api(t.url, 'SignUp', { ClientId: clientId, Username: 'alice', Password: 'Correct-Horse-9' }, evil);
      assert.equal(signUp.status, 200, signUp.body);
      const auth = await api(t.url, 'InitiateAuth', { ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Correct-Horse-9' } }, evil);
      assert.equal(auth.status, 400);
      assert.equal((JSON.parse(auth.body) as { __type: string }).__type, 'UserNotConfirmedException');
      // The hosted endpoints too (the discovery document, the JWKS).
      const discovery = await raw(t.url, `/${poolId}/.well-known/openid-configuration`, evil);
      assert.equal(discovery.status, 200);
      assert.deepEqual(
        (await t.cognito.send(new ListUsersCommand({ UserPoolId: poolId }))).Users!.map((u) => u.Username),
        ['alice'],
      );
    });

    it('serves IP addresses, localhost, *.localhost, --host and --admin-hosts names', async () => {
      for (const host of [`127.0.0.1:${port}`, `localhost:${port}`, `LOCALHOST.:${port}`, `app.localhost:${port}`, `[::1]:${port}`, `192.168.1.20:${port}`, `incognito:${port}`, `other.example`]) {
        const console_ = await raw(t.url, '/_incognito/console', { host });
        assert.equal(console_.status, 200, host);
        const messages = await raw(t.url, `/_incognito/messages?userPoolId=${poolId}`, { host });
        assert.equal(messages.status, 200, host);
        const list = await api(t.url, 'ListUsers', { UserPoolId: poolId }, { host });
        assert.equal(list.status, 200, host);
      }
    });

    it('refuses admin calls from a page of a foreign origin (CORS), serves loopback pages and same-origin forms', async () => {
      const host = `127.0.0.1:${port}`;
      for (const origin of ['https://evil.example', 'http://192.168.1.20:3000', 'null']) {
        const list = await api(t.url, 'ListUsers', { UserPoolId: poolId }, { host, origin });
        assert.equal(list.status, 403, origin);
        assert.match((JSON.parse(list.body) as { message: string }).message, /^Refused: a web page of .* may not use the admin endpoints or operations of this server/);
        const messages = await raw(t.url, `/_incognito/messages?userPoolId=${poolId}`, { host, origin });
        assert.equal(messages.status, 403, origin);
      }
      // A public operation from any page (browser apps on their own sites sign in so).
      const auth = await api(t.url, 'InitiateAuth', { ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'alice', PASSWORD: 'Correct-Horse-9' } }, { host, origin: 'https://evil.example' });
      assert.equal((JSON.parse(auth.body) as { __type: string }).__type, 'UserNotConfirmedException');
      for (const origin of ['http://localhost:3000', 'http://127.0.0.1:5173', 'http://app.localhost', 'http://incognito:8080', `http://${host}`]) {
        assert.equal((await api(t.url, 'ListUsers', { UserPoolId: poolId }, { host, origin })).status, 200, origin);
      }
      // A LAN address as the Host: the console's own page (same origin) is served.
      const lan = `192.168.1.20:${port}`;
      assert.equal((await api(t.url, 'ListUsers', { UserPoolId: poolId }, { host: lan, origin: `http://${lan}` })).status, 200);
    });
  });

  describe(`admin endpoints without access keys: the --public-url host; the console cookie behind a proxy (${backend.name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend, { publicUrl: 'https://auth.dev.example' });
    });
    after(() => t.close());

    it('serves the --public-url host and refuses another name', async () => {
      assert.equal((await api(t.url, 'ListUserPools', { MaxResults: 1 }, { host: 'auth.dev.example' })).status, 200);
      assert.equal((await raw(t.url, '/_incognito/console', { host: 'auth.dev.example' })).status, 200);
      assert.equal((await api(t.url, 'ListUserPools', { MaxResults: 1 }, { host: 'dev.example' })).status, 403);
    });

    it("marks the console's session cookie Secure when the browser came through the https --public-url (a TLS-terminating proxy)", async () => {
      const proxied = await raw(t.url, '/_incognito/console', { host: 'auth.dev.example' });
      assert.match(proxied.headers['set-cookie']![0]!, /^incognito_console=[\w-]{43}; Path=\/_incognito\/console; HttpOnly; SameSite=Lax; Secure$/);
      // Straight to the port over HTTP (no TLS anywhere), and X-Forwarded-Proto alone is not believed.
      for (const headers of [{ host: `127.0.0.1:${new URL(t.url).port}` } as Record<string, string>, { host: `127.0.0.1:${new URL(t.url).port}`, 'x-forwarded-proto': 'https' }]) {
        const direct = await raw(t.url, '/_incognito/console', headers);
        assert.match(direct.headers['set-cookie']![0]!, /; SameSite=Lax$/);
      }
    });
  });
}
