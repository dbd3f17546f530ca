/**
 * Federated sign-in through a SAML 2.0 identity provider (issue 16), the protocol side, with
 * @node-saml/node-saml (signatures, decryption, audience, the AuthnRequest):
 *
 *   startSaml          /oauth2/authorize with identity_provider naming a SAML provider (or the
 *                      button of the sign-in page): an AuthnRequest by HTTP-Redirect to the IdP's
 *                      single sign-on URL from its metadata, signed (rsa-sha256, the pool's signing
 *                      key) when RequestSigningAlgorithm says so. Its RelayState is a random value
 *                      naming the server-side state (auth_sessions, sealed, 10 minutes, single use),
 *                      bound to the browser by a cookie, as the OIDC state is.
 *   POST /saml2/idpresponse   the IdP's Response: the signature (of the Response or of the
 *                      Assertion) against the metadata's certificates, the issuer (the metadata's
 *                      entityID), Audience = urn:amazon:cognito:sp:<poolId>, Destination and
 *                      Recipient = this endpoint, NotBefore/NotOnOrAfter against the server's clock
 *                      (ctx.now, injectable), InResponseTo = the request's ID, the assertion's ID
 *                      kept until it expires (a replay is refused), an EncryptedAssertion decrypted
 *                      with the pool's key (EncryptedResponses). NameID is the provider's user id;
 *                      the attributes are mapped by AttributeMapping. Then the sign-in engine
 *                      (signin/federation.ts), as for OIDC.
 *   IdP-initiated      a Response without InResponseTo whose RelayState is the authorize request's
 *                      parameters (client_id, redirect_uri, response_type, scope, identity_provider
 *                      or idp_identifier), accepted only when the provider's IDPInit is true.
 *   GET /saml2/metadata?client_id=...  the pool's service provider metadata (entity id, ACS URL,
 *                      the single logout URL, the signing and encryption certificate).
 *   Single logout      SP-initiated (/logout, IDPSignout: a signed LogoutRequest to the IdP, its
 *                      LogoutResponse at /saml2/logout) and IdP-initiated (the IdP's signed
 *                      LogoutRequest at /saml2/logout ends the user's hosted sessions from that IdP
 *                      and is answered with a signed LogoutResponse).
 * The IdP's metadata (a MetadataURL's) is kept, not fetched at each sign-in: saml-metadata.ts.
 * A refused response is an error page (or an OAuth error redirect once the client's redirect_uri is
 * known good); nothing is written for it.
 */
import { randomBytes } from 'node:crypto';
import { inflateRawSync } from 'node:zlib';
import { SAML, ValidateInResponseTo, type Profile } from '@node-saml/node-saml';
import { DOMParser } from '@xmldom/xmldom';
import { isCognitoError } from '../protocol/errors.js';
import { hashToken } from '../domain/tokens.js';
import { poolCertificate, type PoolCertificate } from '../domain/certificates.js';
import { openDetails } from '../domain/identity-providers.js';
import { federatedSignIn } from '../signin/federation.js';
import { idpMetadata, withIdpMetadata, type IdpMetadata } from '../domain/saml-metadata.js';
import { log } from '../log.js';
import type { Ctx } from '../operations/context.js';
import type { IdentityProviderRecord, PoolRecord } from '../store/types.js';
import { checkAuthorize, complete, type AuthorizeRequest } from './authorize.js';
import { idpResponseUrl } from './federation.js';
import { clearCookie, page, redirect, withParams, type HostedRequest, type HostedResponse } from './http.js';
import { bindingMatches, bindingOf, clearBinding, newBinding } from './binding.js';
import { checkResponseEnvelope } from './saml-response.js';
import { spMetadataXml } from './sp-metadata.js';
import { errorPage, esc, layout } from './pages.js';
import { endSession, sessionCookieName, sessionSaml, startSession, type SamlSession } from './session.js';

const STATE_SECONDS = 600;
const CONTINUE_SECONDS = 300;
/** The most a deflated (HTTP-Redirect) SAML message may inflate to: no zip bombs. */
const MAX_INFLATED = 1_000_000;
/** How old an IdP-initiated assertion may be. */
const UNSOLICITED_MS = 6 * 60_000;
/** The binding cookies' prefix: one cookie per sign-in, named after its RelayState (binding.ts). */
const BIND_COOKIE = 'incognito_saml';
const SEAL_CONTEXT = 'saml-state';
const SAML_NS = 'urn:oasis:names:tc:SAML:2.0:assertion';

interface SamlState {
  kind: 'SAML';
  provider: string;
  /** The authorization request's parameters (checked again at the answer). */
  params: string;
  /** The AuthnRequest's ID: the Response's InResponseTo. */
  requestId: string;
  /** Hash of the browser cookie the answer must come back with. */
  binding: string;
  /** The ACS URL the request named (Destination and Recipient must be it). */
  acs: string;
}

/** A verified answer waiting for the browser to come back by GET with its cookie (see samlResponse). */
interface SamlContinue {
  kind: 'SAML-CONTINUE';
  provider: string;
  params: string;
  /** The sign-in's RelayState: its binding cookie's name comes from it. */
  relay: string;
  binding: string;
  claims: Record<string, unknown>;
  subject: SamlSession;
}

/** A single logout under way: where the browser goes once the IdP answers. */
interface SamlLogoutState {
  kind: 'SAML-LOGOUT';
  provider: string;
  requestId: string;
  then: string;
}

/** The pool's SAML service provider entity id (Cognito's). */
export const spEntityId = (poolId: string) => `urn:amazon:cognito:sp:${poolId}`;

/** The assertion consumer service URL: /saml2/idpresponse beside /oauth2/idpresponse. */
export const acsUrl = (ctx: Ctx, req: HostedRequest) => idpResponseUrl(ctx, req).replace(/\/oauth2\/idpresponse$/, '/saml2/idpresponse');

/** The node-saml service provider for the provider, with the pool's key. Time checks are ours (the injectable clock). */
function samlFor(p: IdentityProviderRecord, poolId: string, md: IdpMetadata, cert: PoolCertificate, acs: string, requestId?: string, logout?: boolean): SAML {
  if (!md.certs.length) throw new Error('the metadata has no signing certificate');
  const d = p.details;
  return new SAML({
    callbackUrl: acs,
    entryPoint: md.sso,
    issuer: spEntityId(poolId),
    audience: spEntityId(poolId),
    idpCert: md.certs,
    ...(md.entityId ? { idpIssuer: md.entityId } : {}),
    // LogoutRequests are always signed (the IdP must know the sign-out is ours); AuthnRequests when the provider says.
    ...(d.RequestSigningAlgorithm === 'rsa-sha256' || logout ? { privateKey: cert.privateKey(), signatureAlgorithm: 'sha256' as const } : {}),
    ...(md.slo ? { logoutUrl: md.slo } : {}),
    ...(d.EncryptedResponses === 'true' ? { decryptionPvk: cert.privateKey() } : {}),
    // The Response or the Assertion signed (either): node-saml then requires the assertion's when the response's is absent.
    wantAuthnResponseSigned: false,
    wantAssertionsSigned: false,
    acceptedClockSkewMs: -1,
    validateInResponseTo: ValidateInResponseTo.never,
    disableRequestedAuthnContext: true,
    identifierFormat: null,
    ...(requestId ? { generateUniqueId: () => requestId } : {}),
  });
}

/** Starts a sign-in with the SAML provider: the AuthnRequest by redirect, the state kept for the answer. */
export async function startSaml(ctx: Ctx, req: HostedRequest, ar: AuthorizeRequest, p: IdentityProviderRecord): Promise<HostedResponse> {
  const fail = (description: string) => redirect(withParams(ar.redirectUri, { error: 'invalid_request', error_description: description, state: ar.state }));
  let url: string;
  const relay = randomBytes(32).toString('base64url');
  const requestId = `_${randomBytes(20).toString('hex')}`;
  const bind = newBinding(req, BIND_COOKIE, relay, STATE_SECONDS);
  const acs = acsUrl(ctx, req);
  try {
    const { md } = await idpMetadata(ctx, p);
    if (!md.sso) throw new Error('the metadata has no HTTP-Redirect SingleSignOnService');
    const cert = await poolCertificate(ctx.store, ctx.secrets, ar.pool, ctx.now);
    url = await samlFor(p, ar.pool.id, md, cert, acs, requestId).getAuthorizeUrlAsync(relay, undefined, {});
  } catch (e) {
    return fail(`The identity provider ${p.name} cannot be used: ${reason(e)}`);
  }
  const st: SamlState = { kind: 'SAML', provider: p.name, params: ar.params.toString(), requestId, binding: bind.hash, acs };
  await ctx.store.sessions.insert({
    id: hashToken(`saml:${relay}`),
    poolId: ar.pool.id,
    clientId: ar.client.id,
    state: ctx.secrets.seal(JSON.stringify(st), SEAL_CONTEXT),
    expiresAt: ctx.now + STATE_SECONDS * 1000,
  });
  return redirect(url, [bind.setCookie]);
}

const reason = (e: unknown) => (e instanceof Error ? e.message : String(e));

/** A SAML dateTime as epoch milliseconds (undefined when absent). */
function instant(v: string | null | undefined): number | undefined {
  if (!v) return undefined;
  const t = Date.parse(v);
  if (Number.isNaN(t)) throw new Error(`the time ${v} is not a SAML dateTime`);
  return t;
}

/**
 * The checks node-saml leaves to us, on the verified assertion: its validity window against the
 * server's clock, the Recipient and InResponseTo of the bearer confirmation, the Response's
 * Destination. Returns the assertion's ID and when it stops being valid (to keep it for replays).
 */
function checkAssertion(ctx: Ctx, responseXml: string, assertionXml: string, acs: string, requestId: string | undefined, encrypted: boolean): { id: string; until: number } {
  const parser = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined } });
  const response = parser.parseFromString(responseXml, 'text/xml').documentElement;
  const assertion = parser.parseFromString(assertionXml, 'text/xml').documentElement;
  if (!response || !assertion) throw new Error('the response cannot be read');
  if (encrypted) {
    // EncryptedResponses: the IdP must encrypt (a plain assertion would have been readable on the way).
    const direct = (ns: string, name: string) => Array.from({ length: response.childNodes.length }, (_, i) => response.childNodes[i] as unknown as { namespaceURI: string | null; localName: string | null }).filter((n) => n.namespaceURI === ns && n.localName === name);
    if (direct(SAML_NS, 'Assertion').length || direct(SAML_NS, 'EncryptedAssertion').length !== 1) throw new Error('the assertion is not encrypted (EncryptedResponses is true)');
  }
  const destination = response.getAttribute('Destination');
  if (destination && destination !== acs) throw new Error(`the response is for ${destination}, not ${acs} (Destination)`);
  const inResponseTo = response.getAttribute('InResponseTo') || undefined;
  if (requestId === undefined && inResponseTo) throw new Error('the response answers a request this sign-in did not make (InResponseTo)');
  if (requestId !== undefined && inResponseTo !== requestId) throw new Error('the response does not answer this sign-in\'s request (InResponseTo)');
  const now = ctx.now;
  if (requestId === undefined) {
    // IdP-initiated: Cognito's guide ("Using IdP-initiated SAML sign-in") asks that the assertion
    // "must have been issued within the previous 6 minutes".
    const issued = instant(assertion.getAttribute('IssueInstant'));
    if (issued === undefined || now - issued > UNSOLICITED_MS || issued - now > UNSOLICITED_MS) throw new Error('an IdP-initiated assertion must have been issued within the previous 6 minutes (IssueInstant)');
  }
  let until = Number.POSITIVE_INFINITY;
  const conditions = assertion.getElementsByTagNameNS(SAML_NS, 'Conditions')[0];
  if (conditions) {
    const nb = instant(conditions.getAttribute('NotBefore'));
    const na = instant(conditions.getAttribute('NotOnOrAfter'));
    if (nb !== undefined && now < nb) throw new Error('the assertion is not valid yet (NotBefore)');
    if (na !== undefined && now >= na) throw new Error('the assertion has expired (NotOnOrAfter)');
    if (na !== undefined) until = Math.min(until, na);
  }
  const data = assertion.getElementsByTagNameNS(SAML_NS, 'SubjectConfirmationData');
  for (let i = 0; i < data.length; i++) {
    const c = data[i]!;
    const recipient = c.getAttribute('Recipient');
    if (recipient && recipient !== acs) throw new Error(`the assertion is for ${recipient}, not ${acs} (Recipient)`);
    // The signed assertion's own InResponseTo (when it has one) must be this sign-in's request; an unsolicited one has none.
    const irt = c.getAttribute('InResponseTo') || undefined;
    if (irt !== undefined && irt !== requestId) throw new Error('the assertion does not answer this sign-in\'s request (InResponseTo)');
    const nb = instant(c.getAttribute('NotBefore'));
    const na = instant(c.getAttribute('NotOnOrAfter'));
    if (nb !== undefined && now < nb) throw new Error('the assertion is not valid yet (NotBefore)');
    if (na !== undefined && now >= na) throw new Error('the assertion has expired (NotOnOrAfter)');
    if (na !== undefined) until = Math.min(until, na);
  }
  const id = assertion.getAttribute('ID');
  if (!id) throw new Error('the assertion has no ID');
  // An assertion without an end is kept an hour (longer than any sign-in lasts).
  return { id, until: Number.isFinite(until) ? until : now + 3_600_000 };
}

/**
 * Keeps the assertion's ID until it expires; false when it was seen before (a replay). Keyed by
 * the IdP that issued it (its checked Issuer) and its ID, not by the provider: one IdP-initiated
 * response posted for two providers of the pool that trust the same IdP is used once.
 */
async function firstUse(ctx: Ctx, pool: PoolRecord, clientId: string, issuer: string, assertionId: string, until: number): Promise<boolean> {
  const id = hashToken(`saml-assertion:${pool.id}:${issuer}\u0000${assertionId}`);
  if (await ctx.store.sessions.get(id)) return false;
  try {
    await ctx.store.sessions.insert({ id, poolId: pool.id, clientId, state: 'saml-assertion', expiresAt: until });
    return true;
  } catch (e) {
    if (await ctx.store.sessions.get(id)) return false;
    throw e;
  }
}

/** The provider's claims: NameID as `sub` (the user id), then each attribute by its Name (one value as text, several as a list). */
function claimsOf(profile: Profile): Record<string, unknown> {
  // No prototype: attribute names are the IdP's text (`__proto__` is a name like any other).
  const claims: Record<string, unknown> = Object.create(null) as Record<string, unknown>;
  for (const [k, v] of Object.entries(profile.attributes ?? {})) claims[k] = Array.isArray(v) && v.length === 1 ? v[0] : v;
  if (!profile.nameID) throw new Error('the assertion has no NameID');
  claims.sub = profile.nameID;
  return claims;
}

/** The provider with NameID as its user id (a `username` mapping does not apply to SAML users' ids). */
const byNameId = (p: IdentityProviderRecord): IdentityProviderRecord => {
  const { username: _ignored, ...mapping } = p.attributeMapping;
  return { ...p, attributeMapping: mapping };
};

/** Ends the sign-in: the user found or made, the hosted session, the code (or tokens) to the client. */
async function finish(ctx: Ctx, req: HostedRequest, ar: AuthorizeRequest, p: IdentityProviderRecord, claims: Record<string, unknown>, subject: SamlSession, relay: string | undefined): Promise<HostedResponse> {
  // Only this sign-in's binding cookie is cleared (an IdP-initiated one has none): another sign-in of the browser goes on.
  const clear = relay !== undefined ? [clearBinding(req, BIND_COOKIE, relay)] : [];
  let user;
  try {
    user = (await federatedSignIn(ctx, ar.pool, ar.client, byNameId(p), claims)).user;
  } catch (e) {
    if (!isCognitoError(e) || e.status !== 400) throw e;
    return redirect(withParams(ar.redirectUri, { error_description: e.message, error: 'invalid_request', state: ar.state }), clear);
  }
  const s = await startSession(ctx, req, ar.pool, ar.client, user, subject);
  await indexSession(ctx, ar.pool.id, ar.client.id, user.usernameKey, subject, s.id, s.expiresAt);
  return complete(ctx, ar, user, s.authTime, [s.cookie, ...clear]);
}

/** GET|POST /saml2/idpresponse. */
export async function samlResponse(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const refused = (text: string, cookies: string[] = []) => page(400, errorPage('Sign-in failed', text), cookies);
  if (req.method === 'GET') return samlContinue(ctx, req, refused);
  const samlResponseB64 = req.form.get('SAMLResponse');
  const relay = req.form.get('RelayState') ?? req.form.get('Relaystate');
  if (!samlResponseB64) return refused('The identity provider\'s answer carries no SAMLResponse.');
  if (!relay) return refused('The identity provider\'s answer carries no RelayState: start the sign-in again from the application.');

  // SP-initiated: the RelayState names our state. IdP-initiated: it is the authorize request's parameters.
  const row = await ctx.store.sessions.take(hashToken(`saml:${relay}`));
  let st: SamlState | undefined;
  try {
    st = row ? (JSON.parse(ctx.secrets.open(row.state, SEAL_CONTEXT).toString('utf8')) as SamlState) : undefined;
  } catch {
    st = undefined;
  }
  if (row && (!st || st.kind !== 'SAML' || row.expiresAt < ctx.now)) return refused('This sign-in expired: start the sign-in again from the application.');
  const params = st ? new URLSearchParams(st.params) : new URLSearchParams(relay);
  if (!st && !params.get('client_id')) return refused('This sign-in expired or was already used: start the sign-in again from the application.');
  const checked = await checkAuthorize(ctx, req, params);
  if ('response' in checked) return checked.response;
  const ar = checked.ok;
  // A refusal ends this sign-in's binding only (SP-initiated; an IdP-initiated one has none).
  const clear = st ? [clearBinding(req, BIND_COOKIE, relay)] : [];
  const fail = (description: string) => redirect(withParams(ar.redirectUri, { error_description: description, error: 'invalid_request', state: ar.state }), clear);
  const name = st ? st.provider : ar.idp;
  if (!name) return fail('The RelayState names no identity provider (identity_provider or idp_identifier).');
  const p = await ctx.store.identityProviders.get(ar.pool.id, name);
  if (!p || p.type !== 'SAML') return fail(`The identity provider ${name} is not a SAML identity provider of the user pool.`);
  if (!st && openDetails(ctx.secrets, p).IDPInit !== 'true') return fail(`The identity provider ${p.name} does not allow IdP-initiated sign-in (IDPInit).`);
  const acs = st ? st.acs : acsUrl(ctx, req);

  let claims: Record<string, unknown>;
  let subject: SamlSession;
  try {
    const cert = await poolCertificate(ctx.store, ctx.secrets, ar.pool, ctx.now);
    const { profile, md } = await withIdpMetadata(ctx, p, async (md) => ({ ...(await samlFor(p, ar.pool.id, md, cert, acs).validatePostResponseAsync({ SAMLResponse: samlResponseB64 })), md }));
    if (!profile) throw new Error('the response carries no assertion');
    const responseXml = Buffer.from(samlResponseB64, 'base64').toString('utf8');
    const assertionXml = profile.getAssertionXml?.() ?? '';
    // The status, the issuer (the metadata's entityID), Destination and Recipient present: saml-response.ts.
    const { issuer } = checkResponseEnvelope(responseXml, assertionXml, md.entityId);
    const checkedAssertion = checkAssertion(ctx, responseXml, assertionXml, acs, st?.requestId, p.details.EncryptedResponses === 'true');
    claims = claimsOf(profile);
    subject = { provider: p.name, nameID: profile.nameID, ...(md.entityId ? { idp: md.entityId } : {}), ...(profile.nameIDFormat ? { nameIDFormat: profile.nameIDFormat } : {}), ...(profile.sessionIndex ? { sessionIndex: profile.sessionIndex } : {}) };
    if (!(await firstUse(ctx, ar.pool, ar.client.id, issuer, checkedAssertion.id, checkedAssertion.until))) throw new Error('the assertion was already used (replay)');
  } catch (e) {
    if (ctx.config.logRequests) log({ level: 'warn', msg: 'SAML response refused', userPoolId: ar.pool.id, provider: p.name, reason: reason(e) });
    return fail(`The SAML response of the identity provider ${p.name} was refused: ${reason(e)}`);
  }

  if (st) {
    if (!bindingOf(req, BIND_COOKIE, relay)) {
      // The IdP's POST comes cross-site, without our SameSite=Lax cookie: the verified answer is kept
      // (sealed, 5 minutes, single use) and the browser comes back for it by GET from this origin.
      const tok = randomBytes(32).toString('base64url');
      const c: SamlContinue = { kind: 'SAML-CONTINUE', provider: p.name, params: st.params, relay, binding: st.binding, claims, subject };
      await ctx.store.sessions.insert({ id: hashToken(`saml-continue:${tok}`), poolId: ar.pool.id, clientId: ar.client.id, state: ctx.secrets.seal(JSON.stringify(c), SEAL_CONTEXT), expiresAt: ctx.now + CONTINUE_SECONDS * 1000 });
      const again = `/saml2/idpresponse?continue=${tok}`;
      return page(200, layout('Signing in', `<meta http-equiv="refresh" content="0;url=${esc(again)}"><p class="note" role="status" id="message">Signing you in…</p><nav><a href="${esc(again)}">Continue</a></nav>`));
    }
    if (!bindingMatches(req, BIND_COOKIE, relay, st.binding)) return refused('This sign-in was started in another browser: start it again from the application.', clear);
  }
  return finish(ctx, req, ar, p, claims, subject, st ? relay : undefined);
}

/** GET /saml2/idpresponse?continue=...: a verified answer taken up in the browser that started the sign-in. */
async function samlContinue(ctx: Ctx, req: HostedRequest, refused: (text: string, cookies?: string[]) => HostedResponse): Promise<HostedResponse> {
  const tok = req.query.get('continue');
  if (!tok) return refused('Identity providers send their SAML response by POST.');
  const row = await ctx.store.sessions.take(hashToken(`saml-continue:${tok}`));
  let c: SamlContinue | undefined;
  try {
    c = row ? (JSON.parse(ctx.secrets.open(row.state, SEAL_CONTEXT).toString('utf8')) as SamlContinue) : undefined;
  } catch {
    c = undefined;
  }
  if (!row || !c || c.kind !== 'SAML-CONTINUE' || row.expiresAt < ctx.now) return refused('This sign-in expired or was already used: start the sign-in again from the application.');
  if (typeof c.relay !== 'string' || !bindingMatches(req, BIND_COOKIE, c.relay, c.binding)) {
    return refused('This sign-in was started in another browser: start it again from the application.', typeof c.relay === 'string' ? [clearBinding(req, BIND_COOKIE, c.relay)] : []);
  }
  const checked = await checkAuthorize(ctx, req, new URLSearchParams(c.params));
  if ('response' in checked) return checked.response;
  const p = await ctx.store.identityProviders.get(checked.ok.pool.id, c.provider);
  if (!p) return refused(`The identity provider ${c.provider} no longer exists.`);
  return finish(ctx, req, checked.ok, p, c.claims, c.subject, c.relay);
}

/**
 * GET /saml2/metadata?client_id=... (or on a pool domain), optionally &identity_provider=<name>:
 * the pool's SAML service provider metadata (sp-metadata.ts), for the SAML providers it is for:
 * the one named, else the client's (its SupportedIdentityProviders), else, on a pool domain with
 * no client, the pool's. AuthnRequestsSigned says whether those providers sign their requests, an
 * encryption key is listed when one of them has EncryptedResponses.
 */
export async function samlMetadata(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const clientId = req.query.get('client_id');
  const found = clientId && /^[\w+]+$/.test(clientId) && clientId.length <= 128 ? await ctx.store.reads.clientWithPool(clientId) : undefined;
  const poolId = found ? found.pool.id : req.domainPoolId;
  if (!poolId || (found && req.domainPoolId !== undefined && req.domainPoolId !== found.pool.id)) {
    return page(400, errorPage('Something went wrong', 'Name a client of the user pool: /saml2/metadata?client_id=<app client id> (or ask on the pool\'s domain).'));
  }
  const pool = found ? found.pool : await ctx.store.pools.get(poolId);
  if (!pool) return page(400, errorPage('Something went wrong', 'The user pool does not exist.'));
  const named = req.query.get('identity_provider');
  let providers: IdentityProviderRecord[];
  if (named) {
    const p = await ctx.store.identityProviders.get(pool.id, named);
    if (!p || p.type !== 'SAML') return page(400, errorPage('Something went wrong', `${named} is not a SAML identity provider of the user pool.`));
    providers = [p];
  } else if (found) {
    const names = (found.client.settings.SupportedIdentityProviders ?? []).filter((n) => n !== 'COGNITO');
    providers = (await Promise.all(names.map((n) => ctx.store.identityProviders.get(pool.id, n)))).filter((p): p is IdentityProviderRecord => !!p && p.type === 'SAML');
  } else {
    providers = (await ctx.store.identityProviders.list(pool.id, undefined, 1000)).filter((p) => p.type === 'SAML');
  }
  const cert = await poolCertificate(ctx.store, ctx.secrets, pool, ctx.now);
  const acs = acsUrl(ctx, req);
  const xml = spMetadataXml({
    entityId: spEntityId(pool.id),
    acs,
    slo: acs.replace(/\/saml2\/idpresponse$/, '/saml2/logout'),
    certificate: cert.pem,
    authnRequestsSigned: providers.length > 0 && providers.every((p) => p.details.RequestSigningAlgorithm === 'rsa-sha256'),
    encryption: providers.some((p) => p.details.EncryptedResponses === 'true'),
  });
  return { status: 200, headers: { 'Content-Type': 'application/samlmetadata+xml; charset=utf-8', 'Cache-Control': 'no-store' }, body: xml };
}


/**
 * Single logout (IDPSignout): when the request's session came through a SAML IdP whose provider has
 * IDPSignout "true" and whose metadata has an HTTP-Redirect SingleLogoutService, the session is
 * ended here and the browser sent to the IdP with a signed LogoutRequest; its LogoutResponse at
 * /saml2/logout sends it on to `then`. Otherwise undefined (the caller signs out locally).
 */
export async function samlLogout(ctx: Ctx, req: HostedRequest, pool: PoolRecord, clientId: string, then: string): Promise<HostedResponse | undefined> {
  const subject = await sessionSaml(ctx, req, pool.id);
  if (!subject) return undefined;
  const p = await ctx.store.identityProviders.get(pool.id, subject.provider);
  if (!p || p.type !== 'SAML' || p.details.IDPSignout !== 'true') return undefined;
  let url: string;
  const relay = randomBytes(32).toString('base64url');
  const requestId = `_${randomBytes(20).toString('hex')}`;
  try {
    const { md } = await idpMetadata(ctx, p);
    if (!md.slo) return undefined;
    const cert = await poolCertificate(ctx.store, ctx.secrets, pool, ctx.now);
    const profile = { issuer: spEntityId(pool.id), nameID: subject.nameID, nameIDFormat: subject.nameIDFormat ?? 'urn:oasis:names:tc:SAML:1.1:nameid-format:unspecified', ...(subject.sessionIndex ? { sessionIndex: subject.sessionIndex } : {}) } as Profile;
    url = await samlFor(p, pool.id, md, cert, acsUrl(ctx, req), requestId, true).getLogoutUrlAsync(profile, relay, {});
  } catch (e) {
    // The IdP cannot be reached for its metadata: sign out here at least.
    if (ctx.config.logRequests) log({ level: 'warn', msg: 'SAML single logout skipped', userPoolId: pool.id, provider: p.name, reason: reason(e) });
    return undefined;
  }
  const st: SamlLogoutState = { kind: 'SAML-LOGOUT', provider: p.name, requestId, then };
  await ctx.store.sessions.insert({ id: hashToken(`saml-logout:${relay}`), poolId: pool.id, clientId, state: ctx.secrets.seal(JSON.stringify(st), SEAL_CONTEXT), expiresAt: ctx.now + STATE_SECONDS * 1000 });
  return redirect(url, [await endSession(ctx, req, pool.id)]);
}

/**
 * GET|POST /saml2/logout: the IdP's LogoutResponse, by HTTP-POST (what Cognito asks of IdPs: the
 * XML signed) or HTTP-Redirect (the query signed); then on to where /logout was going.
 */
export async function samlLogoutResponse(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const problem = (text: string) => page(400, errorPage('Sign-out failed', text));
  const fields = req.method === 'POST' ? req.form : req.query;
  if (fields.get('SAMLRequest')) return samlLogoutRequest(ctx, req);
  const message = fields.get('SAMLResponse');
  const relay = fields.get('RelayState');
  if (!message || !relay) return problem('The identity provider\'s sign-out answer carries no SAMLResponse or RelayState.');
  const row = await ctx.store.sessions.take(hashToken(`saml-logout:${relay}`));
  let st: SamlLogoutState | undefined;
  try {
    st = row ? (JSON.parse(ctx.secrets.open(row.state, SEAL_CONTEXT).toString('utf8')) as SamlLogoutState) : undefined;
  } catch {
    st = undefined;
  }
  if (!row || !st || st.kind !== 'SAML-LOGOUT' || row.expiresAt < ctx.now) return problem('This sign-out expired or was already finished. You are signed out of this application.');
  const p = await ctx.store.identityProviders.get(row.poolId, st.provider);
  const pool = await ctx.store.pools.get(row.poolId);
  if (!p || !pool) return problem(`The identity provider ${st.provider} no longer exists. You are signed out of this application.`);
  try {
    const cert = await poolCertificate(ctx.store, ctx.secrets, pool, ctx.now);
    const xml = await withIdpMetadata(ctx, p, async (md) => {
      const sp = samlFor(p, pool.id, md, cert, acsUrl(ctx, req));
      if (req.method === 'POST') {
        // node-saml requires the signature of a LogoutResponse that comes by POST.
        const { loggedOut } = await sp.validatePostResponseAsync({ SAMLResponse: message });
        if (!loggedOut) throw new Error('the answer is not a LogoutResponse');
        return Buffer.from(message, 'base64').toString('utf8');
      }
      // node-saml takes an unsigned redirect; we do not. Inflated here first, bounded (node-saml's is not).
      if (!req.query.get('Signature')) throw new Error('the LogoutResponse is not signed');
      const inflated = inflateRawSync(Buffer.from(message, 'base64'), { maxOutputLength: MAX_INFLATED }).toString('utf8');
      await sp.validateRedirectAsync(Object.fromEntries(req.query), req.rawQuery ?? req.query.toString());
      return inflated;
    });
    const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined } }).parseFromString(xml, 'text/xml').documentElement;
    if (doc?.localName !== 'LogoutResponse') throw new Error('the answer is not a LogoutResponse');
    if (doc.getAttribute('InResponseTo') !== st.requestId) throw new Error('the LogoutResponse does not answer this sign-out (InResponseTo)');
    const status = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:protocol', 'StatusCode')[0]?.getAttribute('Value');
    if (status !== 'urn:oasis:names:tc:SAML:2.0:status:Success') throw new Error(`the IdP did not sign the user out (${status ?? 'no status'})`);
  } catch (e) {
    if (ctx.config.logRequests) log({ level: 'warn', msg: 'SAML LogoutResponse refused', userPoolId: row.poolId, provider: p.name, reason: reason(e) });
    return problem(`The sign-out answer of the identity provider ${p.name} was refused (${reason(e)}). You are signed out of this application.`);
  }
  return redirect(st.then);
}

/**
 * IdP-initiated single logout. Each hosted session that came through a SAML IdP is listed under
 * the IdP's entity id and the user's NameID (a row of auth_sessions, sealed): an IdP's
 * LogoutRequest names both, and may come by a cross-site POST that carries none of our cookies.
 * An entry is kept a day past its session's end, so that a late LogoutRequest still finds the
 * provider to verify it with and to answer.
 */
interface SloIndex {
  kind: 'SAML-SLO';
  entries: { poolId: string; clientId: string; provider: string; session: string; sessionIndex?: string; sessionEnds: number }[];
}

const SLO_KEEP_MS = 24 * 3_600_000;
const SLO_MAX_ENTRIES = 20;
/** How far a LogoutRequest's IssueInstant may be from the server's clock. */
const LOGOUT_REQUEST_SKEW_MS = 5 * 60_000;
const sloKey = (idp: string, nameID: string) => hashToken(`saml-slo:${idp}\u0000${nameID}`);

function openSlo(ctx: Ctx, sealed: string): SloIndex | undefined {
  try {
    const v = JSON.parse(ctx.secrets.open(sealed, SEAL_CONTEXT).toString('utf8')) as SloIndex;
    return v.kind === 'SAML-SLO' ? v : undefined;
  } catch {
    return undefined;
  }
}

/** Adds the new hosted session to the IdP user's list (entries past their keep time dropped). */
async function indexSession(ctx: Ctx, poolId: string, clientId: string, usernameKey: string, subject: SamlSession, session: string, sessionEnds: number): Promise<void> {
  if (!subject.idp) return;
  const id = sloKey(subject.idp, subject.nameID);
  await ctx.store.transaction(async (tx) => {
    // The user's row locked: two sign-ins of the same user at once add their entries one after the other.
    await tx.users.get(poolId, usernameKey, { forUpdate: true });
    const row = await tx.sessions.get(id);
    const kept = (row && openSlo(ctx, row.state)?.entries) || [];
    const entries = [...kept.filter((e) => e.sessionEnds + SLO_KEEP_MS > ctx.now), { poolId, clientId, provider: subject.provider, session, ...(subject.sessionIndex ? { sessionIndex: subject.sessionIndex } : {}), sessionEnds }].slice(-SLO_MAX_ENTRIES);
    const state: SloIndex = { kind: 'SAML-SLO', entries };
    await tx.sessions.put({ id, poolId, clientId, state: ctx.secrets.seal(JSON.stringify(state), SEAL_CONTEXT), expiresAt: Math.max(...entries.map((e) => e.sessionEnds)) + SLO_KEEP_MS });
  });
}

/** The parts of a LogoutRequest read before its signature is checked (to find whose it is). */
function peekLogoutRequest(xml: string): { issuer: string; nameID: string; id: string; destination?: string; issueInstant?: number; notOnOrAfter?: number; sessionIndexes: string[] } {
  const doc = new DOMParser({ errorHandler: { warning: () => undefined, error: () => undefined } }).parseFromString(xml, 'text/xml').documentElement;
  if (!doc || doc.localName !== 'LogoutRequest' || doc.namespaceURI !== 'urn:oasis:names:tc:SAML:2.0:protocol') throw new Error('the message is not a LogoutRequest');
  const child = (ns: string, name: string) => {
    const all = doc.getElementsByTagNameNS(ns, name);
    return all.length ? (all[0]!.textContent ?? '').trim() : undefined;
  };
  const issuer = child(SAML_NS, 'Issuer');
  const nameID = child(SAML_NS, 'NameID');
  if (!issuer) throw new Error('the LogoutRequest has no Issuer');
  if (!nameID) throw new Error('the LogoutRequest has no NameID (an EncryptedID is not supported)');
  const id = doc.getAttribute('ID');
  if (!id) throw new Error('the LogoutRequest has no ID');
  const indexes = doc.getElementsByTagNameNS('urn:oasis:names:tc:SAML:2.0:protocol', 'SessionIndex');
  return {
    issuer,
    nameID,
    id,
    ...(doc.getAttribute('Destination') ? { destination: doc.getAttribute('Destination')! } : {}),
    ...(doc.getAttribute('IssueInstant') ? { issueInstant: instant(doc.getAttribute('IssueInstant')) } : {}),
    ...(doc.getAttribute('NotOnOrAfter') ? { notOnOrAfter: instant(doc.getAttribute('NotOnOrAfter')) } : {}),
    sessionIndexes: Array.from({ length: indexes.length }, (_, i) => (indexes[i]!.textContent ?? '').trim()).filter(Boolean),
  };
}

/**
 * GET|POST /saml2/logout with a SAMLRequest: the IdP's LogoutRequest (IdP-initiated single logout,
 * when the provider's IDPSignout is true). Its signature (the XML's by POST, the query's by
 * HTTP-Redirect) is checked with the provider's metadata, its Destination, IssueInstant (5 minutes
 * either way) and NotOnOrAfter with the server's clock, its ID used once. The user's hosted sessions
 * that came through this IdP (those of its SessionIndex when it names one) are ended; the IdP gets
 * a LogoutResponse (Success), signed with the pool's key, by HTTP-Redirect to its
 * SingleLogoutService, with the RelayState it sent.
 */
async function samlLogoutRequest(ctx: Ctx, req: HostedRequest): Promise<HostedResponse> {
  const problem = (text: string, status = 400) => page(status, errorPage('Sign-out failed', text));
  const fields = req.method === 'POST' ? req.form : req.query;
  const message = fields.get('SAMLRequest')!;
  const relay = fields.get('RelayState') ?? undefined;
  const slo = acsUrl(ctx, req).replace(/\/saml2\/idpresponse$/, '/saml2/logout');
  let peek: ReturnType<typeof peekLogoutRequest>;
  try {
    const raw = Buffer.from(message, 'base64');
    peek = peekLogoutRequest((req.method === 'POST' ? raw : inflateRawSync(raw, { maxOutputLength: MAX_INFLATED })).toString('utf8'));
  } catch (e) {
    return problem(`The identity provider's sign-out request cannot be read (${reason(e)}).`);
  }
  const row = await ctx.store.sessions.get(sloKey(peek.issuer, peek.nameID));
  const index = row ? openSlo(ctx, row.state) : undefined;
  if (!index?.entries.length) {
    return page(200, layout('Signed out', '<p class="note" role="status" id="message">No sign-in of yours through this identity provider is known here: you are signed out of this application.</p>'));
  }
  // The providers the user signed in through with this IdP (usually one).
  const candidates = [...new Map(index.entries.map((e) => [`${e.poolId}\u0000${e.provider}`, e])).values()];
  let verified: { pool: PoolRecord; p: IdentityProviderRecord; md: IdpMetadata; cert: PoolCertificate } | undefined;
  let why = 'no identity provider of this user accepts it';
  for (const c of candidates) {
    const [p, pool] = await Promise.all([ctx.store.identityProviders.get(c.poolId, c.provider), ctx.store.pools.get(c.poolId)]);
    if (!p || !pool || p.type !== 'SAML') continue;
    if (openDetails(ctx.secrets, p).IDPSignout !== 'true') {
      why = `the identity provider ${p.name} does not allow sign-out (IDPSignout is not true)`;
      continue;
    }
    try {
      const cert = await poolCertificate(ctx.store, ctx.secrets, pool, ctx.now);
      const md = await withIdpMetadata(ctx, p, async (md) => {
        const sp = samlFor(p, pool.id, md, cert, acsUrl(ctx, req));
        if (req.method === 'POST') await sp.validatePostRequestAsync({ SAMLRequest: message });
        else {
          // node-saml takes an unsigned redirect; we do not.
          if (!req.query.get('Signature') || !req.query.get('SigAlg')) throw new Error('the LogoutRequest is not signed');
          await sp.validateRedirectAsync(Object.fromEntries(req.query), req.rawQuery ?? req.query.toString());
        }
        return md;
      });
      verified = { pool, p, md, cert };
      break;
    } catch (e) {
      why = reason(e);
    }
  }
  const log_ = (text: string) => ctx.config.logRequests && log({ level: 'warn', msg: 'SAML LogoutRequest refused', issuer: peek.issuer, reason: text });
  if (!verified) {
    log_(why);
    return problem(`The identity provider's sign-out request was refused (${why}).`);
  }
  const { pool, p, md, cert } = verified;
  const refuse = (text: string) => {
    log_(text);
    return problem(`The sign-out request of the identity provider ${p.name} was refused (${text}).`);
  };
  if (peek.destination && peek.destination !== slo) return refuse(`it is for ${peek.destination}, not ${slo} (Destination)`);
  if (peek.issueInstant === undefined || Math.abs(ctx.now - peek.issueInstant) > LOGOUT_REQUEST_SKEW_MS) return refuse('it was not issued in the last 5 minutes (IssueInstant)');
  if (peek.notOnOrAfter !== undefined && ctx.now >= peek.notOnOrAfter) return refuse('it has expired (NotOnOrAfter)');
  const once = hashToken(`saml-logout-request:${pool.id}:${p.name}:${peek.id}`);
  if (await ctx.store.sessions.get(once)) return refuse('it was already used (replay)');
  await ctx.store.sessions.insert({ id: once, poolId: pool.id, clientId: index.entries[0]!.clientId, state: 'saml-logout-request', expiresAt: ctx.now + 2 * LOGOUT_REQUEST_SKEW_MS }).catch(() => undefined);

  // End the sessions: of this provider's pool, the SessionIndex's when named.
  const ends = (e: SloIndex['entries'][number]) => e.poolId === pool.id && e.provider === p.name && (!peek.sessionIndexes.length || (e.sessionIndex !== undefined && peek.sessionIndexes.includes(e.sessionIndex)));
  const ended = await ctx.store.transaction(async (tx) => {
    const now = await tx.sessions.get(sloKey(peek.issuer, peek.nameID));
    const current = (now && openSlo(ctx, now.state)?.entries) || [];
    for (const e of current.filter(ends)) await tx.sessions.delete(e.session);
    const rest = current.filter((e) => !ends(e));
    if (!rest.length) await tx.sessions.delete(sloKey(peek.issuer, peek.nameID));
    else {
      const state: SloIndex = { kind: 'SAML-SLO', entries: rest };
      await tx.sessions.put({ id: sloKey(peek.issuer, peek.nameID), poolId: rest[0]!.poolId, clientId: rest[0]!.clientId, state: ctx.secrets.seal(JSON.stringify(state), SEAL_CONTEXT), expiresAt: Math.max(...rest.map((e) => e.sessionEnds)) + SLO_KEEP_MS });
    }
    return new Set(current.filter(ends).map((e) => e.session));
  });
  // This browser's session cookie goes too when its session was one of them (a cross-site POST carries none).
  const mine = req.cookies[sessionCookieName(pool.id)];
  const cookies = mine && ended.has(hashToken(mine)) ? [clearCookie(req, sessionCookieName(pool.id))] : [];
  if (!md.slo) return page(200, layout('Signed out', '<p class="note" role="status" id="message">You are signed out of this application.</p>'), cookies);
  const url = await samlFor(p, pool.id, md, cert, acsUrl(ctx, req), undefined, true).getLogoutResponseUrlAsync({ ID: peek.id, issuer: peek.issuer, nameID: peek.nameID } as Profile, relay ?? '', {}, true);
  return redirect(url, cookies);
}
