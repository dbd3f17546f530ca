/**
 * PreTokenGeneration: the event (V1_0, V2_0, V3_0), and what its answer changes in the tokens
 * mintTokens / mintClientToken sign. The claims no answer can add, change or suppress are listed
 * in PROTECTED (docs/decisions.md, "Lambda triggers"); an attempt is ignored, as Cognito ignores it.
 */
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { errors } from '../protocol/errors.js';
import { configured, runTrigger, userAttributes } from './catalog.js';

export type TokenGenerationSource =
  | 'TokenGeneration_Authentication'
  | 'TokenGeneration_HostedAuth'
  | 'TokenGeneration_NewPasswordChallenge'
  | 'TokenGeneration_AuthenticateDevice'
  | 'TokenGeneration_RefreshTokens'
  | 'TokenGeneration_ClientCredentials';

/**
 * Claims Cognito sets itself: the time and identity claims of the JWT and Cognito's own (the
 * "Excluded claims" of the "Pre token generation Lambda trigger" page, plus what this server adds:
 * event_id, device_key, version). `cognito:` claims other than through groupOverrideDetails too.
 */
export const PROTECTED = new Set([
  'acr', 'amr', 'at_hash', 'aud', 'auth_time', 'azp', 'client_id', 'device_key', 'event_id', 'exp', 'iat', 'identities',
  'iss', 'jti', 'nbf', 'nonce', 'origin_jti', 'scope', 'sub', 'token_use', 'username', 'version',
]);

export function isProtected(claim: string): boolean {
  return PROTECTED.has(claim) || claim.startsWith('cognito:');
}

interface ClaimChanges {
  add: Record<string, unknown>;
  suppress: string[];
}

export interface TokenOverrides {
  id?: ClaimChanges;
  access?: ClaimChanges & { scopesToAdd: string[]; scopesToSuppress: string[] };
  groups?: { groupsToOverride?: string[]; iamRolesToOverride?: string[]; preferredRole?: string | null };
}

const obj = (v: unknown): Record<string, unknown> | undefined => (v && typeof v === 'object' && !Array.isArray(v) ? (v as Record<string, unknown>) : undefined);
const strings = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

function claimChanges(v: unknown): ClaimChanges | undefined {
  const o = obj(v);
  if (!o) return undefined;
  return { add: obj(o.claimsToAddOrOverride) ?? {}, suppress: strings(o.claimsToSuppress) };
}

/**
 * V1_0's claimsToAddOrOverride, a map of strings in Cognito (Map<String, String>, read with
 * Jackson): a number or boolean becomes its text (Jackson's String deserializer takes any scalar),
 * null leaves the claim out, an object or a list cannot be read: InvalidLambdaResponseException
 * "Unrecognizable lambda output" (docs/decisions.md, "PreTokenGeneration V1: claim values").
 */
export function v1Claims(add: Record<string, unknown>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(add)) {
    if (v === null || v === undefined) continue;
    if (typeof v === 'string') out[k] = v;
    else if (typeof v === 'number' || typeof v === 'boolean') out[k] = String(v);
    else throw errors.invalidLambdaResponse('Unrecognizable lambda output');
  }
  return out;
}

function groupChanges(v: unknown): TokenOverrides['groups'] {
  const o = obj(v);
  if (!o) return undefined;
  return {
    ...(Array.isArray(o.groupsToOverride) ? { groupsToOverride: strings(o.groupsToOverride) } : {}),
    ...(Array.isArray(o.iamRolesToOverride) ? { iamRolesToOverride: strings(o.iamRolesToOverride) } : {}),
    ...('preferredRole' in o ? { preferredRole: typeof o.preferredRole === 'string' ? o.preferredRole : null } : {}),
  };
}

/**
 * Runs the pool's PreTokenGeneration function, if any, and returns what to change. `groups` is
 * what the tokens would carry (request.groupConfiguration); `scopes` the access token's scopes.
 */
export async function preTokenGeneration(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord | undefined,
  source: TokenGenerationSource,
  groups: Record<string, unknown>,
  scopes: string[],
): Promise<TokenOverrides | undefined> {
  const c = configured(pool, 'PreTokenGeneration');
  if (!c) return undefined;
  // Client credentials run only a V3_0 function (V1/V2 apply to users' tokens).
  if (source === 'TokenGeneration_ClientCredentials' && c.version !== '3') return undefined;
  const response = await runTrigger(ctx, pool, 'PreTokenGeneration', source, {
    ...(user ? { userName: user.username } : {}),
    clientId: client.id,
    request: {
      userAttributes: user ? userAttributes(user, true) : {},
      groupConfiguration: {
        groupsToOverride: (groups['cognito:groups'] as string[] | undefined) ?? [],
        iamRolesToOverride: (groups['cognito:roles'] as string[] | undefined) ?? [],
        ...(groups['cognito:preferred_role'] ? { preferredRole: groups['cognito:preferred_role'] } : {}),
      },
      ...(c.version !== '1' ? { scopes } : {}),
      ...(ctx.clientMetadata ? { clientMetadata: ctx.clientMetadata } : {}),
    },
  });
  if (!response) return undefined;
  if (c.version === '1') {
    const d = obj(response.claimsOverrideDetails);
    if (!d) return undefined;
    const id = claimChanges(d);
    if (id) id.add = v1Claims(id.add);
    const g = groupChanges(d.groupOverrideDetails);
    return { ...(id ? { id } : {}), ...(g ? { groups: g } : {}) };
  }
  const d = obj(response.claimsAndScopeOverrideDetails);
  if (!d) return undefined;
  const id = claimChanges(d.idTokenGeneration);
  const a = obj(d.accessTokenGeneration);
  const g = groupChanges(d.groupOverrideDetails);
  return {
    ...(id ? { id } : {}),
    ...(a ? { access: { ...claimChanges(a)!, scopesToAdd: strings(a.scopesToAdd), scopesToSuppress: strings(a.scopesToSuppress) } } : {}),
    ...(g ? { groups: g } : {}),
  };
}

/** The claims of one token with the function's changes applied (protected claims untouched). */
export function applyClaims(claims: Record<string, unknown>, changes: ClaimChanges | undefined): void {
  if (!changes) return;
  for (const name of changes.suppress) if (!isProtected(name)) delete claims[name];
  for (const [name, value] of Object.entries(changes.add)) if (!isProtected(name) && value !== undefined) claims[name] = value;
}

/** groupOverrideDetails: cognito:groups (both tokens), cognito:roles and cognito:preferred_role (ID token). */
export function applyGroups(claims: Record<string, unknown>, g: TokenOverrides['groups'], token: 'id' | 'access'): void {
  if (!g) return;
  if (g.groupsToOverride) {
    if (g.groupsToOverride.length) claims['cognito:groups'] = g.groupsToOverride;
    else delete claims['cognito:groups'];
  }
  if (token === 'access') return;
  if (g.iamRolesToOverride) {
    if (g.iamRolesToOverride.length) claims['cognito:roles'] = g.iamRolesToOverride;
    else delete claims['cognito:roles'];
  }
  if (g.preferredRole !== undefined) {
    if (g.preferredRole) claims['cognito:preferred_role'] = g.preferredRole;
    else delete claims['cognito:preferred_role'];
  }
}

/** The access token's scopes after scopesToSuppress, then scopesToAdd. */
export function applyScopes(scopes: string[], o: TokenOverrides | undefined): string[] {
  if (!o?.access) return scopes;
  const out = scopes.filter((s) => !o.access!.scopesToSuppress.includes(s));
  for (const s of o.access.scopesToAdd) if (!out.includes(s)) out.push(s);
  return out;
}
