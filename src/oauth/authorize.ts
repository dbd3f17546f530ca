/**
 * GET /oauth2/authorize (shared/reference/cognito-behaviour.md §3.2), and what the sign-in pages
 * share with it: checking an authorization request, and finishing it once the user is known
 * (a code in the callback's query, or the implicit flow's tokens in its fragment).
 * Until client_id and redirect_uri are known good, errors are pages; after, they are redirects to
 * the callback with `error=...` (and the request's state).
 */
import { issueTokens } from '../signin/index.js';
import type { Ctx } from '../operations/context.js';
import { STANDARD_SCOPES } from '../domain/client-settings.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { offDomain, page, redirect, single, withParams, type HostedRequest, type HostedResponse } from './http.js';
import { errorPage } from './pages.js';
import { issueCode, sessionUser } from './session.js';
import { startFederation } from './federation.js';

export interface AuthorizeRequest {
  pool: PoolRecord;
  client: ClientRecord;
  responseType: 'code' | 'token';
  redirectUri: string;
  state?: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  /** The request's parameters, carried from page to page (the sign-in page's own URL keeps them). */
  params: URLSearchParams;
  /**
   * The identity provider the request goes straight to (`identity_provider`, or the provider an
   * `idp_identifier` names), when it is not COGNITO.
   */
  idp?: string;
  /** Whether a provider of the client has IdpIdentifiers: the sign-in page then asks for a corporate email. */
  byEmailDomain?: boolean;
}

/** The parameters an authorization request carries from /oauth2/authorize to /login and the other pages. */
const CARRIED = ['client_id', 'response_type', 'redirect_uri', 'state', 'scope', 'nonce', 'code_challenge', 'code_challenge_method', 'identity_provider', 'idp_identifier', 'lang', 'login_hint'];

const OIDC_ONLY = new Set(['email', 'phone', 'profile']);

/** The pool's custom scopes that exist now (a deleted resource server's scopes are no longer granted). */
async function existingCustomScopes(ctx: Ctx, poolId: string): Promise<Set<string>> {
  return ctx.store.resourceServers.scopesOf(poolId);
}

/**
 * The scopes granted for a request: those asked for that the client allows (unknown or disallowed
 * ones are dropped, §3.2), or all of the client's when none are asked for; `email`, `phone` and
 * `profile` only with `openid`.
 */
export async function grantedScopes(ctx: Ctx, client: ClientRecord, requested: string | undefined): Promise<string[]> {
  const allowed = client.settings.AllowedOAuthScopes ?? [];
  const custom = allowed.some((s) => !STANDARD_SCOPES.has(s)) ? await existingCustomScopes(ctx, client.poolId) : new Set<string>();
  const usable = allowed.filter((s) => STANDARD_SCOPES.has(s) || custom.has(s));
  // Scopes are space-separated (a `+` in the query is already a space). A scope name may hold a `+`
  // (RFC 6749 §3.3; Cognito's ScopeNameType): one the client allows is kept whole; any other is
  // also read as `+`-separated names, for scope lists encoded as `%2B`.
  const words = (requested ?? '').split(/\s+/).filter(Boolean).flatMap((s) => (usable.includes(s) ? [s] : s.split('+')));
  const asked = requested === undefined || requested.trim() === '' ? usable : [...new Set(words)].filter((s) => usable.includes(s));
  const openid = asked.includes('openid');
  return asked.filter((s) => openid || !OIDC_ONLY.has(s));
}

export type Checked = { ok: AuthorizeRequest } | { response: HostedResponse };

const pageError = (status: number, text: string): Checked => ({ response: page(status, errorPage('Something went wrong', text)) });

/** Checks an authorization request's parameters (from the query of /oauth2/authorize, /login, ...). */
export async function checkAuthorize(ctx: Ctx, req: HostedRequest, params: URLSearchParams = req.query): Promise<Checked> {
  for (const name of CARRIED) {
    if (single(params, name) === null) return pageError(400, `The parameter ${name} was given more than once.`);
  }
  const clientId = params.get('client_id');
  if (!clientId) return pageError(400, 'Required parameter client_id is missing.');
  const found = /^[\w+]+$/.test(clientId) && clientId.length <= 128 ? await ctx.store.reads.clientWithPool(clientId) : undefined;
  if (!found) return pageError(400, `The client ${clientId} does not exist (invalid_request).`);
  const { pool, client } = found;
  if (offDomain(req, pool.id)) return pageError(400, `The client ${clientId} does not belong to the user pool of this domain.`);
  const redirectUri = params.get('redirect_uri');
  if (!redirectUri) return pageError(400, 'Required parameter redirect_uri is missing.');
  if (!(client.settings.CallbackURLs ?? []).includes(redirectUri)) {
    return pageError(400, 'redirect_mismatch: the redirect_uri is not one of the client\'s callback URLs (CallbackURLs must contain it exactly).');
  }
  const state = params.get('state') ?? undefined;
  const fail = (error: string, description?: string): Checked => ({
    response: redirect(withParams(redirectUri, { error, ...(description ? { error_description: description } : {}), state })),
  });
  if (!client.settings.AllowedOAuthFlowsUserPoolClient) return fail('unauthorized_client', 'The client is not enabled for OAuth flows.');
  const responseType = params.get('response_type');
  if (!responseType) return fail('invalid_request', 'response_type is required.');
  if (responseType !== 'code' && responseType !== 'token') return fail('unsupported_response_type');
  const flows = client.settings.AllowedOAuthFlows ?? [];
  if (!flows.includes(responseType === 'code' ? 'code' : 'implicit')) return fail('unauthorized_client');
  // The provider: COGNITO (the sign-in page), or one the client supports, named or found by identifier.
  const supported = client.settings.SupportedIdentityProviders ?? [];
  if (!supported.length) return fail('unauthorized_client', 'The client has no SupportedIdentityProviders.');
  const idp = params.get('identity_provider');
  const identifier = params.get('idp_identifier');
  let federate: string | undefined;
  const providers = supported.some((n) => n !== 'COGNITO') ? await ctx.store.identityProviders.all(pool.id) : [];
  const byEmailDomain = providers.some((x) => supported.includes(x.name) && x.idpIdentifiers.length > 0);
  if (idp === 'COGNITO') {
    if (!supported.includes('COGNITO')) return fail('unauthorized_client', 'The client does not list COGNITO in its SupportedIdentityProviders.');
  } else if (idp !== null) {
    if (!supported.includes(idp) || !providers.some((x) => x.name === idp)) {
      return fail('invalid_request', `The identity provider ${idp} is not one of the client's SupportedIdentityProviders.`);
    }
    federate = idp;
  } else if (identifier !== null) {
    const wanted = identifier.toLowerCase();
    const p = providers.find((x) => supported.includes(x.name) && x.idpIdentifiers.some((i) => i.toLowerCase() === wanted));
    if (!p) return fail('invalid_request', `No identity provider of the client has the identifier ${identifier}.`);
    federate = p.name;
  }
  const challenge = params.get('code_challenge');
  const method = params.get('code_challenge_method');
  if (challenge !== null || method !== null) {
    if (responseType !== 'code') return fail('invalid_request', 'PKCE applies to the authorization code flow only.');
    if (method !== 'S256') return fail('invalid_request', 'code_challenge_method must be S256.');
    if (challenge === null || !/^[A-Za-z0-9._~-]{43,128}$/.test(challenge)) return fail('invalid_request', 'code_challenge must be 43 to 128 characters of [A-Za-z0-9._~-].');
  }
  const scopes = await grantedScopes(ctx, client, params.get('scope') ?? undefined);
  if (!scopes.length) return fail('invalid_scope');
  const nonce = params.get('nonce') ?? undefined;
  const carried = new URLSearchParams();
  for (const name of CARRIED) {
    const v = params.get(name);
    if (v !== null) carried.set(name, v);
  }
  return {
    ok: {
      pool,
      client,
      responseType,
      redirectUri,
      ...(state !== undefined ? { state } : {}),
      scopes,
      ...(nonce !== undefined ? { nonce } : {}),
      ...(challenge !== null ? { codeChallenge: challenge } : {}),
      params: carried,
      ...(federate !== undefined ? { idp: federate } : {}),
      ...(byEmailDomain ? { byEmailDomain } : {}),
    },
  };
}

/** Finishes a request for a signed-in user: the code, or the implicit flow's tokens. */
export async function complete(ctx: Ctx, ar: AuthorizeRequest, user: UserRecord, authTime: number, cookies: string[] = []): Promise<HostedResponse> {
  if (ar.responseType === 'code') {
    const code = await issueCode(ctx, ar.pool, ar.client, {
      usernameKey: user.usernameKey,
      sub: user.sub,
      redirectUri: ar.redirectUri,
      scopes: ar.scopes,
      authTime,
      ...(ar.nonce !== undefined ? { nonce: ar.nonce } : {}),
      ...(ar.codeChallenge !== undefined ? { codeChallenge: ar.codeChallenge } : {}),
    });
    return redirect(withParams(ar.redirectUri, { code, state: ar.state }), cookies);
  }
  const t = await issueTokens(ctx, ar.pool, ar.client, user, { scopes: ar.scopes, authTime, ...(ar.nonce !== undefined ? { nonce: ar.nonce } : {}) });
  // Implicit flow: never a refresh token (§3.2).
  return redirect(
    withParams(ar.redirectUri, { id_token: t.IdToken, access_token: t.AccessToken, expires_in: String(t.ExpiresIn), token_type: 'Bearer', state: ar.state }, 'fragment'),
    cookies,
  );
}

/** The path and query of a hosted page for this request (the parameters carried along). */
export function pageUrl(path: string, ar: Pick<AuthorizeRequest, 'params'>): string {
  return `${path}?${ar.params.toString()}`;
}

/**
 * GET /oauth2/authorize: with a live sign-in session for the pool the user goes straight back to
 * the callback; otherwise to the sign-in page, with the same parameters. `prompt=login` always asks;
 * `prompt=none` never does: without a session it is `error=login_required` at the callback (OIDC
 * Core §3.1.2.1; Amplify's and oidc-client-ts's silent sign-in rely on it).
 */
export async function authorize(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const checked = await checkAuthorize(ctx, req);
  if ('response' in checked) return checked.response;
  const ar = checked.ok;
  const prompts = (req.query.get('prompt') ?? '').split(' ');
  if (!prompts.includes('login')) {
    const signedIn = await sessionUser(ctx, req, ar.pool);
    if (signedIn) return complete(ctx, ar, signedIn.user, signedIn.authTime);
  }
  if (prompts.includes('none')) return redirect(withParams(ar.redirectUri, { error: 'login_required', state: ar.state }));
  if (ar.idp !== undefined) return startFederation(ctx, req, ar, ar.idp);
  return redirect(pageUrl('/login', ar));
}
