/**
 * Tokens: RS256 ID and access tokens with Cognito's claims (shared/reference/cognito-behaviour.md
 * §1.3, §1.4), opaque refresh tokens stored as hashes, and the verification every access-token
 * operation starts with (signature, expiry, issuer, token_use, scope, revocation, user state).
 */
import { createHash, randomBytes, randomUUID } from 'node:crypto';
import { decodeJwt, errors as joseErrors, jwtVerify, type JWTPayload } from 'jose';
import type { Config } from '../config.js';
import { errors } from '../protocol/errors.js';
import type { ClientRecord, GroupRecord, PoolRecord, Store, UserRecord } from '../store/types.js';
import type { TokenFamily } from '../store/repos/tokens.js';
import { validitySeconds } from './client-settings.js';
import { isTrue } from './attributes.js';
import { signJwt, type SigningKeys } from './keys.js';
import { applyClaims, applyGroups, applyScopes, type TokenOverrides } from '../triggers/token-generation.js';

/** The scope of tokens from the API flows; access-token operations require it. */
export const ADMIN_SCOPE = 'aws.cognito.signin.user.admin';

export interface TokenServices {
  store: Store;
  keys: SigningKeys;
  config: Pick<Config, 'issuer'>;
  publicUrl: string;
}

/**
 * The `iss` of a pool's tokens: this server's URL + `/<poolId>` (where the discovery document is),
 * or Cognito's own shape for apps that verify with aws-jwt-verify's CognitoJwtVerifier.
 */
export function issuerOf(s: Pick<TokenServices, 'config' | 'publicUrl'>, pool: Pick<PoolRecord, 'id' | 'region'>): string {
  return s.config.issuer === 'cognito' ? `https://cognito-idp.${pool.region}.amazonaws.com/${pool.id}` : `${s.publicUrl}/${pool.id}`;
}

const POOL_ID = /^[\w-]+_[0-9a-zA-Z]+$/;

/** The pool a token names in its `iss`, if it names one. */
function poolIdOfIssuer(iss: unknown): string | undefined {
  if (typeof iss !== 'string') return undefined;
  const id = iss.slice(iss.lastIndexOf('/') + 1);
  return POOL_ID.test(id) ? id : undefined;
}

/** ID-token values: the `_verified` flags as booleans, `updated_at` as a number, the rest as strings. */
function claimValue(name: string, value: string): unknown {
  if (name === 'email_verified' || name === 'phone_number_verified') return isTrue(value);
  if (name === 'updated_at' && /^\d+$/.test(value)) return Number(value);
  // A federated user's identities: the JSON array itself, as Cognito's ID tokens carry it.
  if (name === 'identities') {
    try {
      return JSON.parse(value) as unknown;
    } catch {
      return value;
    }
  }
  return value;
}

/** The attributes the client may read: its ReadAttributes, or all of them. */
function readable(client: ClientRecord, attrs: Record<string, string>): [string, string][] {
  const allowed = client.settings.ReadAttributes ? new Set(client.settings.ReadAttributes) : undefined;
  return Object.entries(attrs).filter(([n]) => !allowed || allowed.has(n));
}

const PROFILE_ATTRIBUTES = new Set([
  'name', 'family_name', 'given_name', 'middle_name', 'nickname', 'preferred_username', 'profile', 'picture',
  'website', 'gender', 'birthdate', 'zoneinfo', 'locale', 'updated_at', 'address',
]);

/**
 * The attributes an ID token or the userInfo endpoint shows for a sign-in's scopes (Cognito's
 * userInfo page): `openid` alone (or the API flows, `scopes` null) shows every attribute the client
 * may read; with `profile`, `email` or `phone` only what those scopes cover (`profile` includes
 * the custom attributes).
 */
export function scopedAttributes(client: ClientRecord, attrs: Record<string, string>, scopes: string[] | null): [string, string][] {
  const all = readable(client, attrs);
  if (scopes === null) return all;
  const profile = scopes.includes('profile');
  const email = scopes.includes('email');
  const phone = scopes.includes('phone');
  if (!profile && !email && !phone) return all;
  return all.filter(
    ([n]) =>
      n === 'identities' ||
      (profile && (PROFILE_ATTRIBUTES.has(n) || n.startsWith('custom:'))) ||
      (email && (n === 'email' || n === 'email_verified')) ||
      (phone && (n === 'phone_number' || n === 'phone_number_verified')),
  );
}

/**
 * cognito:groups, and the roles when groups carry them. The preferred role is the role of the
 * group with the lowest Precedence among those with a role (a null Precedence ranks after every
 * number); when several groups share that Precedence with different roles there is none (the
 * model's CreateGroup Precedence text: "If the two groups have different role ARNs, the
 * cognito:preferred_role claim isn't set in users' tokens").
 */
export async function groupClaims(store: Store, user: UserRecord): Promise<Record<string, unknown>> {
  // A prepared read (store/repos/reads.ts): one round trip, batched with other requests' on PostgreSQL.
  return claimsOfGroups(await store.reads.groupsOfUser(user.poolId, user.usernameKey));
}

/** groupClaims of a user's groups already read (by name, as groupsOfUser reads them). */
export function claimsOfGroups(groups: readonly GroupRecord[]): Record<string, unknown> {
  if (!groups.length) return {};
  const out: Record<string, unknown> = { 'cognito:groups': groups.map((g) => g.name) };
  const withRoles = groups.filter((g) => g.roleArn);
  if (withRoles.length) {
    out['cognito:roles'] = [...new Set(withRoles.map((g) => g.roleArn))];
    const numbered = withRoles.filter((g) => g.precedence !== null);
    const lowest = numbered.length ? Math.min(...numbered.map((g) => g.precedence!)) : null;
    const first = new Set(withRoles.filter((g) => g.precedence === lowest).map((g) => g.roleArn));
    if (first.size === 1) out['cognito:preferred_role'] = [...first][0];
  }
  return out;
}

export interface Minted {
  AccessToken: string;
  /** Absent for a hosted sign-in whose scopes lack `openid`. */
  IdToken?: string;
  ExpiresIn: number;
  TokenType: 'Bearer';
}

/**
 * Signs an ID and an access token for the user's sign-in `family` (its origin_jti, auth_time and
 * scopes carry over to tokens minted on refresh). The API flows' sign-ins (scopes null) get the
 * admin scope and an ID token with every readable attribute; a hosted sign-in gets its granted
 * scopes, and an ID token only with `openid`, showing the attributes its scopes cover.
 */
export async function mintTokens(
  s: TokenServices,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  family: Pick<TokenFamily, 'originJti' | 'authTime' | 'scopes'> & { deviceKey?: string | null },
  opts: { nonce?: string; now: number; overrides?: TokenOverrides; groups?: Record<string, unknown> },
): Promise<Minted> {
  const keys = await s.keys.forPool(s.store, pool.id);
  const iss = issuerOf(s, pool);
  const iat = Math.floor(opts.now / 1000);
  const validity = validitySeconds(client.settings);
  const eventId = randomUUID();
  const groups = opts.groups ?? (await groupClaims(s.store, user));
  const revocation = client.settings.EnableTokenRevocation !== false;

  const idClaims: JWTPayload = {
    sub: user.sub,
    ...groups,
    ...Object.fromEntries(scopedAttributes(client, user.attributes, family.scopes).map(([n, v]) => [n, claimValue(n, v)])),
    iss,
    'cognito:username': user.username,
    ...(opts.nonce !== undefined ? { nonce: opts.nonce } : {}),
    ...(revocation ? { origin_jti: family.originJti } : {}),
    aud: client.id,
    event_id: eventId,
    token_use: 'id',
    auth_time: family.authTime,
    exp: iat + validity.id,
    iat,
    ...(revocation ? { jti: randomUUID() } : {}),
  };
  const accessClaims: JWTPayload = {
    sub: user.sub,
    // The remembered device of the sign-in (device tracking), as Cognito's access tokens carry it.
    ...(family.deviceKey ? { device_key: family.deviceKey } : {}),
    ...(groups['cognito:groups'] ? { 'cognito:groups': groups['cognito:groups'] } : {}),
    iss,
    // The access-token format version, as AWS's documented access token (and the client_credentials
    // token below) carries it: docs/decisions.md, "The first five minutes".
    version: 2,
    client_id: client.id,
    // Always present (not only with revocation on): sign-out and revocation find the sign-in by it.
    origin_jti: family.originJti,
    event_id: eventId,
    token_use: 'access',
    scope: applyScopes(family.scopes ?? [ADMIN_SCOPE], opts.overrides).join(' '),
    auth_time: family.authTime,
    exp: iat + validity.access,
    iat,
    jti: randomUUID(),
    username: user.username,
  };
  // PreTokenGeneration's answer (src/triggers/token-generation.ts).
  const o = opts.overrides;
  applyGroups(idClaims, o?.groups, 'id');
  applyGroups(accessClaims, o?.groups, 'access');
  applyClaims(idClaims, o?.id);
  applyClaims(accessClaims, o?.access);
  const withId = family.scopes === null || family.scopes.includes('openid');
  const AccessToken = await signJwt(keys.access, accessClaims);
  // Hosted (OAuth) sign-ins' ID tokens bind the access token issued with them (OIDC Core §3.2.2.10).
  if (family.scopes !== null) idClaims.at_hash = createHash('sha256').update(AccessToken).digest().subarray(0, 16).toString('base64url');
  const IdToken = withId ? await signJwt(keys.id, idClaims) : undefined;
  return { AccessToken, ExpiresIn: validity.access, TokenType: 'Bearer', ...(IdToken ? { IdToken } : {}) };
}

/**
 * The client_credentials grant's access token (machine to machine): no user, `sub` is the client
 * id, the granted custom scopes; not tied to a sign-in, so it is not revocable (as in Cognito).
 */
export async function mintClientToken(s: TokenServices, pool: PoolRecord, client: ClientRecord, scopes: string[], now: number, overrides?: TokenOverrides): Promise<{ access_token: string; expires_in: number; token_type: 'Bearer' }> {
  const keys = await s.keys.forPool(s.store, pool.id);
  const iat = Math.floor(now / 1000);
  const validity = validitySeconds(client.settings);
  const claims: JWTPayload = {
    sub: client.id,
    token_use: 'access',
    scope: applyScopes(scopes, overrides).join(' '),
    auth_time: iat,
    iss: issuerOf(s, pool),
    exp: iat + validity.access,
    iat,
    version: 2,
    jti: randomUUID(),
    client_id: client.id,
  };
  applyClaims(claims, overrides?.access);
  const access_token = await signJwt(keys.access, claims);
  return { access_token, expires_in: validity.access, token_type: 'Bearer' };
}

/** A new refresh token: 48 random bytes, base64url (the model's `[A-Za-z0-9-_=.]+`), and its hash. */
export function newRefreshToken(): { token: string; hash: string } {
  const token = randomBytes(48).toString('base64url');
  return { token, hash: hashToken(token) };
}

/** Refresh tokens and sessions are high-entropy random strings: a plain SHA-256 is the right hash. */
export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('base64url');
}

/** True when the string is shaped like one of our JWTs (an ID or access token). */
export function looksLikeJwt(token: string): boolean {
  try {
    const p = decodeJwt(token);
    return typeof p.token_use === 'string';
  } catch {
    return false;
  }
}

export interface VerifiedAccess {
  pool: PoolRecord;
  client: ClientRecord;
  user: UserRecord;
  claims: JWTPayload & { client_id: string; origin_jti?: string; username: string };
}

const invalidToken = () => errors.notAuthorized('Invalid Access Token');

/**
 * Access tokens whose signature, algorithm and issuer jose verified, by their exact text, with the
 * key and issuer they were verified against. A token's signature cannot change, so another use of
 * the same token skips the RS256 check (jose's WebCrypto verify was the largest part of GetUser's
 * CPU); expiry and not-before are checked again at every use, and so is everything the database
 * knows (revocation, sign-out, the user, the client). Only successes are kept; at most
 * MAX_VERIFIED_TOKENS (~1.5 KB each), then the map starts over.
 */
const verifiedTokens = new Map<string, { key: unknown; issuer: string; claims: VerifiedAccess['claims'] }>();
const MAX_VERIFIED_TOKENS = 10_000;

/**
 * Checks an access token before an access-token operation does anything: signature (the pool's
 * access key), expiry, issuer, token_use, the scope (the admin scope, or `openid` for userInfo), then the database: the sign-in it came
 * from is not revoked or signed out, the client still exists, and the user exists and is enabled.
 * One statement: the client with its pool and the sign-in with its user, both named by the token
 * (read before the signature is checked, used only after).
 */
export async function verifyAccessToken(s: TokenServices, token: string, now: number, scope = ADMIN_SCOPE): Promise<VerifiedAccess> {
  let unverified: JWTPayload;
  try {
    unverified = decodeJwt(token);
  } catch {
    throw invalidToken();
  }
  const poolId = poolIdOfIssuer(unverified.iss);
  // Claims not yet verified: a NUL (which PostgreSQL text cannot hold) makes the token invalid on
  // both stores, rather than a database error.
  const clientId = typeof unverified.client_id === 'string' && !unverified.client_id.includes('\0') ? unverified.client_id : undefined;
  const originJti = typeof unverified.origin_jti === 'string' && !unverified.origin_jti.includes('\0') ? unverified.origin_jti : null;
  const read = poolId && clientId !== undefined ? await s.store.reads.access(clientId, originJti) : undefined;
  const found = read?.clientWithPool;
  if (!read || !found || found.pool.id !== poolId) throw invalidToken();
  const { pool, client } = found;
  const keys = await s.keys.forPool(s.store, pool.id);
  const issuer = issuerOf(s, pool);
  let claims: VerifiedAccess['claims'];
  const hit = verifiedTokens.get(token);
  if (hit && hit.key === keys.access.publicKey && hit.issuer === issuer) {
    // Verified before with this key and issuer: only the time claims can have changed their answer.
    const at = Math.floor(now / 1000);
    if (typeof hit.claims.exp === 'number' && hit.claims.exp <= at) throw errors.notAuthorized('Access Token has expired');
    if (typeof hit.claims.nbf === 'number' && hit.claims.nbf > at) throw invalidToken();
    claims = hit.claims;
  } else {
    try {
      const r = await jwtVerify(token, keys.access.publicKey, { algorithms: ['RS256'], issuer, currentDate: new Date(now) });
      claims = r.payload as VerifiedAccess['claims'];
    } catch (e) {
      if (e instanceof joseErrors.JWTExpired) throw errors.notAuthorized('Access Token has expired');
      throw invalidToken();
    }
    if (verifiedTokens.size >= MAX_VERIFIED_TOKENS) verifiedTokens.clear();
    verifiedTokens.set(token, { key: keys.access.publicKey, issuer, claims });
  }
  if (claims.token_use !== 'access' || typeof claims.sub !== 'string' || claims.client_id !== client.id) throw invalidToken();
  if (!String(claims.scope ?? '').split(' ').includes(scope)) throw errors.notAuthorized('Access Token does not have required scopes');
  // The verified claims are the payload decoded above: their origin_jti is the one read with the client.
  const signIn = typeof claims.origin_jti === 'string' ? read.signIn : undefined;
  if (!signIn || signIn.user.sub !== claims.sub) {
    // The sign-in is gone with its user (deleted), or was never ours.
    if (!(await s.store.users.getBySub(pool.id, claims.sub))) throw errors.userNotFound('User does not exist.');
    throw errors.notAuthorized('Access Token has been revoked');
  }
  const { family, user } = signIn;
  // Disabling a user revokes its sign-ins too: while disabled, the answer says why.
  if (!user.enabled) throw errors.notAuthorized('User is disabled.');
  if (family.revokedAt !== null) throw errors.notAuthorized('Access Token has been revoked');
  return { pool, client, user, claims };
}
