/**
 * Federated sign-in through an OIDC or social identity provider (issue 16), the protocol side:
 *
 *   startFederation     /oauth2/authorize with identity_provider (or idp_identifier), or a button
 *                       of the sign-in page: an authorization code request to the provider, with
 *                       state, nonce and PKCE (S256); the state is kept server-side (auth_sessions,
 *                       sealed, 10 minutes, single use) and bound to the browser by a cookie
 *   GET|POST /oauth2/idpresponse   the provider's answer: the state taken (a replay finds nothing),
 *                       the browser checked, the code exchanged (openid-client: state, PKCE, the ID
 *                       token's iss, aud, nonce, exp), the ID token's signature verified against the
 *                       provider's JWKS (jose), userinfo / the attributes URL read where the type
 *                       says; then the sign-in engine (signin/federation.ts) picks the user and
 *                       completes, and the request ends as any hosted sign-in (session, code).
 * A SAML provider goes to saml.ts instead (startSaml, /saml2/idpresponse).
 * Anything wrong before the client's redirect_uri is known good is an error page; after, an OAuth
 * error redirect to it. Nothing is written for a refused answer.
 */
import { createRemoteJWKSet, decodeProtectedHeader, importPKCS8, jwtVerify, SignJWT } from 'jose';
import * as oidc from 'openid-client';
import { isCognitoError } from '../protocol/errors.js';
import { hashToken } from '../domain/tokens.js';
import { openDetails, providerEndpoints, type ProviderEndpoints } from '../domain/identity-providers.js';
import { federatedSignIn } from '../signin/federation.js';
import { log } from '../log.js';
import type { Ctx } from '../operations/context.js';
import type { IdentityProviderRecord } from '../store/types.js';
import { checkAuthorize, complete, type AuthorizeRequest } from './authorize.js';
import { page, redirect, withParams, type HostedRequest, type HostedResponse } from './http.js';
import { bindingMatches, bindingOf, clearBinding, newBinding } from './binding.js';
import { errorPage, esc, layout } from './pages.js';
import { startSession } from './session.js';
import { startSaml } from './saml.js';

const STATE_SECONDS = 600;
/** The binding cookies' prefix: one cookie per sign-in, named after its state (binding.ts). */
const BIND_COOKIE = 'incognito_idp';
const SEAL_CONTEXT = 'idp-state';

interface FederationState {
  kind: 'IDP';
  provider: string;
  /** The authorization request's parameters (checked again at the answer). */
  params: string;
  nonce: string;
  codeVerifier: string;
  /** Hash of the browser cookie the request must come back with. */
  binding: string;
  /** The redirect URI sent to the provider (the code exchange repeats it). */
  redirectUri: string;
}

/**
 * The ID token signing algorithms a provider may use, as Cognito: "Only signs ID tokens with
 * HMAC-SHA, ECDSA, or RSA algorithms" (cognito-user-pools-oidc-idp.html). HMAC tokens are verified
 * with the client secret (OIDC Core 10.1), the others with the provider's JWKS.
 */
const ID_TOKEN_ALGS = ['RS256', 'RS384', 'RS512', 'PS256', 'PS384', 'PS512', 'ES256', 'ES384', 'ES512', 'HS256', 'HS384', 'HS512'];
const HMAC_ALGS = new Set(['HS256', 'HS384', 'HS512']);

/** The types whose answer carries an ID token (OIDC, and the social providers that are OpenID providers). */
const withIdToken = (p: IdentityProviderRecord) => p.type === 'OIDC' || p.type === 'Google' || p.type === 'SignInWithApple';

/**
 * The redirect URI the provider sends its answer to: /oauth2/idpresponse on the origin the sign-in
 * came to when it came over HTTPS (a pool domain, the HTTPS listener: the browser's cookies are
 * there), else on the public URL. Register it at the provider.
 */
export function idpResponseUrl(ctx: Ctx, req: HostedRequest): string {
  const host = typeof req.headers.host === 'string' ? req.headers.host : '';
  if (req.secure && /^([a-z0-9-]+\.)*[a-z0-9-]+(:\d{1,5})?$|^\[[0-9a-f:.]+\](:\d{1,5})?$/i.test(host)) return `https://${host.toLowerCase()}/oauth2/idpresponse`;
  return `${ctx.publicUrl}/oauth2/idpresponse`;
}

/** Sign in with Apple's client secret: a short ES256 JWT signed with the team's key (Apple's documentation). */
async function appleClientSecret(ctx: Ctx, d: Record<string, string>, e: ProviderEndpoints): Promise<string> {
  const pem = d.private_key!.includes('BEGIN') ? d.private_key! : `-----BEGIN PRIVATE KEY-----\n${d.private_key}\n-----END PRIVATE KEY-----`;
  const key = await importPKCS8(pem, 'ES256');
  const now = Math.floor(ctx.now / 1000);
  return new SignJWT({})
    .setProtectedHeader({ alg: 'ES256', kid: d.key_id! })
    .setIssuer(d.team_id!)
    .setSubject(d.client_id!)
    .setAudience(e.issuer ?? 'https://appleid.apple.com')
    .setIssuedAt(now)
    .setExpirationTime(now + 300)
    .sign(key);
}

/** The openid-client configuration for the provider: its endpoints, our client id and secret, the server's clock. */
async function configFor(ctx: Ctx, p: IdentityProviderRecord): Promise<{ config: oidc.Configuration; e: ProviderEndpoints; d: Record<string, string> }> {
  const e = providerEndpoints(p, ctx.config.federationEndpoints);
  const d = openDetails(ctx.secrets, p);
  const server: oidc.ServerMetadata = {
    issuer: e.issuer ?? new URL(e.authorizeUrl).origin,
    authorization_endpoint: e.authorizeUrl,
    token_endpoint: e.tokenUrl,
    ...(e.attributesUrl ? { userinfo_endpoint: e.attributesUrl } : {}),
    ...(e.jwksUri ? { jwks_uri: e.jwksUri } : {}),
    // Without it openid-client takes RS256 only; the signature itself is checked in providerClaims.
    id_token_signing_alg_values_supported: ID_TOKEN_ALGS,
  };
  const secret = p.type === 'SignInWithApple' ? await appleClientSecret(ctx, d, e) : d.client_secret;
  const config = new oidc.Configuration(
    server,
    d.client_id!,
    { ...(secret ? { client_secret: secret } : {}), [oidc.clockSkew]: Math.round((ctx.now - Date.now()) / 1000) },
    secret ? oidc.ClientSecretPost(secret) : oidc.None(),
  );
  // Plain http is accepted only for providers on this machine (domain/identity-providers.ts checkUrl).
  if ([e.authorizeUrl, e.tokenUrl, e.attributesUrl, e.jwksUri].some((u) => u?.startsWith('http:'))) oidc.allowInsecureRequests(config);
  return { config, e, d };
}

/**
 * The scope asked of the provider: its authorize_scopes; for Google with `openid` added when they
 * leave it out ("profile email" is common), so Google answers with the ID token the sign-in reads.
 */
function scopeFor(p: IdentityProviderRecord, scopes: string): string {
  const list = scopes.split(/\s+/).filter(Boolean);
  return p.type === 'Google' && !list.includes('openid') ? ['openid', ...list].join(' ') : scopes;
}

/** Starts a sign-in with the provider: to its authorization endpoint, the state kept for the answer. */
export async function startFederation(ctx: Ctx, req: HostedRequest, ar: AuthorizeRequest, name: string): Promise<HostedResponse> {
  const fail = (description: string) => redirect(withParams(ar.redirectUri, { error: 'invalid_request', error_description: description, state: ar.state }));
  const p = await ctx.store.identityProviders.get(ar.pool.id, name);
  if (!p || !(ar.client.settings.SupportedIdentityProviders ?? []).includes(name)) return fail(`The identity provider ${name} is not one of the client's SupportedIdentityProviders.`);
  if (p.type === 'SAML') return startSaml(ctx, req, ar, p);
  let configured: Awaited<ReturnType<typeof configFor>>;
  try {
    configured = await configFor(ctx, p);
  } catch (e) {
    // A provider whose stored details cannot make a request (Apple's private key unreadable, ...).
    return fail(`The identity provider ${name} cannot be used: ${reason(e)}`);
  }
  const { config, d } = configured;
  const state = oidc.randomState();
  const nonce = oidc.randomNonce();
  const codeVerifier = oidc.randomPKCECodeVerifier();
  const bind = newBinding(req, BIND_COOKIE, state, STATE_SECONDS);
  const redirectUri = idpResponseUrl(ctx, req);
  const st: FederationState = { kind: 'IDP', provider: p.name, params: ar.params.toString(), nonce, codeVerifier, binding: bind.hash, redirectUri };
  await ctx.store.sessions.insert({
    id: hashToken(`idp:${state}`),
    poolId: ar.pool.id,
    clientId: ar.client.id,
    state: ctx.secrets.seal(JSON.stringify(st), SEAL_CONTEXT),
    expiresAt: ctx.now + STATE_SECONDS * 1000,
  });
  const params: Record<string, string> = {
    redirect_uri: redirectUri,
    response_type: 'code',
    scope: scopeFor(p, d.authorize_scopes!),
    state,
    code_challenge: await oidc.calculatePKCECodeChallenge(codeVerifier),
    code_challenge_method: 'S256',
    ...(withIdToken(p) ? { nonce } : {}),
    // Apple sends the name and email scopes' answer only by form_post.
    ...(p.type === 'SignInWithApple' ? { response_mode: 'form_post' } : {}),
  };
  return redirect(oidc.buildAuthorizationUrl(config, params).href, [bind.setCookie]);
}

/** The provider's claims about the user: the verified ID token's, then userinfo's (or the attributes URL's). */
async function providerClaims(ctx: Ctx, p: IdentityProviderRecord, answer: URLSearchParams, st: FederationState, state: string): Promise<Record<string, unknown>> {
  const { config, e, d } = await configFor(ctx, p);
  const current = new URL(st.redirectUri);
  for (const [k, v] of answer) current.searchParams.append(k, v);
  const idToken = withIdToken(p);
  const tokens = await oidc.authorizationCodeGrant(config, current, {
    pkceCodeVerifier: st.codeVerifier,
    expectedState: state,
    ...(idToken ? { expectedNonce: st.nonce, idTokenExpected: true } : {}),
  });
  let claims: Record<string, unknown> = {};
  if (idToken) {
    // openid-client checked iss, aud, nonce and the times; the signature is checked here: an HMAC
    // one with the client secret, any other against the provider's keys (its JWKS).
    const { alg } = decodeProtectedHeader(tokens.id_token!);
    const hmac = alg !== undefined && HMAC_ALGS.has(alg);
    if (hmac && !d.client_secret) throw new Error(`the ID token is signed with ${alg} (the client secret) but the provider has no client_secret`);
    if (!hmac && !e.jwksUri) throw new Error('the provider has no jwks_uri to verify its ID token with');
    const options = { issuer: config.serverMetadata().issuer, audience: d.client_id!, currentDate: new Date(ctx.now) };
    const { payload } = hmac
      ? await jwtVerify(tokens.id_token!, new TextEncoder().encode(d.client_secret!), { ...options, algorithms: [alg!] })
      : await jwtVerify(tokens.id_token!, createRemoteJWKSet(new URL(e.jwksUri!)), { ...options, algorithms: ID_TOKEN_ALGS.filter((a) => !HMAC_ALGS.has(a)) });
    if (payload.nonce !== st.nonce) throw new Error('the ID token is for another sign-in (nonce)');
    claims = { ...payload };
  }
  if (p.type === 'OIDC' && e.attributesUrl) {
    if (e.attributesRequestMethod === 'POST') {
      const r = await oidc.fetchProtectedResource(config, tokens.access_token, new URL(e.attributesUrl), 'POST');
      if (!r.ok) throw new Error(`the provider's userinfo endpoint answered ${r.status}`);
      claims = { ...claims, ...((await r.json()) as Record<string, unknown>), sub: claims.sub };
    } else {
      const info = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub as string);
      claims = { ...claims, ...info };
    }
  } else if ((p.type === 'Facebook' || p.type === 'LoginWithAmazon') && e.attributesUrl) {
    const url = new URL(p.type === 'Facebook' ? e.attributesUrl + ['id', ...Object.values(p.attributeMapping)].filter((v, i, a) => a.indexOf(v) === i).join(',') : e.attributesUrl);
    const r = await oidc.fetchProtectedResource(config, tokens.access_token, url, 'GET');
    if (!r.ok) throw new Error(`the provider's attributes endpoint answered ${r.status}`);
    claims = { ...((await r.json()) as Record<string, unknown>) };
  }
  return claims;
}

/**
 * Why a provider's answer was refused, for the error description: the library's message and the
 * causes under it (openid-client says "invalid response encountered", its cause says what: an
 * unexpected "alg", an "iss" that is not the configured issuer, ...), with the value expected and
 * the one received when the cause gives them. No stack, no token.
 */
function reason(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur instanceof Error && depth < 4; depth++) {
    if (!parts.includes(cur.message)) parts.push(cur.message);
    // The provider's own error (its token endpoint's answer: invalid_client, invalid_grant, ...).
    const pe = cur as { error?: unknown; error_description?: unknown };
    if (typeof pe.error === 'string') parts.push(`${pe.error}${typeof pe.error_description === 'string' ? ` (${pe.error_description.slice(0, 200)})` : ''}`);
    const c: unknown = cur.cause;
    if (c && !(c instanceof Error) && typeof c === 'object') {
      const o = c as { claim?: unknown; expected?: unknown; header?: { alg?: unknown }; claims?: Record<string, unknown>; parameters?: unknown };
      // The issuer and audience are configuration, safe to show; a nonce is not.
      if ((o.claim === 'iss' || o.claim === 'aud') && o.claims && typeof o.expected === 'string') parts.push(`the ID token's ${o.claim} is ${JSON.stringify(o.claims[o.claim as string])}, expected ${JSON.stringify(o.expected)}`);
      else if (o.parameters instanceof URLSearchParams && o.parameters.get('iss') !== null && typeof o.expected === 'string') parts.push(`the answer's iss is ${JSON.stringify(o.parameters.get('iss'))}, expected ${JSON.stringify(o.expected)}`);
      else if (o.header && typeof o.header.alg === 'string') parts.push(`the ID token is signed with ${o.header.alg}${o.expected !== undefined ? `, expected ${JSON.stringify(o.expected)}` : ''}`);
    }
    cur = c;
  }
  return parts.length ? parts.join(': ') : String(e);
}

/** GET|POST /oauth2/idpresponse: the provider's answer. */
export async function idpResponse(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const answer = req.method === 'POST' ? req.form : req.query;
  const state = answer.get('state');
  if (!state) return page(400, errorPage('Sign-in failed', "The identity provider's answer carries no state: start the sign-in again from the application."));
  // Only this sign-in's binding cookie is cleared: another sign-in of the browser goes on.
  const refused = (text: string) => page(400, errorPage('Sign-in failed', text), [clearBinding(req, BIND_COOKIE, state)]);
  if (req.method === 'POST' && !bindingOf(req, BIND_COOKIE, state)) {
    // A form_post answer (Sign in with Apple) comes cross-site, without our SameSite=Lax cookie: the
    // browser is sent on to the same answer by GET from this origin, which carries it. No script needed.
    const again = `/oauth2/idpresponse?${answer.toString()}`;
    return page(200, layout('Signing in', `<meta http-equiv="refresh" content="0;url=${esc(again)}"><p class="note" role="status" id="message">Signing you in…</p><nav><a href="${esc(again)}">Continue</a></nav>`));
  }
  const row = await ctx.store.sessions.take(hashToken(`idp:${state}`));
  let st: FederationState | undefined;
  try {
    st = row ? (JSON.parse(ctx.secrets.open(row.state, SEAL_CONTEXT).toString('utf8')) as FederationState) : undefined;
  } catch {
    st = undefined;
  }
  if (!row || !st || st.kind !== 'IDP' || row.expiresAt < ctx.now) {
    return refused('This sign-in expired or was already used: start the sign-in again from the application.');
  }
  if (!bindingMatches(req, BIND_COOKIE, state, st.binding)) return refused('This sign-in was started in another browser: start it again from the application.');
  const checked = await checkAuthorize(ctx, req, new URLSearchParams(st.params));
  if ('response' in checked) return checked.response;
  const ar = checked.ok;
  const fail = (error: string, description: string) =>
    redirect(withParams(ar.redirectUri, { error_description: description, error, state: ar.state }), [clearBinding(req, BIND_COOKIE, state)]);
  const providerError = answer.get('error');
  if (providerError) return fail(providerError === 'access_denied' ? 'access_denied' : 'invalid_request', answer.get('error_description') ?? providerError);
  const p = await ctx.store.identityProviders.get(ar.pool.id, st.provider);
  if (!p) return fail('invalid_request', `The identity provider ${st.provider} no longer exists.`);
  let claims: Record<string, unknown>;
  try {
    claims = await providerClaims(ctx, p, answer, st, state);
  } catch (e) {
    // The provider's answer, not a fault of ours: a warning line (no tokens in it), when requests are logged.
    if (ctx.config.logRequests) log({ level: 'warn', msg: 'identity provider answer refused', userPoolId: ar.pool.id, provider: p.name, reason: reason(e) });
    return fail('invalid_request', `The answer of the identity provider ${p.name} was refused: ${reason(e)}`);
  }
  let user;
  try {
    user = (await federatedSignIn(ctx, ar.pool, ar.client, p, claims)).user;
  } catch (e) {
    if (!isCognitoError(e) || e.status !== 400) throw e;
    return fail('invalid_request', e.message);
  }
  const s = await startSession(ctx, req, ar.pool, ar.client, user);
  return complete(ctx, ar, user, s.authTime, [s.cookie, clearBinding(req, BIND_COOKIE, state)]);
}
