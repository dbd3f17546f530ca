/**
 * App client settings: the rules of the seed documents (shared/seeds) for CreateUserPoolClient and
 * UpdateUserPoolClient. Update is a full replace: buildClientSettings gets the whole request and
 * fills every omitted field with its default, for Create and Update alike.
 *
 * What DescribeUserPoolClient reports for omitted values (docs/decisions.md):
 * - RefreshTokenValidity always (30 when omitted or 0), TokenValidityUnits always, with the default
 *   unit for each token the request left out (Cognito fills them: cognito-local#220);
 * - AccessTokenValidity and IdTokenValidity only when the request set them (their effective
 *   default is one hour either way);
 * - ReadAttributes / WriteAttributes only when customised (the model: "only populates ReadAttributes
 *   in the API response if you have specified your own custom set").
 */
import type {
  CreateUserPoolClientRequest,
  TokenValidityUnitsType,
  UserPoolClientType,
} from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../protocol/errors.js';
import { attributeNames, type PoolSettings } from './pool-settings.js';

export type ClientSettings = Omit<
  UserPoolClientType,
  'UserPoolId' | 'ClientName' | 'ClientId' | 'ClientSecret' | 'LastModifiedDate' | 'CreationDate'
>;

/** The fields both Create and Update carry. */
export type ClientInput = Omit<CreateUserPoolClientRequest, 'GenerateSecret' | 'ClientSecret' | 'ClientName' | 'UserPoolId'>;

type Unit = 'seconds' | 'minutes' | 'hours' | 'days';
const SECONDS: Record<Unit, number> = { seconds: 1, minutes: 60, hours: 3600, days: 86400 };

export const DEFAULT_EXPLICIT_AUTH_FLOWS = ['ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_CUSTOM_AUTH'];
const LEGACY_AUTH_FLOWS = new Set(['ADMIN_NO_SRP_AUTH', 'CUSTOM_AUTH_FLOW_ONLY', 'USER_PASSWORD_AUTH']);
export const STANDARD_SCOPES = new Set(['phone', 'email', 'openid', 'profile', 'aws.cognito.signin.user.admin']);
/** Identity provider names a pool always has. */
const BUILT_IN_PROVIDERS = new Set(['COGNITO']);

export const DEFAULT_VALIDITY = { access: 3600, id: 3600, refresh: 30 * 86400 } as const;
const RANGE = {
  access: [5 * 60, 86400],
  id: [5 * 60, 86400],
  refresh: [60 * 60, 3650 * 86400],
} as const;

export interface PoolContext {
  poolId: string;
  settings: PoolSettings;
  /** Custom scopes of the pool's resource servers (`identifier/name`). */
  customScopes: Set<string>;
  /** Names of the pool's identity providers (besides COGNITO). */
  providers: Set<string>;
  /** Of them, the SAML providers, and those with IDPInit "true" (IdP-initiated sign-in). */
  samlProviders?: Set<string>;
  idpInitiated?: Set<string>;
}

/** Token lifetimes in seconds, as they apply to tokens the client issues. */
export function validitySeconds(s: ClientSettings): { access: number; id: number; refresh: number } {
  const u = s.TokenValidityUnits ?? {};
  return {
    access: s.AccessTokenValidity ? s.AccessTokenValidity * SECONDS[(u.AccessToken ?? 'hours') as Unit] : DEFAULT_VALIDITY.access,
    id: s.IdTokenValidity ? s.IdTokenValidity * SECONDS[(u.IdToken ?? 'hours') as Unit] : DEFAULT_VALIDITY.id,
    refresh: s.RefreshTokenValidity
      ? s.RefreshTokenValidity * SECONDS[(u.RefreshToken ?? 'days') as Unit]
      : DEFAULT_VALIDITY.refresh,
  };
}

const INVALID_RANGE = 'Invalid range for token validity.';

function tokenValidity(input: ClientInput): Pick<ClientSettings, 'AccessTokenValidity' | 'IdTokenValidity' | 'RefreshTokenValidity' | 'TokenValidityUnits'> {
  const given: TokenValidityUnitsType = input.TokenValidityUnits ?? {};
  const units = {
    AccessToken: (given.AccessToken ?? 'hours') as Unit,
    IdToken: (given.IdToken ?? 'hours') as Unit,
    RefreshToken: (given.RefreshToken ?? 'days') as Unit,
  };
  const check = (value: number | undefined, unit: Unit, range: readonly [number, number]) => {
    if (value === undefined) return;
    const s = value * SECONDS[unit];
    if (s < range[0] || s > range[1]) throw errors.invalidParameter(INVALID_RANGE);
  };
  check(input.AccessTokenValidity, units.AccessToken, RANGE.access);
  check(input.IdTokenValidity, units.IdToken, RANGE.id);
  let refresh = input.RefreshTokenValidity;
  if (refresh === undefined || refresh === 0) {
    // "You can't set RefreshTokenValidity to 0. If you do, Amazon Cognito overrides the value with the default value of 30 days."
    refresh = 30;
    units.RefreshToken = 'days';
  } else {
    check(refresh, units.RefreshToken, RANGE.refresh);
  }
  return {
    RefreshTokenValidity: refresh,
    ...(input.AccessTokenValidity !== undefined ? { AccessTokenValidity: input.AccessTokenValidity } : {}),
    ...(input.IdTokenValidity !== undefined ? { IdTokenValidity: input.IdTokenValidity } : {}),
    TokenValidityUnits: units,
  };
}

function explicitAuthFlows(flows: string[] | undefined, pool: PoolContext): string[] {
  if (flows === undefined) return [...DEFAULT_EXPLICIT_AUTH_FLOWS];
  const unique = [...new Set(flows)];
  const legacy = unique.filter((f) => LEGACY_AUTH_FLOWS.has(f));
  const modern = unique.filter((f) => f.startsWith('ALLOW_'));
  if (legacy.length && modern.length) {
    throw errors.invalidParameter(
      `ExplicitAuthFlows cannot combine the legacy values ${legacy.join(', ')} with values that begin with ALLOW_ (${modern.join(', ')}).`,
    );
  }
  if (unique.includes('ALLOW_USER_AUTH') && pool.settings.UserPoolTier === 'LITE') {
    throw errors.featureUnavailableInTier('ALLOW_USER_AUTH requires the ESSENTIALS or PLUS user pool tier.');
  }
  return unique;
}

const LOOPBACK_HTTP = /^http:\/\/(localhost|127\.0\.0\.1|\[::1\])(:\d+)?([/?]|$)/i;

/** Callback and sign-out URLs: absolute, no fragment, https except loopback; app schemes are fine. */
function checkRedirectUrl(url: string, field: string): void {
  let parsed: URL;
  try {
    parsed = new URL(url);
  } catch {
    throw errors.invalidParameter(`${field} must be absolute URLs; '${url}' is not.`);
  }
  if (!/^[a-z][a-z0-9+.-]*:/i.test(url)) throw errors.invalidParameter(`${field} must be absolute URLs; '${url}' is not.`);
  if (url.includes('#')) throw errors.invalidParameter(`${field} cannot include a fragment component; '${url}' does.`);
  const scheme = parsed.protocol.toLowerCase();
  if (scheme === 'http:' && !LOOPBACK_HTTP.test(url)) {
    throw errors.invalidParameter(
      `${field} must use HTTPS, except http://localhost, http://127.0.0.1 and http://[::1]; '${url}' does not.`,
    );
  }
  if (scheme === 'javascript:' || scheme === 'data:' || scheme === 'file:') {
    throw errors.invalidParameter(`${field} cannot use the ${scheme} scheme; '${url}' does.`);
  }
}

function oauth(input: ClientInput, hasSecret: boolean, pool: PoolContext): Partial<ClientSettings> {
  const enabled = input.AllowedOAuthFlowsUserPoolClient ?? false;
  const flows = input.AllowedOAuthFlows?.length ? [...new Set(input.AllowedOAuthFlows)] : undefined;
  const scopes = input.AllowedOAuthScopes?.length ? [...new Set(input.AllowedOAuthScopes)] : undefined;
  const callbacks = input.CallbackURLs?.length ? [...new Set(input.CallbackURLs)] : undefined;
  const logouts = input.LogoutURLs?.length ? [...new Set(input.LogoutURLs)] : undefined;

  for (const u of callbacks ?? []) checkRedirectUrl(u, 'CallbackURLs');
  for (const u of logouts ?? []) checkRedirectUrl(u, 'LogoutURLs');
  if (input.DefaultRedirectURI !== undefined) {
    checkRedirectUrl(input.DefaultRedirectURI, 'DefaultRedirectURI');
    if (!callbacks?.includes(input.DefaultRedirectURI)) {
      throw errors.invalidParameter('DefaultRedirectURI must be one of the CallbackURLs.');
    }
  }
  for (const s of scopes ?? []) {
    if (!STANDARD_SCOPES.has(s) && !pool.customScopes.has(s)) throw errors.scopeDoesNotExist(`Invalid scope requested: ${s}`);
  }
  if (!enabled && (flows || scopes || callbacks || logouts)) {
    throw errors.invalidParameter(
      'AllowedOAuthFlowsUserPoolClient must be true to set AllowedOAuthFlows, AllowedOAuthScopes, CallbackURLs or LogoutURLs.',
    );
  }
  if (enabled && (!flows || !scopes)) {
    throw errors.invalidParameter('AllowedOAuthFlows and AllowedOAuthScopes are required if user pool client is allowed to use OAuth flows.');
  }
  if (flows?.includes('client_credentials')) {
    if (flows.length > 1) {
      throw errors.invalidOAuthFlow('client_credentials flow can not be selected along with code flow or implicit flow.');
    }
    if (!hasSecret) {
      throw errors.invalidOAuthFlow('client_credentials flow can not be selected if client does not have a client secret.');
    }
    const standard = scopes?.find((s) => STANDARD_SCOPES.has(s));
    if (standard) throw errors.invalidOAuthFlow(`${standard} is not supported with client_credentials flow`);
  }
  if ((flows?.includes('code') || flows?.includes('implicit')) && !callbacks) {
    throw errors.invalidOAuthFlow('CallbackUrls can not be empty when code flow or implicit flow is selected');
  }
  return {
    ...(callbacks ? { CallbackURLs: callbacks } : {}),
    ...(logouts ? { LogoutURLs: logouts } : {}),
    ...(input.DefaultRedirectURI !== undefined ? { DefaultRedirectURI: input.DefaultRedirectURI } : {}),
    ...(flows ? { AllowedOAuthFlows: flows } : {}),
    ...(scopes ? { AllowedOAuthScopes: scopes } : {}),
    AllowedOAuthFlowsUserPoolClient: enabled,
  };
}

/** The attributes readable by default: the standard ones with the two verified flags. */
function defaultReadable(pool: PoolContext): Set<string> {
  return new Set([...attributeNames(pool.settings)].filter((n) => !n.startsWith('custom:') && !n.startsWith('dev:')));
}

function attributeList(
  list: string[] | undefined,
  pool: PoolContext,
  kind: 'read' | 'write',
  verb: 'creating' | 'updating',
): string[] | undefined {
  if (list === undefined) return undefined;
  const known = attributeNames(pool.settings);
  const unique = [...new Set(list)];
  for (const name of unique) {
    const bad = !known.has(name) || name.startsWith('dev:') || (kind === 'write' && name === 'sub');
    if (bad) throw errors.invalidParameter(`Invalid ${kind} attributes specified while ${verb} a client`);
  }
  if (kind === 'read') {
    const d = defaultReadable(pool);
    if (unique.length === d.size && unique.every((n) => d.has(n))) return undefined;
  }
  return unique;
}

/**
 * Cognito's guide ("Using IdP-initiated SAML sign-in"): "you can't add non-SAML IdPs, including the
 * user pool itself, to any app client that uses a SAML provider with IdP-initiated sign-in".
 * The message is ours.
 */
export function checkIdpInitiatedAlone(list: string[], pool: Pick<PoolContext, 'samlProviders' | 'idpInitiated'>): void {
  const initiated = list.find((p) => pool.idpInitiated?.has(p));
  if (initiated === undefined) return;
  const other = list.find((p) => !pool.samlProviders?.has(p));
  if (other !== undefined) {
    throw errors.invalidParameter(`The SAML provider ${initiated} allows IdP-initiated sign-in (IDPInit), so an app client that supports it can support only SAML providers, not ${other}.`);
  }
}

/** The full settings of a client from a Create or Update request (omitted fields get defaults). */
export function buildClientSettings(
  input: ClientInput,
  hasSecret: boolean,
  pool: PoolContext,
  verb: 'creating' | 'updating',
): ClientSettings {
  for (const p of input.SupportedIdentityProviders ?? []) {
    if (!BUILT_IN_PROVIDERS.has(p) && !pool.providers.has(p)) {
      throw errors.invalidParameter(`The provider ${p} does not exist for User Pool ${pool.poolId}`);
    }
  }
  checkIdpInitiatedAlone(input.SupportedIdentityProviders ?? [], pool);
  if (input.EnablePropagateAdditionalUserContextData && !hasSecret) {
    throw errors.invalidParameter('EnablePropagateAdditionalUserContextData can only be enabled for clients that have a client secret.');
  }
  const read = attributeList(input.ReadAttributes, pool, 'read', verb);
  const write = attributeList(input.WriteAttributes, pool, 'write', verb);
  const rotation = input.RefreshTokenRotation;
  return {
    ...tokenValidity(input),
    ...(read ? { ReadAttributes: read } : {}),
    ...(write ? { WriteAttributes: write } : {}),
    ExplicitAuthFlows: explicitAuthFlows(input.ExplicitAuthFlows, pool) as ClientSettings['ExplicitAuthFlows'],
    ...(input.SupportedIdentityProviders?.length
      ? { SupportedIdentityProviders: [...new Set(input.SupportedIdentityProviders)] }
      : {}),
    ...oauth(input, hasSecret, pool),
    ...(input.AnalyticsConfiguration ? { AnalyticsConfiguration: analytics(input.AnalyticsConfiguration) } : {}),
    PreventUserExistenceErrors: input.PreventUserExistenceErrors ?? 'LEGACY',
    EnableTokenRevocation: input.EnableTokenRevocation ?? true,
    EnablePropagateAdditionalUserContextData: input.EnablePropagateAdditionalUserContextData ?? false,
    AuthSessionValidity: input.AuthSessionValidity ?? 3,
    ...(rotation
      ? { RefreshTokenRotation: { Feature: rotation.Feature, RetryGracePeriodSeconds: rotation.RetryGracePeriodSeconds ?? 0 } }
      : {}),
  };
}

function analytics(a: NonNullable<ClientInput['AnalyticsConfiguration']>) {
  if (!a.ApplicationId && !a.ApplicationArn) {
    throw errors.invalidParameter('AnalyticsConfiguration needs an ApplicationId or an ApplicationArn.');
  }
  if (a.ApplicationId && !a.ApplicationArn && (!a.RoleArn || !a.ExternalId)) {
    throw errors.invalidParameter('AnalyticsConfiguration with an ApplicationId needs RoleArn and ExternalId.');
  }
  return a;
}

/** PreventUserExistenceErrors: an unknown user is answered like a wrong password or code. */
export const hidesUsers = (client: { settings: ClientSettings }): boolean => client.settings.PreventUserExistenceErrors === 'ENABLED';
