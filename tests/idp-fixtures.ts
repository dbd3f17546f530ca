/**
 * Identity providers that run inside the federation tests:
 *   startOidcProvider   a real OpenID provider built with panva's oidc-provider (discovery, PKCE,
 *                       client_secret_post, JWKS); whoever signs in is the account the test names
 *   startGoogleStandIn  a stand-in for Google's endpoints (the paths of accounts.google.com and
 *                       www.googleapis.com on one base URL, for --federation-endpoints), written with
 *                       jose; it can be told to answer wrongly (audience, issuer, expiry, signature,
 *                       nonce) so the refusals can be tested
 */
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHash, randomBytes } from 'node:crypto';
import Provider from 'oidc-provider';
import { exportJWK, generateKeyPair, jwtVerify, SignJWT, type CryptoKey } from 'jose';

export interface Account {
  sub: string;
  email?: string;
  given_name?: string;
  [claim: string]: unknown;
}

async function listen(handler: http.RequestListener): Promise<{ server: http.Server; base: string }> {
  const server = http.createServer(handler);
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return { server, base: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

const close = (server: http.Server) =>
  new Promise<void>((r) => {
    server.closeAllConnections();
    server.close(() => r());
  });

/** A private signing key as a JWK for oidc-provider's jwks. */
async function signingKey(alg: 'RS256' | 'ES256', kid: string) {
  const { privateKey } = await generateKeyPair(alg, { extractable: true });
  return { ...(await exportJWK(privateKey)), kid, alg, use: 'sig' };
}

/**
 * An oidc-provider with one confidential client (`clientId`, `clientSecret`, client_secret_post)
 * whose redirect URI is `redirectUri`. Its interactions finish at once: login as `accounts.next`
 * (set by the test), consent to the scopes asked.
 */
export async function startOidcProvider(opts: { clientId: string; clientSecret: string; redirectUri: string; more?: { clientId: string; clientSecret: string; idTokenAlg: 'RS256' | 'ES256' | 'HS256' }[] }) {
  const accounts = { next: 'alice', known: new Map<string, Account>() };
  let provider!: Provider;
  const { server, base } = await listen(async (req, res) => {
    try {
      if (req.url?.startsWith('/interaction/')) {
        const details = await provider.interactionDetails(req, res);
        if (details.prompt.name === 'login') {
          await provider.interactionFinished(req, res, { login: { accountId: accounts.next } }, { mergeWithLastSubmission: false });
          return;
        }
        const grant = new provider.Grant({ accountId: details.session!.accountId, clientId: details.params.client_id as string });
        grant.addOIDCScope(String(details.params.scope));
        const grantId = await grant.save();
        await provider.interactionFinished(req, res, { consent: { grantId } }, { mergeWithLastSubmission: true });
        return;
      }
      provider.callback()(req, res);
    } catch (e) {
      res.writeHead(500).end(String(e));
    }
  });
  provider = new Provider(base, {
    clients: [
      {
        client_id: opts.clientId,
        client_secret: opts.clientSecret,
        redirect_uris: [opts.redirectUri],
        token_endpoint_auth_method: 'client_secret_post',
        grant_types: ['authorization_code'],
        response_types: ['code'],
      },
      // Other clients whose ID tokens are signed otherwise (ES256 with the provider's EC key, HS256 with the client secret).
      ...(opts.more ?? []).map((c) => ({
        client_id: c.clientId,
        client_secret: c.clientSecret,
        redirect_uris: [opts.redirectUri],
        token_endpoint_auth_method: 'client_secret_post' as const,
        grant_types: ['authorization_code'],
        response_types: ['code' as const],
        id_token_signed_response_alg: c.idTokenAlg,
      })),
    ],
    jwks: { keys: [await signingKey('RS256', 'rs-1'), await signingKey('ES256', 'es-1')] },
    enabledJWA: { idTokenSigningAlgValues: ['RS256', 'ES256', 'HS256'] },
    async findAccount(_ctx, id) {
      const a = accounts.known.get(id) ?? { sub: id, email: `${id}@corp.example`, email_verified: true, given_name: id[0]!.toUpperCase() + id.slice(1) };
      return { accountId: id, claims: async () => ({ ...a, sub: id }) };
    },
    claims: { openid: ['sub'], email: ['email', 'email_verified'], profile: ['given_name', 'family_name', 'groups'] },
    // The scopes' claims in the ID token too (Cognito's mapping reads the ID token and userinfo).
    conformIdTokenClaims: false,
    interactions: { url: (_ctx, interaction) => `/interaction/${interaction.uid}` },
    features: { devInteractions: { enabled: false } },
    cookies: { keys: [randomBytes(16).toString('hex')] },
    pkce: { required: () => true },
  });
  // oidc-provider logs a warning for plain http issuers and in-memory storage; the tests know.
  provider.on('server_error', () => {});
  return { issuer: base, accounts, provider, close: () => close(server) };
}

export type StandInMode = 'ok' | 'wrong-audience' | 'wrong-issuer' | 'expired' | 'bad-signature' | 'wrong-nonce' | 'hs256' | 'hs256-other-secret';

/**
 * Google's endpoints on one base URL: /o/oauth2/v2/auth (answers at once for `user`, as if signed
 * in), /oauth2/v4/token (checks the client, the code and its PKCE verifier), /oauth2/v3/certs; and
 * Facebook's (/v17.0/dialog/oauth, /v17.0/oauth/access_token, /v17.0/me) and Login with Amazon's
 * (/ap/oa, /auth/o2/token, /user/profile), the same user, OAuth 2.0 without ID tokens.
 */
export async function startGoogleStandIn(opts: { clientId: string; clientSecret: string; apple?: { clientId: string; teamId: string; keyId: string; publicKey: CryptoKey } }) {
  const { privateKey, publicKey } = await generateKeyPair('RS256');
  const other = await generateKeyPair('RS256');
  const jwk = { ...(await exportJWK(publicKey)), kid: 'k1', alg: 'RS256', use: 'sig' };
  const codes = new Map<string, { nonce?: string; challenge?: string; redirectUri: string; user: Account }>();
  const state = { user: { sub: '1234567890', email: 'gina@gmail.example', email_verified: true, given_name: 'Gina' } as Account, mode: 'ok' as StandInMode, tokenRequests: 0, attributeRequests: [] as string[], appleModes: [] as string[] };
  const accessTokens = new Map<string, Account>();
  let base = '';
  const { server, base: b } = await listen(async (req, res) => {
    const u = new URL(req.url ?? '/', base);
    if (u.pathname === '/auth/authorize') {
      // Sign in with Apple: the answer is a form the browser POSTs to the redirect URI (response_mode=form_post).
      const code = randomBytes(16).toString('base64url');
      codes.set(code, { ...(u.searchParams.get('nonce') ? { nonce: u.searchParams.get('nonce')! } : {}), ...(u.searchParams.get('code_challenge') ? { challenge: u.searchParams.get('code_challenge')! } : {}), redirectUri: u.searchParams.get('redirect_uri')!, user: state.user });
      state.appleModes.push(u.searchParams.get('response_mode') ?? '');
      const field = (n: string, v: string) => `<input type="hidden" name="${n}" value="${v.replace(/"/g, '&quot;')}">`;
      res.writeHead(200, { 'content-type': 'text/html' }).end(
        `<form method="post" action="${u.searchParams.get('redirect_uri')}">${field('code', code)}${field('state', u.searchParams.get('state') ?? '')}${field('user', JSON.stringify({ name: { firstName: 'Ann' } }))}</form>`,
      );
      return;
    }
    if (u.pathname === '/auth/token' && req.method === 'POST' && opts.apple) {
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const bad = (error: string) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
      // The client secret is Apple's JWT: ES256 with the team's key, iss team id, sub client id, aud Apple.
      try {
        const { payload, protectedHeader } = await jwtVerify(form.get('client_secret') ?? '', opts.apple.publicKey, { issuer: opts.apple.teamId, subject: opts.apple.clientId, audience: base });
        if (protectedHeader.kid !== opts.apple.keyId || !payload.exp) return bad('invalid_client');
      } catch {
        return bad('invalid_client');
      }
      const c = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!c || form.get('client_id') !== opts.apple.clientId || createHash('sha256').update(form.get('code_verifier') ?? '').digest('base64url') !== c.challenge) return bad('invalid_grant');
      const now = Math.floor(Date.now() / 1000);
      const idToken = await new SignJWT({ email: 'ann@privaterelay.example', email_verified: 'true', ...(c.nonce ? { nonce: c.nonce } : {}) })
        .setProtectedHeader({ alg: 'RS256', kid: 'k1' })
        .setIssuer(base)
        .setAudience(opts.apple.clientId)
        .setSubject('001234.apple.5678')
        .setIssuedAt(now)
        .setExpirationTime(now + 600)
        .sign(privateKey);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: randomBytes(8).toString('hex'), token_type: 'Bearer', expires_in: 3600, id_token: idToken }));
      return;
    }
    if (u.pathname === '/oauth2/v3/certs' || u.pathname === '/auth/keys') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    if (u.pathname === '/o/oauth2/v2/auth' || u.pathname === '/v17.0/dialog/oauth' || u.pathname === '/ap/oa') {
      const code = randomBytes(16).toString('base64url');
      codes.set(code, { ...(u.searchParams.get('nonce') ? { nonce: u.searchParams.get('nonce')! } : {}), ...(u.searchParams.get('code_challenge') ? { challenge: u.searchParams.get('code_challenge')! } : {}), redirectUri: u.searchParams.get('redirect_uri')!, user: state.user });
      const back = new URL(u.searchParams.get('redirect_uri')!);
      back.searchParams.set('code', code);
      back.searchParams.set('state', u.searchParams.get('state') ?? '');
      res.writeHead(302, { location: back.href }).end();
      return;
    }
    if (u.pathname === '/oauth2/v3/certs') {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ keys: [jwk] }));
      return;
    }
    if ((u.pathname === '/v17.0/me' || u.pathname === '/user/profile') && req.method === 'GET') {
      // Facebook's Graph API (`fields=` the names asked) and Amazon's profile: the user of the access token.
      const user = accessTokens.get((req.headers.authorization ?? '').replace(/^Bearer /i, ''));
      if (!user) return void res.writeHead(401, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_token' }));
      state.attributeRequests.push(u.pathname + u.search);
      const profile = u.pathname === '/user/profile' ? { user_id: `amzn1.account.${user.sub}`, email: user.email, name: user.given_name } : { id: user.sub, email: user.email, first_name: user.given_name };
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(profile));
      return;
    }
    if ((u.pathname === '/v17.0/oauth/access_token' || u.pathname === '/auth/o2/token') && req.method === 'POST') {
      // Facebook and Amazon: OAuth 2.0 only, no ID token.
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const c = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (form.get('client_id') !== opts.clientId || form.get('client_secret') !== opts.clientSecret || !c) {
        return void res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error: 'invalid_grant' }));
      }
      const token = randomBytes(16).toString('hex');
      accessTokens.set(token, c.user);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: token, token_type: 'bearer', expires_in: 3600 }));
      return;
    }
    if (u.pathname === '/oauth2/v4/token' && req.method === 'POST') {
      state.tokenRequests++;
      const chunks: Buffer[] = [];
      for await (const c of req) chunks.push(c as Buffer);
      const form = new URLSearchParams(Buffer.concat(chunks).toString());
      const bad = (error: string) => res.writeHead(400, { 'content-type': 'application/json' }).end(JSON.stringify({ error }));
      if (form.get('client_id') !== opts.clientId || form.get('client_secret') !== opts.clientSecret) return bad('invalid_client');
      const c = codes.get(form.get('code') ?? '');
      codes.delete(form.get('code') ?? '');
      if (!c || c.redirectUri !== form.get('redirect_uri')) return bad('invalid_grant');
      const verifier = form.get('code_verifier') ?? '';
      if (!c.challenge || createHash('sha256').update(verifier).digest('base64url') !== c.challenge) return bad('invalid_grant');
      const now = Math.floor(Date.now() / 1000);
      const m = state.mode;
      const idToken = await new SignJWT({ ...c.user, ...(c.nonce ? { nonce: m === 'wrong-nonce' ? 'another' : c.nonce } : {}) })
        .setProtectedHeader(m.startsWith('hs256') ? { alg: 'HS256' } : { alg: 'RS256', kid: 'k1' })
        .setIssuer(m === 'wrong-issuer' ? 'https://evil.example' : base)
        .setAudience(m === 'wrong-audience' ? 'someone-else' : opts.clientId)
        .setSubject(c.user.sub)
        .setIssuedAt(m === 'expired' ? now - 7200 : now)
        .setExpirationTime(m === 'expired' ? now - 3600 : now + 3600)
        // HS256: signed with the client secret (OIDC Core 10.1), or with another one.
        .sign(m === 'hs256' ? new TextEncoder().encode(opts.clientSecret) : m === 'hs256-other-secret' ? new TextEncoder().encode(`${opts.clientSecret}-not`) : m === 'bad-signature' ? other.privateKey : privateKey);
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: randomBytes(16).toString('hex'), token_type: 'Bearer', expires_in: 3600, id_token: idToken }));
      return;
    }
    res.writeHead(404).end();
  });
  base = b;
  return { base, state, close: () => close(server) };
}
