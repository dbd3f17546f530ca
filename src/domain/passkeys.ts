/**
 * Passkeys (WebAuthn): the pool's WebAuthnConfiguration (SetUserPoolMfaConfig), its relying party
 * (RP) ID and allowed origins, registration (StartWebAuthnRegistration / CompleteWebAuthnRegistration
 * and the hosted "add a passkey" page) and the assertion check of the WEB_AUTHN sign-in factor
 * (src/signin/passkey.ts). The cryptography (attestation and assertion signatures, the COSE keys,
 * the signature counter rule) is @simplewebauthn/server's; the shapes, the challenge binding and
 * Cognito's errors are here. Choices and evidence: docs/decisions.md, "Passkeys (WebAuthn)".
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { WebAuthnConfigurationType, WebAuthnCredentialDescription } from '@aws-sdk/client-cognito-identity-provider';
import {
  verifyAuthenticationResponse,
  verifyRegistrationResponse,
  type AuthenticationResponseJSON,
  type AuthenticatorTransportFuture,
  type RegistrationResponseJSON,
} from '@simplewebauthn/server';
import { decodeAttestationObject, decodeClientDataJSON, parseAuthenticatorData } from '@simplewebauthn/server/helpers';
import { errors, isCognitoError, type CognitoError } from '../protocol/errors.js';
import type { ClientRecord, PoolRecord, Store, UserRecord } from '../store/types.js';
import type { WebAuthnCredentialRecord } from '../store/repos/webauthn.js';
import type { PoolSettings } from './pool-settings.js';

/** The passkeys a user can have (Cognito's quota; also ListWebAuthnCredentials' largest page). */
export const MAX_PASSKEYS_PER_USER = 20;
/** The registration options' timeout (milliseconds), as Cognito's CredentialCreationOptions give it. */
export const REGISTRATION_TIMEOUT_MS = 60_000;
/** The request options' timeout, as Cognito's CREDENTIAL_REQUEST_OPTIONS give it. */
export const AUTHENTICATION_TIMEOUT_MS = 180_000;
/** How long a StartWebAuthnRegistration challenge can be completed: the ceremony's timeout with room for a slow user. */
export const REGISTRATION_CHALLENGE_TTL_MS = 5 * 60_000;
/** The codes-table purpose the pending registration challenge is kept under (one per user). */
const REGISTRATION_PURPOSE = 'WEBAUTHN_REGISTRATION';
/** COSE algorithms offered, in Cognito's order: ES256, RS256. */
const ALGORITHMS = [-7, -257];
const TRANSPORTS = new Set(['ble', 'cable', 'hybrid', 'internal', 'nfc', 'smart-card', 'usb']);

export type UserVerification = 'required' | 'preferred';

// ---------------------------------------------------------------------------------------------
// Pool configuration
// ---------------------------------------------------------------------------------------------

const LABEL = /^[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

/**
 * A relying party ID: a host name (what WebAuthn takes: a registrable domain suffix of the page's
 * host, never a URL, an address or a port). `localhost` is one, for local development.
 */
export function checkRelyingPartyId(rpId: string): void {
  const labels = rpId.split('.');
  const valid = labels.every((l) => LABEL.test(l)) && !/^\d+$/.test(labels[labels.length - 1]!) && rpId.length <= 127;
  if (!valid) {
    // Message ours.
    throw errors.invalidParameter(
      `RelyingPartyId ${JSON.stringify(rpId)} is not a host name: give the domain passkeys are registered for, such as auth.example.com ` +
        '(your user pool domain or custom domain), or localhost for local development; no scheme, port, path or upper-case letters.',
    );
  }
}

/**
 * SetUserPoolMfaConfig's WebAuthnConfiguration, checked, as the pool keeps it. Absent from the
 * request: the pool keeps what it has. UserVerification defaults to preferred. Passkeys need the
 * ESSENTIALS or PLUS tier (WebAuthnConfigurationType: "your user pool must be in the Essentials
 * tier or higher").
 */
export function applyWebAuthnConfig(settings: PoolSettings, input: WebAuthnConfigurationType | undefined): WebAuthnConfigurationType | undefined {
  if (input === undefined) return settings.WebAuthnConfiguration;
  if (settings.UserPoolTier === 'LITE') {
    // Message ours.
    throw errors.featureUnavailableInTier('Passkeys (WebAuthnConfiguration) require the ESSENTIALS or PLUS user pool tier.');
  }
  if (input.RelyingPartyId !== undefined) checkRelyingPartyId(input.RelyingPartyId);
  return {
    ...(input.RelyingPartyId !== undefined ? { RelyingPartyId: input.RelyingPartyId } : {}),
    UserVerification: input.UserVerification ?? 'preferred',
    ...(input.FactorConfiguration !== undefined ? { FactorConfiguration: input.FactorConfiguration } : {}),
  };
}

/** GetUserPoolMfaConfig's WebAuthnConfiguration: what SetUserPoolMfaConfig set (UserVerification preferred by default), absent before. */
export function renderWebAuthnConfig(settings: PoolSettings): { WebAuthnConfiguration?: WebAuthnConfigurationType } {
  return settings.WebAuthnConfiguration ? { WebAuthnConfiguration: settings.WebAuthnConfiguration } : {};
}

export const userVerificationOf = (pool: PoolRecord): UserVerification => (pool.settings.WebAuthnConfiguration?.UserVerification ?? 'preferred') as UserVerification;

/**
 * Whether the pool offers passkeys: a tier above LITE, and WEB_AUTHN among the first factors of
 * its sign-in policy (or passkeys configured as an MFA factor).
 */
export function passkeysEnabled(pool: PoolRecord): boolean {
  if (pool.settings.UserPoolTier === 'LITE') return false;
  const first = pool.settings.Policies?.SignInPolicy?.AllowedFirstAuthFactors ?? [];
  return first.includes('WEB_AUTHN') || pool.settings.WebAuthnConfiguration?.FactorConfiguration === 'MULTI_FACTOR_WITH_USER_VERIFICATION';
}

export function checkPasskeysEnabled(pool: PoolRecord): void {
  if (!passkeysEnabled(pool)) {
    // Message ours.
    throw errors.webAuthnNotEnabled(
      pool.settings.UserPoolTier === 'LITE'
        ? 'Passkeys need the ESSENTIALS or PLUS user pool tier.'
        : 'Passkeys are not enabled for this user pool: add WEB_AUTHN to Policies.SignInPolicy.AllowedFirstAuthFactors (UpdateUserPool).',
    );
  }
}

/**
 * The pool's relying party ID: WebAuthnConfiguration.RelyingPartyId, else its custom domain, else
 * its prefix domain as Cognito serves it (`<prefix>.auth.<region>.amazoncognito.com`). undefined
 * when the pool has none of these.
 */
export async function relyingPartyIdOf(store: Store, pool: PoolRecord): Promise<string | undefined> {
  const configured = pool.settings.WebAuthnConfiguration?.RelyingPartyId;
  if (configured) return configured;
  const domains = await store.domains.listForPool(pool.id);
  const custom = domains.find((d) => d.kind === 'custom');
  if (custom) return custom.domain;
  const prefix = domains.find((d) => d.kind === 'prefix');
  return prefix ? `${prefix.domain}.auth.${pool.region}.amazoncognito.com` : undefined;
}

/** The relying party ID, or WebAuthnConfigurationMissingException. */
export async function requireRelyingPartyId(store: Store, pool: PoolRecord, error = errors.webAuthnConfigurationMissing): Promise<string> {
  const rpId = await relyingPartyIdOf(store, pool);
  if (!rpId) {
    // Message ours (the exception's text: "a user pool doesn't have a configured relying party id or a user pool domain").
    throw error(
      'The user pool has no passkey relying party: set WebAuthnConfiguration.RelyingPartyId with SetUserPoolMfaConfig, or give the pool a domain (CreateUserPoolDomain).',
    );
  }
  return rpId;
}

/**
 * Whether a ceremony's origin (clientDataJSON.origin) may use the relying party ID: an https origin
 * whose host is the RP ID or under it (http too for localhost, a secure context in browsers); the
 * origin of this server's hosted pages; the origin of one of the app client's callback URLs.
 */
export function originAllowed(origin: string, rpId: string, publicUrl: string, client: Pick<ClientRecord, 'settings'> | undefined): boolean {
  let url: URL;
  try {
    url = new URL(origin);
  } catch {
    return false;
  }
  if (url.origin !== origin) return false;
  const host = url.hostname;
  const local = host === 'localhost' || host.endsWith('.localhost');
  const aligned = host === rpId || host.endsWith('.' + rpId);
  if (aligned && (url.protocol === 'https:' || (url.protocol === 'http:' && local))) return true;
  if (safeOrigin(publicUrl) === origin) return true;
  return (client?.settings.CallbackURLs ?? []).some((u) => safeOrigin(u) === origin);
}

function safeOrigin(u: string): string | undefined {
  try {
    return new URL(u).origin;
  } catch {
    return undefined;
  }
}

// ---------------------------------------------------------------------------------------------
// Shapes
// ---------------------------------------------------------------------------------------------

const b64url = (b: Uint8Array | Buffer) => Buffer.from(b).toString('base64url');
const sha256 = (s: string | Uint8Array) => createHash('sha256').update(s).digest();
/** The WebAuthn user handle of a user: its sub, as Cognito's user.id (base64url of the sub's text). */
export const userHandleOf = (user: Pick<UserRecord, 'sub'>) => b64url(Buffer.from(user.sub, 'utf8'));

/** ListWebAuthnCredentials' entry. */
export function describeCredential(c: WebAuthnCredentialRecord): Omit<WebAuthnCredentialDescription, 'CreatedAt'> & { CreatedAt: number } {
  return {
    CredentialId: c.credentialId,
    FriendlyCredentialName: c.friendlyName,
    RelyingPartyId: c.rpId,
    ...(c.attachment ? { AuthenticatorAttachment: c.attachment } : {}),
    AuthenticatorTransports: c.transports,
    CreatedAt: c.createdAt / 1000,
  };
}

/** The name a new passkey gets: its provider's, for the well-known ones (by AAGUID), else a generic one. */
const PROVIDERS: Record<string, string> = {
  'ea9b8d66-4d01-1d21-3ce4-b6b48cb575d4': 'Google Password Manager',
  'adce0002-35bc-c60a-648b-0b25f1f05503': 'Chrome on Mac',
  'fbfc3007-154e-4ecc-8c0b-6e020557d7bd': 'iCloud Keychain',
  'dd4ec289-e01d-41c9-bb89-70fa845d4bf2': 'iCloud Keychain (Managed)',
  '08987058-cadc-4b81-b6e1-30de50dcbe96': 'Windows Hello',
  '9ddd1817-af5a-4672-a2b9-3e3dd95000a9': 'Windows Hello',
  '6028b017-b1d4-4c02-b4b3-afcdafc96bb2': 'Windows Hello',
  'bada5566-a7aa-401f-bd96-45619a55120d': '1Password',
  'd548826e-79b4-db40-a3d8-11116f7e8349': 'Bitwarden',
  '531126d6-e717-415c-9320-3d9aa6981239': 'Dashlane',
};

function friendlyName(aaguid: string, attachment: string | null): string {
  return PROVIDERS[aaguid] ?? (attachment === 'cross-platform' ? 'Security key' : 'Passkey');
}

// ---------------------------------------------------------------------------------------------
// Registration
// ---------------------------------------------------------------------------------------------

/**
 * StartWebAuthnRegistration: the CredentialCreationOptions (PublicKeyCredentialCreationOptionsJSON
 * in Cognito's shape: rp, user, challenge, pubKeyCredParams, timeout, excludeCredentials,
 * authenticatorSelection), and the challenge kept for CompleteWebAuthnRegistration: one pending
 * registration per user (a new Start replaces it), bound to the app client, single use, expiring.
 */
export async function startRegistration(
  ctx: { store: Store; now: number },
  pool: PoolRecord,
  clientId: string,
  user: UserRecord,
): Promise<Record<string, unknown>> {
  checkPasskeysEnabled(pool);
  const rpId = await requireRelyingPartyId(ctx.store, pool);
  const existing = await ctx.store.webauthn.list(pool.id, user.usernameKey, undefined, MAX_PASSKEYS_PER_USER + 1);
  if (existing.length >= MAX_PASSKEYS_PER_USER) throw tooMany();
  const challenge = b64url(randomBytes(16));
  await ctx.store.codes.put({
    poolId: pool.id,
    usernameKey: user.usernameKey,
    purpose: REGISTRATION_PURPOSE,
    codeHash: challengeBinding(clientId, challenge),
    expiresAt: ctx.now + REGISTRATION_CHALLENGE_TTL_MS,
    attempts: 0,
    createdAt: ctx.now,
  });
  return {
    rp: { id: rpId, name: rpId },
    user: { id: userHandleOf(user), name: user.username, displayName: user.attributes.name ?? '' },
    challenge,
    pubKeyCredParams: ALGORITHMS.map((alg) => ({ type: 'public-key', alg })),
    timeout: REGISTRATION_TIMEOUT_MS,
    excludeCredentials: existing.map((c) => ({ type: 'public-key', id: c.credentialId })),
    authenticatorSelection: { requireResidentKey: true, residentKey: 'required', userVerification: userVerificationOf(pool) },
  };
}

// Message ours.
const tooMany = () => errors.limitExceeded(`A user can register at most ${MAX_PASSKEYS_PER_USER} passkeys: delete one (DeleteWebAuthnCredential) to add another.`);

/** What the codes table keeps of a registration challenge: the client it was issued to and the challenge's hash. */
const challengeBinding = (clientId: string, challenge: string) => `${clientId}:${sha256(challenge).toString('base64url')}`;

/**
 * CompleteWebAuthnRegistration: checks the RegistrationResponseJSON against the pending challenge
 * (WebAuthnChallengeNotFoundException when there is none, it expired or it is not this one;
 * WebAuthnClientMismatchException when another app client started it), the origin
 * (WebAuthnOriginNotAllowedException), the RP ID (WebAuthnRelyingPartyMismatchException), the
 * attestation and user verification as the pool asks (WebAuthnCredentialNotSupportedException),
 * then stores the credential. The challenge is used up by the attempt, whatever its outcome.
 */
export async function completeRegistration(
  ctx: { store: Store; now: number; publicUrl: string },
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  credential: unknown,
): Promise<WebAuthnCredentialRecord> {
  checkPasskeysEnabled(pool);
  const response = registrationResponse(credential);
  const clientData = clientDataOf(response.response.clientDataJSON, 'webauthn.create');
  const pending = await ctx.store.codes.get(pool.id, user.usernameKey, REGISTRATION_PURPOSE);
  const notFound = () => errors.webAuthnChallengeNotFound('The passkey registration challenge was not found or has expired: call StartWebAuthnRegistration again.');
  if (!pending || pending.expiresAt <= ctx.now) throw notFound();
  const sep = pending.codeHash.lastIndexOf(':');
  const [startedBy, hash] = [pending.codeHash.slice(0, sep), pending.codeHash.slice(sep + 1)];
  if (!sameText(hash, sha256(clientData.challenge).toString('base64url'))) throw notFound();
  if (startedBy !== client.id) {
    // Message ours.
    throw errors.webAuthnClientMismatch('The passkey registration was started by another app client: complete it with an access token of that client.');
  }
  // Single use: the first Complete to delete the challenge proceeds; the others find none.
  if (!(await ctx.store.codes.delete(pool.id, user.usernameKey, REGISTRATION_PURPOSE, pending.codeHash))) throw notFound();

  const rpId = await requireRelyingPartyId(ctx.store, pool);
  if (!originAllowed(clientData.origin, rpId, ctx.publicUrl, client)) throw originRefused(clientData.origin, rpId, errors.webAuthnOriginNotAllowed);
  checkFrame(clientData, rpId, ctx.publicUrl, client, errors.webAuthnOriginNotAllowed);
  let authData: ReturnType<typeof parseAuthenticatorData>;
  try {
    authData = parseAuthenticatorData(decodeAttestationObject(Buffer.from(response.response.attestationObject, 'base64url')).get('authData'));
  } catch {
    throw errors.invalidParameter('The credential response attestationObject is not a WebAuthn attestation object.');
  }
  if (!timingSafeEqual(Buffer.from(authData.rpIdHash), sha256(rpId))) throw rpMismatch(rpId, errors.webAuthnRelyingPartyMismatch);

  const uv = userVerificationOf(pool);
  let verified: Awaited<ReturnType<typeof verifyRegistrationResponse>>;
  try {
    verified = await verifyRegistrationResponse({
      response,
      expectedChallenge: clientData.challenge,
      expectedOrigin: clientData.origin,
      expectedRPID: rpId,
      requireUserVerification: uv === 'required',
    });
  } catch (e) {
    throw registrationError(e);
  }
  if (!verified.verified) throw errors.webAuthnCredentialNotSupported('The passkey attestation could not be verified.');
  const info = verified.registrationInfo;
  const attachment = response.authenticatorAttachment === 'platform' || response.authenticatorAttachment === 'cross-platform' ? response.authenticatorAttachment : null;
  const transports = (response.response.transports ?? []).filter((t) => TRANSPORTS.has(t));
  const record: WebAuthnCredentialRecord = {
    poolId: pool.id,
    usernameKey: user.usernameKey,
    credentialId: info.credential.id,
    publicKey: b64url(info.credential.publicKey),
    signCount: info.credential.counter,
    transports,
    friendlyName: friendlyName(info.aaguid, attachment),
    attachment,
    rpId,
    userVerified: info.userVerified,
    createdAt: ctx.now,
    lastUsedAt: null,
  };
  await ctx.store.transaction(async (tx) => {
    if ((await tx.webauthn.count(pool.id, user.usernameKey)) >= MAX_PASSKEYS_PER_USER) throw tooMany();
    if (!(await tx.webauthn.insert(record))) {
      // Message ours.
      throw errors.invalidParameter('This passkey is already registered in the user pool.');
    }
  });
  return record;
}

function registrationResponse(credential: unknown): RegistrationResponseJSON {
  const c = credential as Partial<RegistrationResponseJSON> | null;
  const r = c?.response as Partial<RegistrationResponseJSON['response']> | undefined;
  if (
    !c ||
    typeof c !== 'object' ||
    typeof c.id !== 'string' ||
    typeof c.rawId !== 'string' ||
    c.type !== 'public-key' ||
    !r ||
    typeof r.clientDataJSON !== 'string' ||
    typeof r.attestationObject !== 'string' ||
    (r.transports !== undefined && !(Array.isArray(r.transports) && r.transports.every((t) => typeof t === 'string')))
  ) {
    // Message ours.
    throw errors.invalidParameter(
      'Credential must be the RegistrationResponseJSON of the passkey (id, rawId, type "public-key", response.clientDataJSON and response.attestationObject).',
    );
  }
  return { clientExtensionResults: {}, ...c } as RegistrationResponseJSON;
}

/** Maps a failed verification of @simplewebauthn/server to Cognito's error. */
function registrationError(e: unknown): CognitoError {
  const text = e instanceof Error ? e.message : String(e);
  if (/user verification|could not be verified/i.test(text)) {
    return errors.webAuthnCredentialNotSupported('The user pool requires user verification, and the authenticator did not verify the user.');
  }
  if (/public key alg|Attestation Format|attestation|certificate/i.test(text)) {
    return errors.webAuthnCredentialNotSupported(`The passkey is not supported: ${text}`);
  }
  return errors.invalidParameter(`The passkey registration response is not valid: ${text}`);
}

// ---------------------------------------------------------------------------------------------
// Sign-in (the WEB_AUTHN factor)
// ---------------------------------------------------------------------------------------------

/**
 * The CREDENTIAL_REQUEST_OPTIONS of a WEB_AUTHN challenge (PublicKeyCredentialRequestOptionsJSON
 * in Cognito's shape and member order) and its challenge. allowCredentials: the user's passkeys
 * registered for the pool's current relying party ID. userVerification: the pool's, unless `uv`
 * says otherwise (required, when the passkey is to count as MFA).
 */
export async function authenticationOptions(store: Store, pool: PoolRecord, user: UserRecord, uv: UserVerification = userVerificationOf(pool)): Promise<{ options: Record<string, unknown>; challenge: string }> {
  const rpId = await requireRelyingPartyId(store, pool, errors.invalidUserPoolConfiguration);
  const creds = await store.webauthn.list(pool.id, user.usernameKey, undefined, MAX_PASSKEYS_PER_USER);
  const allow = creds.filter((c) => c.rpId === rpId).map((c) => ({ id: c.credentialId, ...(c.transports.length ? { transports: c.transports } : {}) }));
  return requestOptions(rpId, allow, uv);
}

/**
 * A new challenge and the PublicKeyCredentialRequestOptionsJSON Cognito hands out with it
 * (CREDENTIAL_REQUEST_OPTIONS), for the credentials allowed: the one shape of the real options and
 * of the simulated ones a name without a passkey is given (src/signin/user-auth.ts).
 */
export function requestOptions(rpId: string, allow: { id: string; transports?: string[] }[], uv: UserVerification): { options: Record<string, unknown>; challenge: string } {
  const challenge = b64url(randomBytes(16));
  return {
    challenge,
    options: {
      hints: [],
      attestation: 'none',
      attestationFormats: [],
      challenge,
      timeout: AUTHENTICATION_TIMEOUT_MS,
      rpId,
      allowCredentials: allow.map((c) => ({ id: c.id, type: 'public-key', ...(c.transports ? { transports: c.transports } : {}) })),
      userVerification: uv,
    },
  };
}

/**
 * Checks the CREDENTIAL answer (an AuthenticationResponseJSON as a JSON string): the credential is
 * one of the user's for the pool's RP ID, the challenge is the one issued, the origin is allowed,
 * the RP ID hash matches, the signature verifies with the stored key, the user was verified when
 * the pool requires it (or `opts.requireUserVerification`: passkey MFA), and the signature counter moved forward (a counter that does not is a
 * cloned authenticator's: refused). Records the new counter and the time of use. RespondToAuthChallenge
 * names no WebAuthn exception: every refusal is NotAuthorizedException, with the reason.
 */
export async function verifyAssertion(
  ctx: { store: Store; now: number; publicUrl: string },
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  challenge: string,
  credential: string | undefined,
  opts: { requireUserVerification?: boolean } = {},
): Promise<WebAuthnCredentialRecord> {
  if (credential === undefined || credential === '') throw errors.invalidParameter('CREDENTIAL is required to answer the WEB_AUTHN challenge.');
  let parsed: unknown;
  try {
    parsed = JSON.parse(credential);
  } catch {
    throw errors.invalidParameter('CREDENTIAL must be the AuthenticationResponseJSON of the passkey, as a JSON string.');
  }
  const response = assertionResponse(parsed);
  const refused = (why: string) => errors.notAuthorized(`The passkey was not accepted: ${why}`);
  const stored = await ctx.store.webauthn.get(pool.id, user.usernameKey, response.id);
  if (!stored) throw refused('it is not registered for this user.');
  const rpId = await requireRelyingPartyId(ctx.store, pool, errors.invalidUserPoolConfiguration);
  if (stored.rpId !== rpId) throw refused(`it was registered for the relying party ${stored.rpId}, and the user pool's is now ${rpId}.`);
  const clientData = clientDataOf(response.response.clientDataJSON, 'webauthn.get');
  if (!sameText(clientData.challenge, challenge)) throw refused('it answers another challenge.');
  if (!originAllowed(clientData.origin, rpId, ctx.publicUrl, client)) throw originRefused(clientData.origin, rpId, errors.notAuthorized);
  checkFrame(clientData, rpId, ctx.publicUrl, client, errors.notAuthorized);
  let authData: ReturnType<typeof parseAuthenticatorData>;
  try {
    authData = parseAuthenticatorData(Buffer.from(response.response.authenticatorData, 'base64url'));
  } catch {
    throw errors.invalidParameter('The credential response authenticatorData is not WebAuthn authenticator data.');
  }
  if (!timingSafeEqual(Buffer.from(authData.rpIdHash), sha256(rpId))) throw rpMismatch(rpId, errors.notAuthorized);
  if (response.response.userHandle && response.response.userHandle !== userHandleOf(user)) throw refused('its user handle is another user’s.');

  let info: Awaited<ReturnType<typeof verifyAuthenticationResponse>>['authenticationInfo'];
  try {
    const v = await verifyAuthenticationResponse({
      response,
      expectedChallenge: challenge,
      expectedOrigin: clientData.origin,
      expectedRPID: rpId,
      credential: {
        id: stored.credentialId,
        publicKey: new Uint8Array(Buffer.from(stored.publicKey, 'base64url')),
        counter: stored.signCount,
        transports: stored.transports as AuthenticatorTransportFuture[],
      },
      requireUserVerification: userVerificationOf(pool) === 'required' || opts.requireUserVerification === true,
    });
    if (!v.verified) throw refused('its signature does not verify.');
    info = v.authenticationInfo;
  } catch (e) {
    if (isCognitoError(e)) throw e;
    const text = e instanceof Error ? e.message : String(e);
    if (/counter/i.test(text)) throw refused('its signature counter did not increase (the authenticator may have been cloned).');
    if (/user verification|could not be verified/i.test(text)) {
      throw refused(
        userVerificationOf(pool) === 'required'
          ? 'the user pool requires user verification, and the authenticator did not verify the user.'
          : 'a passkey that counts as MFA must verify the user (a PIN or biometric: user verification), and the authenticator did not.',
      );
    }
    throw refused(text);
  }
  // The counter only moves forward, once: a replay racing this sign-in finds the counter changed.
  if (!(await ctx.store.webauthn.recordUse(pool.id, user.usernameKey, stored.credentialId, stored.signCount, info.newCounter, ctx.now))) {
    throw refused('it was used by another sign-in at the same time.');
  }
  return { ...stored, signCount: info.newCounter, lastUsedAt: ctx.now };
}

function assertionResponse(c: unknown): AuthenticationResponseJSON {
  const x = c as Partial<AuthenticationResponseJSON> | null;
  const r = x?.response as Partial<AuthenticationResponseJSON['response']> | undefined;
  if (
    !x ||
    typeof x !== 'object' ||
    typeof x.id !== 'string' ||
    typeof x.rawId !== 'string' ||
    x.type !== 'public-key' ||
    !r ||
    typeof r.clientDataJSON !== 'string' ||
    typeof r.authenticatorData !== 'string' ||
    typeof r.signature !== 'string' ||
    (r.userHandle !== undefined && typeof r.userHandle !== 'string')
  ) {
    // Message ours.
    throw errors.invalidParameter(
      'CREDENTIAL must be the AuthenticationResponseJSON of the passkey (id, rawId, type "public-key", response.clientDataJSON, authenticatorData and signature).',
    );
  }
  return { clientExtensionResults: {}, ...x } as AuthenticationResponseJSON;
}

// ---------------------------------------------------------------------------------------------
// Shared checks
// ---------------------------------------------------------------------------------------------

function clientDataOf(encoded: string, type: 'webauthn.create' | 'webauthn.get') {
  let data: { type?: unknown; challenge?: unknown; origin?: unknown; crossOrigin?: unknown; topOrigin?: unknown };
  try {
    data = decodeClientDataJSON(encoded);
  } catch {
    throw errors.invalidParameter('The credential response clientDataJSON is not base64url-encoded JSON.');
  }
  if (data.type !== type || typeof data.challenge !== 'string' || typeof data.origin !== 'string') {
    // Message ours.
    throw errors.invalidParameter(`The credential response clientDataJSON must be of type ${type}, with a challenge and an origin.`);
  }
  return {
    type: data.type,
    challenge: data.challenge,
    origin: data.origin,
    crossOrigin: data.crossOrigin === true,
    ...(typeof data.topOrigin === 'string' ? { topOrigin: data.topOrigin } : {}),
  };
}

/**
 * A ceremony run in a frame that is not same-origin with its ancestors (clientDataJSON crossOrigin
 * true): accepted only when the top-level page (topOrigin) is itself an origin allowed for the
 * relying party, as WebAuthn Level 3 §7.1 / §7.2 ask of the relying party ("Verify that the value of
 * C.topOrigin matches the origin of a page that the Relying Party expects to be sub-framed within").
 * A cross-origin ceremony without topOrigin (a browser of Level 2) is refused: its top page is unknown.
 * Otherwise any site could frame an allowed page and have its user make or use a passkey there.
 */
function checkFrame(
  clientData: { crossOrigin: boolean; topOrigin?: string },
  rpId: string,
  publicUrl: string,
  client: Pick<ClientRecord, 'settings'> | undefined,
  make: (m: string) => CognitoError,
): void {
  if (!clientData.crossOrigin) return;
  if (clientData.topOrigin !== undefined && originAllowed(clientData.topOrigin, rpId, publicUrl, client)) return;
  // Message ours.
  throw make(
    `The passkey ceremony ran in a frame inside ${clientData.topOrigin ?? 'a page of unknown origin'}, which is not allowed for the relying party ${rpId}: ` +
      'run it in a top-level page on an allowed origin.',
  );
}

const originRefused = (origin: string, rpId: string, make: (m: string) => CognitoError) =>
  // Message ours.
  make(`The passkey origin ${origin} is not allowed for the relying party ${rpId}: use a page on ${rpId} (or a subdomain), or one of the app client's callback URL origins.`);

const rpMismatch = (rpId: string, make: (m: string) => CognitoError) =>
  // Message ours.
  make(`The passkey was made for another relying party than the user pool's (${rpId}).`);

function sameText(a: string, b: string): boolean {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
}
