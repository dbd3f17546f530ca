/**
 * State the hosted endpoints keep in the database (so any node can answer the next request):
 * the sign-in session behind the session cookie (1 hour, ended by /logout), authorization codes
 * (single use, 5 minutes), and the CSRF token of the forms (a cookie the form must repeat).
 * All of it lives in auth_sessions, keyed by a hash of the random value the browser holds, the
 * state sealed with the master key.
 */
import { randomBytes, timingSafeEqual } from 'node:crypto';
import { hashToken } from '../domain/tokens.js';
import { SESSION_CONTEXT, signInBar } from '../signin/index.js';
import type { Ctx } from '../operations/context.js';
import type { AuthSessionRecord } from '../store/repos/sessions.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { clearCookie, cookie, type HostedRequest } from './http.js';

export const SESSION_SECONDS = 3600;
export const CODE_SECONDS = 300;
const CSRF_COOKIE = 'incognito_csrf';

/** The session cookie's name: one per pool, since every pool's pages share this server's origin. */
export const sessionCookieName = (poolId: string) => `incognito_session_${poolId}`;

interface HostedState {
  kind: 'HOSTED';
  usernameKey: string;
  /** The user's sub: a user deleted and created again under the same name is someone else. */
  sub: string;
  authTime: number;
  /** A SAML sign-in's subject at its IdP, for single logout (IDPSignout). */
  saml?: SamlSession;
}

/** Who the user is at the SAML IdP of the sign-in (the LogoutRequest names it). */
export interface SamlSession {
  provider: string;
  /** The IdP's entity id (its metadata's entityID): with nameID, how an IdP's LogoutRequest finds the session. */
  idp?: string;
  nameID: string;
  nameIDFormat?: string;
  sessionIndex?: string;
}

export interface CodeState {
  kind: 'CODE';
  usernameKey: string;
  /** As in HostedState: the code is for this user, not for a later one with the same name. */
  sub: string;
  redirectUri: string;
  scopes: string[];
  nonce?: string;
  codeChallenge?: string;
  authTime: number;
}

/** What stays of an exchanged code until it would have expired: the sign-in it gave (to revoke if the code comes again). */
interface UsedCodeState {
  kind: 'USED_CODE';
  originJti: string;
}

const random = () => randomBytes(32).toString('base64url');

function seal(ctx: Ctx, state: HostedState | CodeState | UsedCodeState): string {
  return ctx.secrets.seal(JSON.stringify(state), SESSION_CONTEXT);
}

/** The state of a row, or undefined when it does not open (sealed for another purpose or key). */
function open(ctx: Ctx, sealed: string): HostedState | CodeState | { kind: string } | undefined {
  try {
    return JSON.parse(ctx.secrets.open(sealed, SESSION_CONTEXT).toString('utf8'));
  } catch {
    return undefined;
  }
}

/** Starts a sign-in session for the user; returns the Set-Cookie value. */
export async function startSession(ctx: Ctx, req: HostedRequest, pool: PoolRecord, client: ClientRecord, user: UserRecord, saml?: SamlSession): Promise<{ cookie: string; authTime: number; id: string; expiresAt: number }> {
  const value = random();
  const authTime = Math.floor(ctx.now / 1000);
  await ctx.store.sessions.insert({
    id: hashToken(value),
    poolId: pool.id,
    clientId: client.id,
    state: seal(ctx, { kind: 'HOSTED', usernameKey: user.usernameKey, sub: user.sub, authTime, ...(saml ? { saml } : {}) }),
    expiresAt: ctx.now + SESSION_SECONDS * 1000,
  });
  return { cookie: cookie(req, sessionCookieName(pool.id), value, SESSION_SECONDS), authTime, id: hashToken(value), expiresAt: ctx.now + SESSION_SECONDS * 1000 };
}

/**
 * The user of the request's sign-in session in this pool, while the session lasts and the user
 * may still sign in (the same user, by sub; enabled, confirmed).
 */
export async function sessionUser(ctx: Ctx, req: HostedRequest, pool: PoolRecord): Promise<{ user: UserRecord; authTime: number } | undefined> {
  const value = req.cookies[sessionCookieName(pool.id)];
  if (!value) return undefined;
  const rec = await ctx.store.sessions.get(hashToken(value));
  if (!rec || rec.poolId !== pool.id || rec.expiresAt <= ctx.now) return undefined;
  const state = open(ctx, rec.state);
  if (state?.kind !== 'HOSTED') return undefined;
  const { usernameKey, sub, authTime } = state as HostedState;
  const user = await ctx.store.users.get(pool.id, usernameKey);
  // A temporary password set since (FORCE_CHANGE_PASSWORD) ends the session too: the user must choose a new one.
  if (!user || user.sub !== sub || signInBar(user) !== undefined || user.status === 'FORCE_CHANGE_PASSWORD') return undefined;
  return { user, authTime };
}

/** The SAML subject of the request's live sign-in session in this pool, when it came through a SAML IdP. */
export async function sessionSaml(ctx: Ctx, req: HostedRequest, poolId: string): Promise<SamlSession | undefined> {
  const value = req.cookies[sessionCookieName(poolId)];
  if (!value) return undefined;
  const rec = await ctx.store.sessions.get(hashToken(value));
  if (!rec || rec.poolId !== poolId || rec.expiresAt <= ctx.now) return undefined;
  const state = open(ctx, rec.state);
  return state?.kind === 'HOSTED' ? (state as HostedState).saml : undefined;
}

/** Ends the request's sign-in session in this pool (the row, and the cookie). */
export async function endSession(ctx: Ctx, req: HostedRequest, poolId: string): Promise<string> {
  const value = req.cookies[sessionCookieName(poolId)];
  if (value) await ctx.store.sessions.delete(hashToken(value));
  return clearCookie(req, sessionCookieName(poolId));
}

/** An authorization code's format (what issueCode hands out); anything else is no code of ours. */
export const CODE_FORMAT = /^[\w-]{20,200}$/;

/** A new authorization code for the client. */
export async function issueCode(ctx: Ctx, pool: PoolRecord, client: ClientRecord, state: Omit<CodeState, 'kind'>): Promise<string> {
  const code = random();
  await ctx.store.sessions.insert({
    id: hashToken(code),
    poolId: pool.id,
    clientId: client.id,
    state: seal(ctx, { kind: 'CODE', ...state }),
    expiresAt: ctx.now + CODE_SECONDS * 1000,
    // (Read with the code at the exchange, with the user's row and groups: ReadRepo.clientAndCode.)
    usernameKey: state.usernameKey,
  });
  return code;
}

/**
 * Takes (consumes) an authorization code: undefined when unknown, expired or another client's;
 * `reused` (the sign-in it gave) when it was exchanged before; else its state and expiry.
 */
export async function takeCode(
  ctx: Ctx,
  client: ClientRecord,
  code: string,
): Promise<{ state: CodeState; expiresAt: number } | { reused: string } | undefined> {
  if (!CODE_FORMAT.test(code)) return undefined;
  const rec = await ctx.store.sessions.take(hashToken(code));
  if (!rec || rec.clientId !== client.id || rec.expiresAt <= ctx.now) return undefined;
  const state = open(ctx, rec.state);
  if (state?.kind === 'USED_CODE') return { reused: (state as UsedCodeState).originJti };
  return state?.kind === 'CODE' ? { state: state as CodeState, expiresAt: rec.expiresAt } : undefined;
}

/**
 * The state of a code as read, not taken (ReadRepo.clientAndCode): undefined unless it is an
 * unexpired code of this client. The exchange then takes it as it writes the sign-in (Grant.claim,
 * with usedCodeMarker), or with takeCode when it refuses it.
 */
export function readCode(ctx: Ctx, client: ClientRecord, rec: AuthSessionRecord): CodeState | undefined {
  if (rec.clientId !== client.id || rec.expiresAt <= ctx.now) return undefined;
  const state = open(ctx, rec.state);
  return state?.kind === 'CODE' ? (state as CodeState) : undefined;
}

/**
 * What an exchanged code's row holds until the code would have expired: the sign-in it gave, so
 * that a second use revokes that sign-in's tokens (RFC 6749 §4.1.2: the code was stolen, or the
 * exchange replayed). Written over the code in the statement that writes the sign-in.
 */
export function usedCodeMarker(ctx: Ctx, originJti: string): string {
  return seal(ctx, { kind: 'USED_CODE', originJti });
}

/**
 * The CSRF token of the request's forms: the cookie's, or a new one (then `setCookie` must go out
 * with the page). A form post must carry the cookie's value in `_csrf`.
 */
export function csrfToken(req: HostedRequest): { token: string; setCookie: string[] } {
  const have = req.cookies[CSRF_COOKIE];
  if (have && /^[\w-]{43}$/.test(have)) return { token: have, setCookie: [] };
  const token = random();
  return { token, setCookie: [cookie(req, CSRF_COOKIE, token, 86400)] };
}

export function csrfValid(req: HostedRequest): boolean {
  const have = req.cookies[CSRF_COOKIE];
  const given = req.form.get('_csrf');
  if (!have || !given) return false;
  const a = Buffer.from(have);
  const b = Buffer.from(given);
  return a.length === b.length && timingSafeEqual(a, b);
}
