/**
 * Identity providers (federation, issue 16): what CreateIdentityProvider / UpdateIdentityProvider
 * accept for each ProviderType, what Describe shows (the discovered or well-known endpoints), the
 * social providers' endpoints (or their stand-ins: --federation-endpoints), and the secrets at rest.
 *
 * Keys per type (the SDK's CreateIdentityProviderRequest.ProviderDetails text):
 *   OIDC             client_id, client_secret, authorize_scopes (with openid), attributes_request_method
 *                    (GET|POST), oidc_issuer; authorize_url, token_url, attributes_url, jwks_uri when
 *                    discovery (oidc_issuer/.well-known/openid-configuration) does not give them
 *   SAML             MetadataURL or MetadataFile; IDPSignout, IDPInit, EncryptedResponses (true|false),
 *                    RequestSigningAlgorithm (rsa-sha256)
 *   Google, LoginWithAmazon   client_id, client_secret, authorize_scopes
 *   Facebook         client_id, client_secret, authorize_scopes, api_version
 *   SignInWithApple  client_id, team_id, key_id, private_key, authorize_scopes
 */
import { X509Certificate } from 'node:crypto';
import net from 'node:net';
import { errors } from '../protocol/errors.js';
import { parseFederationEndpoints } from '../config.js';
import type { IdentityProviderRecord, IdentityProviderType } from '../store/types.js';
import type { Secrets } from './secrets.js';
import { parseIdpMetadata } from './saml-metadata.js';
import { attributeNames, type PoolSettings } from './pool-settings.js';

export const SOCIAL_TYPES = ['Google', 'Facebook', 'SignInWithApple', 'LoginWithAmazon'] as const;
export type SocialType = (typeof SOCIAL_TYPES)[number];
export const isSocial = (t: string): t is SocialType => (SOCIAL_TYPES as readonly string[]).includes(t);

/** Names no OIDC or SAML provider may take: the built-in provider and the social providers' names. */
const RESERVED = new Set(['cognito', ...SOCIAL_TYPES.map((t) => t.toLowerCase())]);

/** Cognito's quota: 300 identity providers per pool (shared/reference/performance.md). */
export const MAX_PROVIDERS_PER_POOL = 300;

/** The attribute a provider's user is matched on when linking (AdminLinkProviderForUser). */
export const SUBJECT_ATTRIBUTE = 'Cognito_Subject';

const SECRET_KEYS = ['client_secret', 'private_key'];
const sealContext = (poolId: string, name: string, key: string) => `idp:${poolId}:${name}:${key}`;

const ALLOWED_KEYS: Record<IdentityProviderType, string[]> = {
  OIDC: ['client_id', 'client_secret', 'authorize_scopes', 'attributes_request_method', 'oidc_issuer', 'authorize_url', 'token_url', 'attributes_url', 'jwks_uri', 'attributes_url_add_attributes'],
  SAML: ['MetadataURL', 'MetadataFile', 'IDPSignout', 'IDPInit', 'EncryptedResponses', 'RequestSigningAlgorithm'],
  Google: ['client_id', 'client_secret', 'authorize_scopes'],
  LoginWithAmazon: ['client_id', 'client_secret', 'authorize_scopes'],
  Facebook: ['client_id', 'client_secret', 'authorize_scopes', 'api_version'],
  SignInWithApple: ['client_id', 'team_id', 'key_id', 'private_key', 'authorize_scopes'],
};

const REQUIRED_KEYS: Record<IdentityProviderType, string[]> = {
  OIDC: ['client_id', 'authorize_scopes', 'attributes_request_method', 'oidc_issuer'],
  SAML: [],
  Google: ['client_id', 'client_secret', 'authorize_scopes'],
  LoginWithAmazon: ['client_id', 'client_secret', 'authorize_scopes'],
  Facebook: ['client_id', 'client_secret', 'authorize_scopes'],
  SignInWithApple: ['client_id', 'team_id', 'key_id', 'private_key', 'authorize_scopes'],
};

/** The keys Describe computes and shows, never stored from a request (refused in one, except OIDC's endpoints). */
export const COMPUTED_KEYS = new Set(['attributes_url_add_attributes', 'token_request_method', 'ActiveEncryptionCertificate', 'SSORedirectBindingURI', 'SLORedirectBindingURI']);

/** The default AttributeMapping Cognito gives a provider: its user's id is the username. */
export function defaultMapping(type: IdentityProviderType): Record<string, string> {
  switch (type) {
    case 'OIDC':
    case 'Google':
    case 'SignInWithApple':
      return { username: 'sub' };
    case 'Facebook':
      return { username: 'id' };
    case 'LoginWithAmazon':
      return { username: 'user_id' };
    case 'SAML':
      return {};
  }
}

/** A provider name a request gives: social ones must be named as their type, others must not take a reserved name. */
export function checkProviderName(name: string, type: IdentityProviderType): void {
  if (isSocial(type)) {
    if (name !== type) throw errors.invalidParameter(`The ProviderName of a ${type} identity provider must be ${type}.`);
    return;
  }
  if (RESERVED.has(name.toLowerCase())) {
    throw errors.invalidParameter(`The provider name ${name} is reserved: choose another name for a ${type} identity provider.`);
  }
}

const bool = (key: string, v: string | undefined) => {
  if (v !== undefined && v !== 'true' && v !== 'false') throw errors.invalidParameter(`ProviderDetails ${key} must be "true" or "false", not ${JSON.stringify(v)}.`);
};

/** An http(s) URL; plain http only to this machine (a provider run next to incognito, in tests). */
export function checkUrl(key: string, v: string): URL {
  let u: URL;
  try {
    u = new URL(v);
  } catch {
    throw errors.invalidParameter(`ProviderDetails ${key} must be a URL, not ${JSON.stringify(v)}.`);
  }
  const loopback = u.hostname === 'localhost' || (net.isIP(u.hostname.replace(/^\[|\]$/g, '')) !== 0 && /^(127\.|::1$|\[::1\]$)/.test(u.hostname));
  if (u.protocol !== 'https:' && !(u.protocol === 'http:' && loopback)) {
    throw errors.invalidParameter(`ProviderDetails ${key} must be an https URL (plain http only on this machine).`);
  }
  return u;
}

/** Social providers' real endpoints. Facebook's depend on the api_version. */
function socialEndpoints(type: SocialType, details: Record<string, string>): Record<string, string> {
  switch (type) {
    case 'Google':
      return {
        attributes_url: 'https://people.googleapis.com/v1/people/me?personFields=',
        attributes_url_add_attributes: 'true',
        authorize_url: 'https://accounts.google.com/o/oauth2/v2/auth',
        oidc_issuer: 'https://accounts.google.com',
        token_request_method: 'POST',
        token_url: 'https://www.googleapis.com/oauth2/v4/token',
      };
    case 'Facebook': {
      const v = details.api_version ?? 'v17.0';
      return {
        api_version: v,
        attributes_url: `https://graph.facebook.com/${v}/me?fields=`,
        attributes_url_add_attributes: 'true',
        authorize_url: `https://www.facebook.com/${v}/dialog/oauth`,
        token_request_method: 'GET',
        token_url: `https://graph.facebook.com/${v}/oauth/access_token`,
      };
    }
    case 'SignInWithApple':
      return {
        attributes_url_add_attributes: 'false',
        authorize_url: 'https://appleid.apple.com/auth/authorize',
        oidc_issuer: 'https://appleid.apple.com',
        token_request_method: 'POST',
        token_url: 'https://appleid.apple.com/auth/token',
      };
    case 'LoginWithAmazon':
      return {
        attributes_url: 'https://api.amazon.com/user/profile',
        attributes_url_add_attributes: 'false',
        authorize_url: 'https://www.amazon.com/ap/oa',
        token_request_method: 'POST',
        token_url: 'https://api.amazon.com/auth/o2/token',
      };
  }
}

/** The JWKS of social providers that sign ID tokens (not in Describe: used at sign-in). */
const SOCIAL_JWKS: Partial<Record<SocialType, string>> = {
  Google: 'https://www.googleapis.com/oauth2/v3/certs',
  SignInWithApple: 'https://appleid.apple.com/auth/keys',
};

/** A URL moved onto a stand-in base (its path and query kept). */
function rebase(url: string, base: string): string {
  const u = new URL(url);
  return base + u.pathname.replace(/\/$/, '') + u.search;
}

/**
 * The endpoints a sign-in with the provider uses: authorize, token, attributes (userinfo), jwks,
 * and the issuer to expect; a social provider's moved onto its stand-in base when configured.
 */
export interface ProviderEndpoints {
  authorizeUrl: string;
  tokenUrl: string;
  attributesUrl?: string;
  jwksUri?: string;
  issuer?: string;
  attributesRequestMethod: 'GET' | 'POST';
  tokenRequestMethod: 'GET' | 'POST';
}

export function providerEndpoints(p: IdentityProviderRecord, federationEndpoints: string | undefined): ProviderEndpoints {
  const d = p.type === 'OIDC' ? p.details : { ...p.details, ...socialEndpoints(p.type as SocialType, p.details) };
  const jwks = p.type === 'OIDC' ? d.jwks_uri : SOCIAL_JWKS[p.type as SocialType];
  let e: ProviderEndpoints = {
    authorizeUrl: d.authorize_url!,
    tokenUrl: d.token_url!,
    ...(d.attributes_url ? { attributesUrl: d.attributes_url } : {}),
    ...(jwks ? { jwksUri: jwks } : {}),
    ...(d.oidc_issuer ? { issuer: d.oidc_issuer } : {}),
    attributesRequestMethod: d.attributes_request_method === 'POST' ? 'POST' : 'GET',
    tokenRequestMethod: d.token_request_method === 'GET' ? 'GET' : 'POST',
  };
  const base = isSocial(p.type) && federationEndpoints ? parseFederationEndpoints(federationEndpoints).get(p.type) : undefined;
  if (base) {
    e = {
      ...e,
      authorizeUrl: rebase(e.authorizeUrl, base),
      tokenUrl: rebase(e.tokenUrl, base),
      ...(e.attributesUrl ? { attributesUrl: rebase(e.attributesUrl, base) } : {}),
      ...(e.jwksUri ? { jwksUri: rebase(e.jwksUri, base) } : {}),
      ...(e.issuer ? { issuer: base } : {}),
    };
  }
  return e;
}

/** Fetches a JSON document with a time limit; undefined when it cannot be had. */
async function fetchJson(url: string): Promise<Record<string, unknown> | undefined> {
  try {
    const r = await fetch(url, { signal: AbortSignal.timeout(5000), headers: { accept: 'application/json' } });
    if (!r.ok) return undefined;
    const body = (await r.json()) as unknown;
    return body && typeof body === 'object' ? (body as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/** OIDC: the four endpoints, from the request or else the issuer's discovery document. */
async function discoverOidc(d: Record<string, string>): Promise<Record<string, string>> {
  const issuer = d.oidc_issuer!;
  checkUrl('oidc_issuer', issuer);
  const keys = ['authorize_url', 'token_url', 'attributes_url', 'jwks_uri'] as const;
  const out = { ...d };
  if (keys.some((k) => !d[k])) {
    const doc = await fetchJson(`${issuer.replace(/\/$/, '')}/.well-known/openid-configuration`);
    if (!doc) {
      throw errors.invalidParameter(
        `Unable to contact the OIDC discovery endpoint ${issuer.replace(/\/$/, '')}/.well-known/openid-configuration: give authorize_url, token_url, attributes_url and jwks_uri, or an oidc_issuer that serves it.`,
      );
    }
    // Exactly, a trailing slash included: the ID tokens' iss is compared with oidc_issuer as a
    // string (OIDC Core 3.1.3.7), so a provider taken here with another issuer could never sign in.
    if (typeof doc.issuer === 'string' && doc.issuer !== issuer) {
      throw errors.invalidParameter(`The discovery document of ${issuer} names the issuer ${doc.issuer}: set oidc_issuer to ${doc.issuer} exactly (the ID tokens' iss must match it, a trailing slash included).`);
    }
    const found: Record<string, unknown> = { authorize_url: doc.authorization_endpoint, token_url: doc.token_endpoint, attributes_url: doc.userinfo_endpoint, jwks_uri: doc.jwks_uri };
    for (const k of keys) if (!out[k] && typeof found[k] === 'string') out[k] = found[k] as string;
  }
  for (const k of keys) {
    if (!out[k]) throw errors.invalidParameter(`ProviderDetails ${k} is missing and the issuer's discovery document does not give it.`);
    checkUrl(k, out[k]);
  }
  return out;
}

/** SAML metadata: the IdP's single sign-on and logout redirect URLs, or an error saying what is wrong. */
export function samlMetadataEndpoints(xml: string): { sso: string; slo?: string } {
  if (!/<(\w+:)?EntityDescriptor[\s>]/.test(xml) || !/<(\w+:)?IDPSSODescriptor[\s>]/.test(xml)) {
    throw errors.invalidParameter('The SAML metadata is not an identity provider EntityDescriptor (an IDPSSODescriptor is needed).');
  }
  const binding = (el: string) => {
    const re = new RegExp(`<(?:\\w+:)?${el}\\b[^>]*>`, 'g');
    for (const m of xml.match(re) ?? []) {
      if (/Binding="urn:oasis:names:tc:SAML:2\.0:bindings:HTTP-Redirect"/.test(m)) return /Location="([^"]+)"/.exec(m)?.[1];
    }
    return undefined;
  };
  const sso = binding('SingleSignOnService');
  // Cognito refuses such metadata at Create with this message (ssoready/dummyidp#10, a Cognito
  // console error for metadata with an HTTP-POST SingleSignOnService only): the AuthnRequest goes by redirect.
  if (!sso) throw errors.invalidParameter('No SingleSignOn Http redirect binding location found in metadata.');
  const slo = binding('SingleLogoutService');
  return { sso, ...(slo ? { slo } : {}) };
}

/**
 * The metadata's signing certificates, as Cognito's "Things to know about SAML IdPs" states them:
 * each at most 4,096 characters, and not expired when the provider is configured (one that is
 * valid now is enough: metadata in a key rollover lists the old certificate beside the new one).
 * Metadata without a certificate is refused too: no response of the IdP could ever be verified
 * (found by the acceptance pass: it was taken, and every sign-in failed later).
 */
function checkSigningCertificates(certs: string[], now: number): void {
  if (!certs.length) throw errors.invalidParameter('The SAML metadata has no signing certificate (an X509Certificate in a KeyDescriptor of the IDPSSODescriptor): no response of the IdP could be verified.');
  let valid = false;
  for (const c of certs) {
    if (c.length > 4096) throw errors.invalidParameter('A signing certificate of the SAML metadata is longer than 4096 characters.');
    let cert: X509Certificate;
    try {
      cert = new X509Certificate(Buffer.from(c, 'base64'));
    } catch {
      throw errors.invalidParameter('A signing certificate of the SAML metadata is not an X.509 certificate (base64 DER).');
    }
    if (now <= Date.parse(cert.validTo)) valid = true;
  }
  // Cognito's message (hashicorp/terraform-provider-aws#36912: "InvalidParameterException: Signing certificates are expired").
  if (!valid) throw errors.invalidParameter('Signing certificates are expired');
}

/**
 * ProviderDetails of a Create or Update request checked for the type, and completed: the OIDC
 * endpoints discovered, the SAML metadata fetched. Returns what is stored (secrets still plain).
 */
export async function checkDetails(type: IdentityProviderType, given: Record<string, string>, now: number): Promise<Record<string, string>> {
  const allowed = new Set(ALLOWED_KEYS[type]);
  for (const k of Object.keys(given)) {
    if (!allowed.has(k) || (COMPUTED_KEYS.has(k) && type !== 'OIDC')) {
      throw errors.invalidParameter(`ProviderDetails of a ${type} identity provider do not take ${k} (they take ${ALLOWED_KEYS[type].join(', ')}).`);
    }
  }
  for (const k of REQUIRED_KEYS[type]) {
    if (!given[k]?.trim()) throw errors.invalidParameter(`ProviderDetails of a ${type} identity provider need ${k}.`);
  }
  const d = { ...given };
  delete d.attributes_url_add_attributes;
  switch (type) {
    case 'OIDC': {
      if (d.attributes_request_method !== 'GET' && d.attributes_request_method !== 'POST') {
        throw errors.invalidParameter('ProviderDetails attributes_request_method must be GET or POST.');
      }
      if (!d.authorize_scopes!.split(/\s+/).includes('openid')) throw errors.invalidParameter('ProviderDetails authorize_scopes of an OIDC provider must include openid.');
      return discoverOidc(d);
    }
    case 'SAML': {
      if ((d.MetadataURL === undefined) === (d.MetadataFile === undefined)) {
        throw errors.invalidParameter('ProviderDetails of a SAML identity provider need MetadataURL or MetadataFile (one of them).');
      }
      bool('IDPSignout', d.IDPSignout);
      bool('IDPInit', d.IDPInit);
      bool('EncryptedResponses', d.EncryptedResponses);
      if (d.RequestSigningAlgorithm !== undefined && d.RequestSigningAlgorithm !== 'rsa-sha256') {
        throw errors.invalidParameter('ProviderDetails RequestSigningAlgorithm must be rsa-sha256.');
      }
      let xml: string | undefined = d.MetadataFile;
      if (d.MetadataURL !== undefined) {
        checkUrl('MetadataURL', d.MetadataURL);
        try {
          const r = await fetch(d.MetadataURL, { signal: AbortSignal.timeout(5000) });
          xml = r.ok ? await r.text() : undefined;
        } catch {
          xml = undefined;
        }
        if (xml === undefined) throw errors.invalidParameter(`Could not retrieve the SAML metadata from ${d.MetadataURL}.`);
      }
      const e = samlMetadataEndpoints(xml!);
      checkSigningCertificates(parseIdpMetadata(xml!).certs, now);
      if (e.sso) d.SSORedirectBindingURI = e.sso;
      if (e.slo) d.SLORedirectBindingURI = e.slo;
      return d;
    }
    case 'Facebook':
      if (d.api_version !== undefined && !/^v\d+\.\d+$/.test(d.api_version)) throw errors.invalidParameter('ProviderDetails api_version must look like v17.0.');
      return d;
    case 'SignInWithApple': {
      const bad = d.authorize_scopes!.split(/\s+/).filter((s) => s && s !== 'email' && s !== 'name');
      if (bad.length) throw errors.invalidParameter(`Sign in with Apple takes the scopes email and name only, not ${bad.join(', ')}.`);
      return d;
    }
    default:
      return d;
  }
}

/** The details with their secrets sealed, for the store. */
export function sealDetails(secrets: Secrets, poolId: string, name: string, d: Record<string, string>): Record<string, string> {
  const out = { ...d };
  for (const k of SECRET_KEYS) if (out[k] !== undefined) out[k] = secrets.seal(out[k]!, sealContext(poolId, name, k));
  return out;
}

/** The details with their secrets opened. */
export function openDetails(secrets: Secrets, p: IdentityProviderRecord): Record<string, string> {
  const out = { ...p.details };
  for (const k of SECRET_KEYS) if (out[k] !== undefined) out[k] = secrets.open(out[k]!, sealContext(p.poolId, p.name, k)).toString('utf8');
  return out;
}

/** ProviderDetails as Describe shows them: the computed endpoints added; Apple's private key never shown. */
export function describeDetails(p: IdentityProviderRecord, opened: Record<string, string>, extra: { encryptionCertificate?: string } = {}): Record<string, string> {
  if (p.type === 'OIDC') return { ...opened, attributes_url_add_attributes: 'false' };
  if (p.type === 'SAML') {
    const out: Record<string, string> = { ...opened };
    if (opened.EncryptedResponses === 'true' && extra.encryptionCertificate) out.ActiveEncryptionCertificate = extra.encryptionCertificate;
    return out;
  }
  const out = { ...opened, ...socialEndpoints(p.type as SocialType, opened) };
  delete out.private_key;
  return out;
}

/**
 * AttributeMapping of a request: each key an attribute of the pool (standard or custom) or
 * `username`; never `sub` or `identities` (Cognito sets them), never an immutable custom attribute
 * (it would change on every sign-in). Provider attribute names are free text (the model's length).
 */
export function checkMapping(mapping: Record<string, string>, settings: PoolSettings): Record<string, string> {
  const known = attributeNames(settings);
  const schema = new Map((settings.SchemaAttributes ?? []).map((a) => [a.Name!, a]));
  for (const [attr, from] of Object.entries(mapping)) {
    if (attr === 'username') continue;
    if (attr === 'sub' || attr === 'identities' || !known.has(attr) || attr.startsWith('dev:')) {
      throw errors.invalidParameter(`The attribute ${attr} cannot be mapped: map provider attributes to the user pool's attributes (or username).`);
    }
    if (attr.startsWith('custom:') && schema.get(attr)?.Mutable === false) {
      throw errors.invalidParameter(`The attribute ${attr} is immutable: a mapped attribute is written on every sign-in, so it must be mutable.`);
    }
    if (!from) throw errors.invalidParameter(`The mapping of ${attr} names no provider attribute.`);
  }
  return mapping;
}

/** One entry of the `identities` attribute, as Cognito writes it (strings, issuer null). */
export interface IdentityEntry {
  userId: string;
  providerName: string;
  providerType: string;
  issuer: null;
  primary: string;
  dateCreated: string;
}

/** The user's `identities` attribute read back (an absent or unreadable one is no identity). */
export function identitiesOf(attributes: Record<string, string>): IdentityEntry[] {
  if (!attributes.identities) return [];
  try {
    const v = JSON.parse(attributes.identities) as unknown;
    return Array.isArray(v) ? (v as IdentityEntry[]) : [];
  } catch {
    return [];
  }
}

/** The attributes with the identity added (or replaced, same provider and user id). */
export function withIdentity(attributes: Record<string, string>, e: IdentityEntry): Record<string, string> {
  const list = identitiesOf(attributes).filter((x) => !(x.providerName === e.providerName && x.userId === e.userId));
  return { ...attributes, identities: JSON.stringify([...list, e]) };
}

/** The attributes without the provider's identity of that user id (without the attribute when none is left). */
export function withoutIdentity(attributes: Record<string, string>, providerName: string, userId: string): Record<string, string> {
  const list = identitiesOf(attributes).filter((x) => !(x.providerName === providerName && x.userId === userId));
  const out = { ...attributes };
  if (list.length) out.identities = JSON.stringify(list);
  else delete out.identities;
  return out;
}
