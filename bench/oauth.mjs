#!/usr/bin/env node
// Benchmark of the token endpoint (POST /oauth2/token): a server started for the purpose, a resource
// server with two scopes, then
//   1. grant_type=client_credentials with HTTP Basic client authentication (one RS256 signature a
//      request; the client secret is compared in constant time, not run through a slow hash);
//   2. grant_type=refresh_token, rotating over refresh tokens obtained beforehand (two RS256 signatures
//      and the sign-in's revocation check a request).
// Also measured in this process for reference: RS256 signatures per second with the pool's key (the
// ceiling of every token-issuing path on this machine, shared/reference/performance.md).
//   npm run build && node bench/oauth.mjs [--postgres] [--seconds 5] [--connections 32] [--users 50]
import autocannon from 'autocannon';
import { SignJWT } from 'jose';
import { benchServer, guarded, mustCall, options, printRow, printTableHeader } from './lib.mjs';

const o = options({ users: ['--users', '50'] });
const PASSWORD = 'Bench-Password-1';
const b = await benchServer(o);
const must = mustCall(b);
await guarded(b, 'bench/oauth.mjs', (120 + 4 * (o.seconds + 5)) * 1000, main);

async function run(label, { path, headers, body }) {
  let failure;
  let i = 0;
  const bodies = typeof body === 'function' ? body : () => body;
  const r = await autocannon({
    url: b.server.url + path,
    method: 'POST',
    connections: o.connections,
    duration: o.seconds,
    requests: [
      {
        setupRequest: (req) => {
          const h = typeof headers === 'function' ? headers(i) : headers;
          const x = { ...req, headers: { ...req.headers, ...h } };
          return { ...x, body: bodies(i++) };
        },
        onResponse: (status, resBody) => {
          if ((status < 200 || status > 299) && !failure) failure = `${status} ${resBody}`;
        },
      },
    ],
  });
  printRow({ label, rps: r.requests.average, p50: r.latency.p50, p99: r.latency.p99, non2xx: r.non2xx });
  if (failure) console.error(`${label}: first failure: ${failure}`);
}

async function main() {
  const { UserPool } = await must('CreateUserPool', { PoolName: 'bench-oauth' });
  const UserPoolId = UserPool.Id;
  await must('CreateResourceServer', { UserPoolId, Identifier: 'https://api.example.com', Name: 'api', Scopes: [{ ScopeName: 'read', ScopeDescription: 'read' }, { ScopeName: 'write', ScopeDescription: 'write' }] });
  const { UserPoolClient: m2m } = await must('CreateUserPoolClient', {
    UserPoolId,
    ClientName: 'm2m',
    GenerateSecret: true,
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['client_credentials'],
    AllowedOAuthScopes: ['https://api.example.com/read', 'https://api.example.com/write'],
  });
  const { UserPoolClient: web } = await must('CreateUserPoolClient', {
    UserPoolId,
    ClientName: 'web',
    ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
    AllowedOAuthFlowsUserPoolClient: true,
    AllowedOAuthFlows: ['code'],
    AllowedOAuthScopes: ['openid', 'email'],
    CallbackURLs: ['http://localhost:8976/callback'],
    SupportedIdentityProviders: ['COGNITO'],
  });
  const refresh = [];
  for (let n = 0; n < Number(o.users); n++) {
    const Username = `user${n}`;
    await must('AdminCreateUser', { UserPoolId, Username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${Username}@example.com` }] });
    await must('AdminSetUserPassword', { UserPoolId, Username, Password: PASSWORD, Permanent: true });
    const r = await must('InitiateAuth', { ClientId: web.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: Username, PASSWORD } });
    refresh.push(r.AuthenticationResult.RefreshToken);
  }
  const form = { 'content-type': 'application/x-www-form-urlencoded' };
  const basic = { ...form, authorization: `Basic ${Buffer.from(`${m2m.ClientId}:${m2m.ClientSecret}`).toString('base64')}` };
  const cc = await fetch(`${b.server.url}/oauth2/token`, { method: 'POST', headers: basic, body: 'grant_type=client_credentials' });
  if (cc.status !== 200) throw new Error(`client_credentials answered ${cc.status}: ${await cc.text()}`);

  // The RS256 ceiling: signatures per second with one of the pool's keys, in this process.
  const keys = await b.server.keys.forPool(b.server.store, UserPoolId);
  let signs = 0;
  const t0 = performance.now();
  while (performance.now() - t0 < 2000) {
    await new SignJWT({ sub: 'x', scope: 'https://api.example.com/read' }).setProtectedHeader({ alg: 'RS256', kid: keys.access.kid }).sign(keys.access.privateKey);
    signs++;
  }
  console.log(`RS256 signatures in this process: ${Math.round(signs / 2)}/s (one core; the ceiling of every token-issuing path)\n`);

  console.log(`${b.server.store.kind}, ${o.connections} connections, ${o.seconds} s per row\n`);
  printTableHeader();
  await run('token: client_credentials', { path: '/oauth2/token', headers: basic, body: 'grant_type=client_credentials' });
  await run('token: refresh_token', {
    path: '/oauth2/token',
    headers: form,
    body: (i) => new URLSearchParams({ grant_type: 'refresh_token', client_id: web.ClientId, refresh_token: refresh[i % refresh.length] }).toString(),
  });
}
