/**
 * How many statements each hot path sends to PostgreSQL for one request (each is a round trip, a
 * write on a socket and a wake-up of a backend: on a busy server most of the cost, issue 21). Counted
 * at the driver (every pg.Client query of this process, the server's included, while one request
 * runs, after a first one warmed the node's caches of statements and pools' rules). PostgreSQL only:
 * SQLite has no round trips.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateResourceServerCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, rawCall, startTestServer, type TestServer } from './harness.js';
import { FormClient } from './hosted.js';

const PASSWORD = 'Correct-Horse-9';
/**
 * authorization_code, exactly: the client with its pool, the code (read, not taken) and the user it
 * names with the user's groups; the code taken (replaced by its used marker) with the sign-in and its
 * refresh token written, one statement and one commit. It sent five: the client, the code taken, the
 * user and groups, the sign-in, the used marker; then three (the user and groups on their own).
 */
const AUTHORIZATION_CODE_STATEMENTS = 2;

/** The statements (their text, shortened) sent while `fn` runs. */
async function statementsOf(fn: () => Promise<unknown>): Promise<string[]> {
  const seen: string[] = [];
  const proto = pg.Client.prototype as unknown as { query: (...a: unknown[]) => unknown };
  const original = proto.query;
  proto.query = function (this: unknown, ...a: unknown[]) {
    const q = a[0] as string | { text?: string; name?: string };
    seen.push((typeof q === 'string' ? q : (q.name ?? q.text ?? '')).replace(/\s+/g, ' ').slice(0, 120));
    return original.apply(this, a);
  };
  try {
    await fn();
  } finally {
    proto.query = original;
  }
  return seen;
}

for (const backend of (await backends()).filter((b) => b.name === 'postgres')) {
  describe(`statements a request sends to PostgreSQL`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    let plain: string;
    let byEmail: string;
    let appClient: string;
    let refreshToken: string;
    let accessToken: string;
    let m2m: { ClientId: string; ClientSecret: string };
    let web: string;
    let browser: FormClient;
    const CALLBACK = 'https://app.example.com/callback';
    const authorizePath = () => `/oauth2/authorize?${new URLSearchParams({ client_id: web, response_type: 'code', redirect_uri: CALLBACK, scope: 'openid email' })}`;

    before(async () => {
      t = await startTestServer(backend);
      plain = (await send(new CreateUserPoolCommand({ PoolName: 'plain', AliasAttributes: ['email'], AutoVerifiedAttributes: ['email'] }))).UserPool.Id;
      byEmail = (await send(new CreateUserPoolCommand({ PoolName: 'email', UsernameAttributes: ['email'], AutoVerifiedAttributes: ['email'] }))).UserPool.Id;
      for (let i = 0; i < 5; i++) {
        const attrs = [
          { Name: 'email', Value: `user${i}@example.com` },
          { Name: 'email_verified', Value: 'true' },
          { Name: 'given_name', Value: 'Ann' },
        ];
        await send(new AdminCreateUserCommand({ UserPoolId: plain, Username: `user${i}`, MessageAction: 'SUPPRESS', UserAttributes: attrs }));
        await send(new AdminCreateUserCommand({ UserPoolId: byEmail, Username: `user${i}@example.com`, MessageAction: 'SUPPRESS', UserAttributes: attrs.slice(1) }));
      }
      await send(new AdminSetUserPasswordCommand({ UserPoolId: plain, Username: 'user1', Password: PASSWORD, Permanent: true }));
      appClient = (await send(new CreateUserPoolClientCommand({ UserPoolId: plain, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
        .UserPoolClient.ClientId;
      const auth = await send(new InitiateAuthCommand({ ClientId: appClient, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'user1', PASSWORD } }));
      refreshToken = auth.AuthenticationResult.RefreshToken;
      accessToken = auth.AuthenticationResult.AccessToken;
      await send(new CreateResourceServerCommand({ UserPoolId: plain, Identifier: 'api', Name: 'api', Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }] }));
      m2m = (
        await send(
          new CreateUserPoolClientCommand({
            UserPoolId: plain,
            ClientName: 'm2m',
            GenerateSecret: true,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['client_credentials'],
            AllowedOAuthScopes: ['api/read'],
          }),
        )
      ).UserPoolClient;
      // A user signed in on the hosted login page: its session cookie gets codes from /oauth2/authorize.
      web = (
        await send(
          new CreateUserPoolClientCommand({
            UserPoolId: plain,
            ClientName: 'web',
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid', 'email'],
            CallbackURLs: [CALLBACK],
            SupportedIdentityProviders: ['COGNITO'],
          }),
        )
      ).UserPoolClient.ClientId;
      browser = new FormClient(t.url);
      const login = await browser.follow(await browser.get(authorizePath()));
      const back = await browser.submit(login, { username: 'user1', password: PASSWORD });
      assert.equal(back.status, 302, back.html);
    });
    after(() => t?.close());

    /** A code for the web client, issued through /oauth2/authorize with the session cookie. */
    const newCode = async () => {
      const r = await browser.get(authorizePath());
      assert.equal(r.status, 302, r.html);
      return new URL(r.location!).searchParams.get('code')!;
    };

    const op = (target: string, body: object) => async () => {
      const r = await rawCall(t.url, `AWSCognitoIdentityProviderService.${target}`, JSON.stringify(body));
      assert.equal(r.status, 200, JSON.stringify(r.json));
    };
    const clientCredentials = async () => {
      const r = await fetch(`${t.url}/oauth2/token`, {
        method: 'POST',
        headers: { 'content-type': 'application/x-www-form-urlencoded', authorization: `Basic ${Buffer.from(`${m2m.ClientId}:${m2m.ClientSecret}`).toString('base64')}` },
        body: 'grant_type=client_credentials',
      });
      assert.equal(r.status, 200, await r.text());
    };

    /** [path, the request, the most statements it may send]. */
    const cases = (): [string, () => Promise<void>, number][] => [
      ['AdminGetUser', op('AdminGetUser', { UserPoolId: plain, Username: 'user3' }), 1],
      ['AdminGetUser by email (email as username)', op('AdminGetUser', { UserPoolId: byEmail, Username: 'user3@example.com' }), 1],
      ['GetUser', op('GetUser', { AccessToken: accessToken }), 1],
      ['ListUsers, no filter', op('ListUsers', { UserPoolId: plain, Limit: 2 }), 1],
      ['ListUsers, email =', op('ListUsers', { UserPoolId: plain, Filter: 'email = "user3@example.com"' }), 1],
      ['ListUsers, given_name =', op('ListUsers', { UserPoolId: plain, Filter: 'given_name = "Ann"', Limit: 3 }), 1],
      ['token: client_credentials', clientCredentials, 1],
      // The client, the token, its sign-in, user and groups (no rotation: nothing written).
      ['REFRESH_TOKEN_AUTH', op('InitiateAuth', { ClientId: appClient, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } }), 1],
      // The client with its pool, the user, the user's groups (prepared reads), the sign-in written (one
      // statement, batched with concurrent sign-ins'); argon2id's hash is what this path costs.
      ['USER_PASSWORD_AUTH', op('InitiateAuth', { ClientId: appClient, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'user1', PASSWORD } }), 4],
    ];

    it('each hot path: its statements, at most the expected number', async () => {
      const report: string[] = [];
      for (const [what, run, most] of cases()) {
        await run(); // warm: the node's statements and pool rules
        // The fewest of three runs: the server's own background work (expiry sweeps) may send a
        // statement while one runs; a request's own statements are the same each time.
        let seen = await statementsOf(run);
        for (let i = 0; i < 2; i++) {
          const again = await statementsOf(run);
          if (again.length < seen.length) seen = again;
        }
        report.push(`${what}: ${seen.length} (${seen.join(' | ')})`);
        // (At least one: every one of these reads the database, so the count is seen at all.)
        assert.ok(seen.length >= 1 && seen.length <= most, `${what}: ${seen.length} statements, at most ${most} expected:\n${seen.join('\n')}`);
      }
      // authorization_code: each exchange needs a new code (issued outside the count).
      const exchange = (code: string) => async () => {
        const r = await fetch(`${t.url}/oauth2/token`, {
          method: 'POST',
          headers: { 'content-type': 'application/x-www-form-urlencoded' },
          body: new URLSearchParams({ grant_type: 'authorization_code', client_id: web, code, redirect_uri: CALLBACK }),
        });
        assert.equal(r.status, 200, await r.text());
      };
      await exchange(await newCode())();
      let seen: string[] | undefined;
      for (let i = 0; i < 3; i++) {
        const run = exchange(await newCode());
        const again = await statementsOf(run);
        if (!seen || again.length < seen.length) seen = again;
      }
      report.push(`token: authorization_code: ${seen!.length} (${seen!.join(' | ')})`);
      process.stdout.write(report.map((l) => `# ${l}\n`).join(''));
      assert.equal(seen!.length, AUTHORIZATION_CODE_STATEMENTS, `authorization_code: ${seen!.length} statements:\n${seen!.join('\n')}`);
    });
  });
}
