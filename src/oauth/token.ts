/**
 * POST /oauth2/token (§3.5): authorization_code (with the PKCE verifier), refresh_token (a new
 * refresh token only with rotation) and client_credentials (custom scopes, no user). Errors are
 * 400 with `{"error": ...}`, the codes of RFC 6749 §5.2.
 */
import { createHash, timingSafeEqual } from 'node:crypto';
import { STANDARD_SCOPES } from '../domain/client-settings.js';
import { isCognitoError } from '../protocol/errors.js';
import { preTokenGeneration } from '../triggers/token-generation.js';
import { hashToken, mintClientToken } from '../domain/tokens.js';
import { CodeTaken, issueTokens, refreshAuth, signInBar } from '../signin/index.js';
import type { Ctx } from '../operations/context.js';
import { authenticateClient } from './client-auth.js';
import { json, type HostedRequest, type HostedResponse } from './http.js';
import { CODE_FORMAT, readCode, takeCode, usedCodeMarker, type CodeState } from './session.js';

const oauthError = (error: string, description?: string, status = 400): HostedResponse =>
  json(status, { error, ...(description ? { error_description: description } : {}) });

/** What /oauth2/token answers for issued tokens (snake case, as OAuth has it). */
function tokenResponse(r: { AccessToken: string; IdToken?: string; RefreshToken?: string; ExpiresIn: number }) {
  return json(200, {
    ...(r.IdToken ? { id_token: r.IdToken } : {}),
    access_token: r.AccessToken,
    ...(r.RefreshToken ? { refresh_token: r.RefreshToken } : {}),
    expires_in: r.ExpiresIn,
    token_type: 'Bearer',
  });
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier).digest('base64url');
}

/** Why a code's exchange request does not match the authorization request (redirect_uri, PKCE), else undefined. */
function codeMismatch(state: CodeState, redirectUri: string, req: HostedRequest): HostedResponse | undefined {
  if (state.redirectUri !== redirectUri) return oauthError('invalid_grant', 'redirect_uri is not the one of the authorization request.');
  if (state.codeChallenge !== undefined) {
    const verifier = req.form.get('code_verifier');
    if (!verifier || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier)) return oauthError('invalid_grant', 'code_verifier is missing or malformed.');
    const a = Buffer.from(s256(verifier));
    const b = Buffer.from(state.codeChallenge);
    if (a.length !== b.length || !timingSafeEqual(a, b)) return oauthError('invalid_grant', 'code_verifier does not match the code_challenge.');
  } else if (req.form.has('code_verifier')) {
    // A verifier for a code requested without a challenge: the challenge was lost on the way (PKCE
    // downgrade; RFC 9700 §2.1.1 says such a request MUST be refused).
    return oauthError('invalid_grant', 'code_verifier was sent, but the authorization request had no code_challenge.');
  }
  return undefined;
}

export async function token(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const type = String(req.headers['content-type'] ?? '');
  if (!type.toLowerCase().startsWith('application/x-www-form-urlencoded')) {
    return oauthError('invalid_request', 'The body must be application/x-www-form-urlencoded.');
  }
  for (const name of ['grant_type', 'code', 'redirect_uri', 'code_verifier', 'refresh_token', 'scope', 'client_id', 'client_secret']) {
    if (req.form.getAll(name).length > 1) return oauthError('invalid_request', `The parameter ${name} was given more than once.`);
  }
  const grant = req.form.get('grant_type');
  if (!grant) return oauthError('invalid_request', 'grant_type is required.');
  if (grant !== 'authorization_code' && grant !== 'refresh_token' && grant !== 'client_credentials') return oauthError('unsupported_grant_type');
  // authorization_code: the code's row read with the client, in one statement (not taken yet).
  const code = grant === 'authorization_code' ? req.form.get('code') : null;
  const codeHash = code !== null && CODE_FORMAT.test(code) ? hashToken(code) : undefined;
  const auth = await authenticateClient(ctx, req, { withScopes: grant === 'client_credentials', ...(codeHash !== undefined ? { codeHash } : {}) });
  if (!auth.ok) return oauthError(auth.error, auth.description);
  const { client, pool } = auth;
  const flows = client.settings.AllowedOAuthFlows ?? [];
  const oauthClient = client.settings.AllowedOAuthFlowsUserPoolClient === true;

  if (grant === 'authorization_code') {
    const redirectUri = req.form.get('redirect_uri');
    if (!code) return oauthError('invalid_request', 'code is required.');
    if (!redirectUri) return oauthError('invalid_request', 'redirect_uri is required.');
    if (!oauthClient || !flows.includes('code')) return oauthError('unauthorized_client');
    const unusable = () => oauthError('invalid_grant', 'The code is unknown, used, expired, or was issued to another client.');
    /**
     * A refusal once the code was found: the code taken all the same (every exchange of a code uses
     * it up, as when the exchange took it first), and when it had been exchanged before, the tokens
     * the first exchange gave revoked (RFC 6749 §4.1.2). A code another request took meanwhile is
     * refused as unusable, as it was when the take came first.
     */
    const refuse = async (error: HostedResponse): Promise<HostedResponse> => {
      const taken = await takeCode(ctx, client, code);
      if (taken && 'reused' in taken) await ctx.store.tokens.revokeFamily(taken.reused, ctx.now);
      return taken && !('reused' in taken) ? error : unusable();
    };
    const row = auth.code;
    // (No row: nothing to take.)
    if (!row) return unusable();
    const state = readCode(ctx, client, row);
    if (!state) return refuse(unusable());
    const bad = codeMismatch(state, redirectUri, req);
    if (bad) return refuse(bad);
    // The user with its groups (the tokens' claims): read with the code (its username_key), else (a code
    // issued before that column, or a user no longer there) in a statement of its own. The sealed state
    // decides which user: the one read with the code only when it is the state's.
    const found = auth.codeUser && auth.codeUser.user.usernameKey === state.usernameKey && auth.codeUser.user.poolId === pool.id ? auth.codeUser : await ctx.store.reads.userAndGroups(pool.id, state.usernameKey);
    const user = found?.user;
    if (!user || user.sub !== state.sub || signInBar(user) !== undefined) return refuse(oauthError('invalid_grant', 'The user can no longer sign in.'));
    let issued;
    try {
      issued = await issueTokens(ctx, pool, client, user, {
        scopes: state.scopes,
        authTime: state.authTime,
        groups: found.groups,
        ...(state.nonce !== undefined ? { nonce: state.nonce } : {}),
        // The code taken (replaced by its used marker) in the statement that writes the sign-in.
        claim: { id: row.id, from: row.state, to: (originJti) => usedCodeMarker(ctx, originJti) },
      });
    } catch (e) {
      // Another exchange of the code wrote its sign-in first (or the code expired meanwhile).
      if (e instanceof CodeTaken) return refuse(unusable());
      // A PreTokenGeneration function that failed.
      if (isCognitoError(e)) return refuse(oauthError('invalid_request', e.message));
      throw e;
    }
    return tokenResponse(issued);
  }

  if (grant === 'refresh_token') {
    const refresh = req.form.get('refresh_token');
    if (!refresh) return oauthError('invalid_request', 'refresh_token is required.');
    const rotation = client.settings.RefreshTokenRotation;
    try {
      const r = await refreshAuth(ctx, pool, client, refresh, () => {}, rotation?.Feature === 'ENABLED' ? { graceSeconds: rotation.RetryGracePeriodSeconds ?? 0 } : undefined, req.form.get('device_key') ?? undefined);
      return tokenResponse(r.tokens as Parameters<typeof tokenResponse>[0]);
    } catch (e) {
      if (isCognitoError(e)) return oauthError('invalid_grant', e.message);
      throw e;
    }
  }

  // client_credentials: machine to machine, with the client's custom scopes (quota category ClientAuthentication).
  try {
    ctx.quotas?.take('ClientAuthentication', ctx.region, ctx.now);
  } catch (e) {
    if (isCognitoError(e)) return json(429, { error: 'too_many_requests', error_description: e.message });
    throw e;
  }
  if (client.secret === null) return oauthError('invalid_client', 'client_credentials needs a client with a secret.');
  if (!oauthClient || !flows.includes('client_credentials')) return oauthError('unauthorized_client');
  // The pool's resource servers' scopes, read with the client.
  const existing = auth.resourceScopes ?? (await ctx.store.resourceServers.scopesOf(pool.id));
  const allowed = (client.settings.AllowedOAuthScopes ?? []).filter((s) => !STANDARD_SCOPES.has(s) && existing.has(s));
  const requested = req.form.get('scope');
  const scopes = requested === null || requested.trim() === '' ? allowed : [...new Set(requested.split(/\s+/).filter(Boolean))].filter((s) => allowed.includes(s));
  if (!scopes.length) return oauthError('invalid_scope', 'None of the requested scopes is a custom scope the client may use.');
  // A V3_0 PreTokenGeneration function runs for machine tokens too (TokenGeneration_ClientCredentials).
  let overrides;
  try {
    overrides = await preTokenGeneration(ctx, pool, client, undefined, 'TokenGeneration_ClientCredentials', {}, scopes);
  } catch (e) {
    if (isCognitoError(e)) return oauthError('invalid_request', e.message);
    throw e;
  }
  const t = await mintClientToken(ctx, pool, client, scopes, ctx.now, overrides);
  ctx.metrics?.tokensIssued('client_credentials', { access: true });
  return json(200, t);
}
