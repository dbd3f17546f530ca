/**
 * Seed files: what they hold and how they are read. A seed file is YAML or JSON:
 *
 *   pools:
 *     - Id: us-east-1_example          # optional: the pool's id, fixed (else the pool is found by PoolName)
 *       PoolName: example              # ...and every other member of CreateUserPool's input
 *       MfaConfig: {...}               # optional: SetUserPoolMfaConfig's input, less UserPoolId
 *       resourceServers: [...]         # CreateResourceServer's input, less UserPoolId
 *       identityProviders: [...]       # CreateIdentityProvider's input, less UserPoolId
 *       clients: [...]                 # CreateUserPoolClient's input, less UserPoolId, plus ClientId
 *       domains: [...]                 # CreateUserPoolDomain's input, less UserPoolId
 *       groups: [...]                  # CreateGroup's input, less UserPoolId
 *       users: [...]                   # SeedUser below
 *
 * Collections are lower-case (they are incognito's), members of Cognito's inputs keep Cognito's
 * spelling. See README "Seed files and export" and docs/decisions.md.
 */
import { parse as parseYaml, YAMLParseError } from 'yaml';
import type {
  CreateGroupRequest,
  CreateIdentityProviderRequest,
  CreateResourceServerRequest,
  CreateUserPoolClientRequest,
  CreateUserPoolDomainRequest,
  CreateUserPoolRequest,
  SetUserPoolMfaConfigRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import type { MfaPreferenceInput } from '../domain/mfa.js';
import { StartupError } from '../startup-error.js';
import { shapes } from '../protocol/model.generated.js';

type Without<T, K extends keyof T> = Omit<T, K>;

/** The password material `incognito export --with-secrets` writes; only seed files take it, never the API. */
export interface SeedPasswordHash {
  /** The argon2id PHC string of the password. */
  Hash: string;
  /** The SRP salt and verifier (hex) of the password, for USER_SRP_AUTH; bound to the pool id and username. */
  SrpSalt: string;
  SrpVerifier: string;
  /** A temporary password (the user is FORCE_CHANGE_PASSWORD). */
  Temporary?: boolean;
}

export interface SeedUser {
  Username: string;
  /** The user's sub, fixed (a UUID); at creation; another for an existing user is an error. Default: a new one. */
  Sub?: string;
  /** Attribute name → value (as strings). */
  Attributes?: Record<string, string>;
  /** AdminCreateUser's list form of the attributes; merged with Attributes. */
  UserAttributes?: { Name: string; Value?: string }[];
  /** A permanent password: the user is CONFIRMED (or UNCONFIRMED with Confirmed false). */
  Password?: string;
  /** A temporary password: the user is FORCE_CHANGE_PASSWORD. */
  TemporaryPassword?: string;
  PasswordHash?: SeedPasswordHash;
  /**
   * false: the user is UNCONFIRMED (signed up, not confirmed) with Password or PasswordHash; without a
   * password (an export without secrets) the user is RESET_REQUIRED. Default true.
   */
  Confirmed?: boolean;
  /** Default true. */
  Enabled?: boolean;
  /** The groups the user is in: exactly these when given. */
  Groups?: string[];
  /** A verified software token (TOTP), its secret in base32. */
  SoftwareTokenSecret?: string;
  /** AdminSetUserMFAPreference's input, less UserPoolId and Username. */
  MfaPreference?: MfaPreferenceInput;
}

export type SeedClient = Without<CreateUserPoolClientRequest, 'UserPoolId'> & { ClientId?: string };

export type SeedPool = Without<CreateUserPoolRequest, 'PoolName'> & {
  Id?: string;
  /** Required, except in an entry with an Id that names no setting (it refers to an existing pool). */
  PoolName: string;
  MfaConfig?: Without<SetUserPoolMfaConfigRequest, 'UserPoolId'>;
  resourceServers?: Without<CreateResourceServerRequest, 'UserPoolId'>[];
  identityProviders?: Without<CreateIdentityProviderRequest, 'UserPoolId'>[];
  clients?: SeedClient[];
  domains?: Without<CreateUserPoolDomainRequest, 'UserPoolId'>[];
  groups?: Without<CreateGroupRequest, 'UserPoolId'>[];
  users?: SeedUser[];
};

export interface SeedFile {
  pools?: SeedPool[];
  /** What the export leaves out (JSON exports; YAML ones say it in a comment). Ignored when seeded. */
  note?: string;
}

/** A seed file that cannot be applied: the message names the file and the entry. The server does not start. */
export class SeedError extends StartupError {}

export const POOL_COLLECTIONS = ['resourceServers', 'identityProviders', 'clients', 'domains', 'groups', 'users'] as const;

const USER_KEYS = new Set([
  'Username', 'Sub', 'Attributes', 'UserAttributes', 'Password', 'TemporaryPassword', 'PasswordHash', 'Confirmed', 'Enabled', 'Groups',
  'SoftwareTokenSecret', 'MfaPreference',
]);

/** The members of an input shape of the model (CreateUserPoolRequest, ...). */
export function membersOf(shape: string): Set<string> {
  const s = shapes[shape];
  return new Set(s && s.t === 'structure' ? Object.keys(s.m) : []);
}

/** The members each entry takes: its operation's input (less UserPoolId), plus incognito's own. */
const ENTRY_KEYS: Record<string, Set<string>> = {
  resourceServers: membersOf('CreateResourceServerRequest'),
  identityProviders: membersOf('CreateIdentityProviderRequest'),
  clients: new Set([...membersOf('CreateUserPoolClientRequest'), 'ClientId', 'ClientSecret']),
  domains: membersOf('CreateUserPoolDomainRequest'),
  groups: membersOf('CreateGroupRequest'),
};
const POOL_KEYS = new Set([...membersOf('CreateUserPoolRequest'), 'Id', 'MfaConfig', ...POOL_COLLECTIONS]);
const MFA_CONFIG_KEYS = membersOf('SetUserPoolMfaConfigRequest');
for (const set of [...Object.values(ENTRY_KEYS), MFA_CONFIG_KEYS]) set.delete('UserPoolId');

/** Whether a pool entry names a setting (else, with only Id / PoolName and lists, it refers to the pool). */
export function entryNamesSettings(e: object): boolean {
  return Object.keys(e).some((k) => k !== 'Id' && k !== 'PoolName' && !(POOL_COLLECTIONS as readonly string[]).includes(k));
}

/** An entry's name in a message, cut short (a 100,000-character username makes no 100 KB line). */
export function labelOf(name: unknown): string | undefined {
  if (typeof name !== 'string' || !name) return undefined;
  return name.length > 64 ? `${name.slice(0, 64)}... (${name.length} characters)` : name;
}

const isObject = (v: unknown): v is Record<string, unknown> => v !== null && typeof v === 'object' && !Array.isArray(v);

/**
 * The file's text as a SeedFile: YAML (which JSON is a subset of) for .yaml / .yml, JSON for .json.
 * Checks the outline (collections are lists of objects, a user's own members are known and typed);
 * the members of Cognito's inputs are checked when applied, by the API's own validation.
 */
export function parseSeed(name: string, text: string): SeedFile {
  let doc: unknown;
  try {
    doc = /\.json$/i.test(name) ? JSON.parse(text) : parseYaml(text, { prettyErrors: true });
  } catch (e) {
    const why = e instanceof YAMLParseError || e instanceof SyntaxError ? e.message.split('\n')[0] : String(e);
    throw new SeedError(`${name}: not valid ${/\.json$/i.test(name) ? 'JSON' : 'YAML'}: ${why}`);
  }
  if (doc === null || doc === undefined) return {};
  const fail = (where: string, why: string): never => {
    throw new SeedError(`${name}: ${where}: ${why}`);
  };
  if (!isObject(doc)) fail('the file', 'must be a mapping with a `pools` list');
  const d = doc as Record<string, unknown>;
  for (const k of Object.keys(d)) if (k !== 'pools' && k !== 'note') fail(labelOf(k)!, 'unknown top-level key (a seed file holds `pools`)');
  if (d.pools === undefined || d.pools === null) return {};
  if (!Array.isArray(d.pools)) fail('pools', 'must be a list');
  (d.pools as unknown[]).forEach((p, i) => {
    const where = `pools[${i}]`;
    if (!isObject(p)) fail(where, 'must be a mapping (CreateUserPool input, plus Id and the lists of clients, users, ...)');
    const pool = p as Record<string, unknown>;
    if (pool.Id !== undefined && typeof pool.Id !== 'string') fail(where, 'Id must be a string');
    if (pool.PoolName !== undefined && typeof pool.PoolName !== 'string') fail(where, 'PoolName must be a string (quote it)');
    const poolLabel = labelOf(pool.PoolName) ?? labelOf(pool.Id);
    const at = poolLabel ? `${where} (${poolLabel})` : where;
    unknownMembers(pool, POOL_KEYS, at, 'a pool takes CreateUserPool\'s input, Id, MfaConfig and the lists', fail);
    if (pool.MfaConfig !== undefined && pool.MfaConfig !== null) {
      if (!isObject(pool.MfaConfig)) fail(at, 'MfaConfig must be a mapping (SetUserPoolMfaConfig\'s input)');
      unknownMembers(pool.MfaConfig as Record<string, unknown>, MFA_CONFIG_KEYS, `${at}.MfaConfig`, 'SetUserPoolMfaConfig\'s input', fail);
    }
    const namesSettings = entryNamesSettings(pool);
    if (!pool.PoolName && !(pool.Id && !namesSettings)) {
      fail(at, pool.Id ? 'PoolName is required in an entry that gives settings (an entry with Id alone and lists refers to an existing pool)' : 'PoolName is required (or the Id of an existing pool)');
    }
    for (const c of POOL_COLLECTIONS) {
      const list = pool[c];
      if (list === undefined || list === null) continue;
      if (!Array.isArray(list)) fail(`${where}.${c}`, 'must be a list');
      (list as unknown[]).forEach((e, j) => {
        if (!isObject(e)) fail(`${where}.${c}[${j}]`, 'must be a mapping');
        const keys = ENTRY_KEYS[c];
        if (keys) {
          const entry = e as Record<string, unknown>;
          const name = labelOf(entry.ClientName ?? entry.GroupName ?? entry.ProviderName ?? entry.Identifier ?? entry.Domain);
          unknownMembers(entry, keys, name ? `${where}.${c}[${j}] (${name})` : `${where}.${c}[${j}]`, `${c} take`, fail);
        }
      });
    }
    ((pool.users as unknown[] | undefined) ?? []).forEach((u, j) => checkUserOutline(u as Record<string, unknown>, `${where}.users[${j}]`, fail));
  });
  return doc as SeedFile;
}

/** Refuses a member `keys` does not hold (a typo, a CloudFormation-only name): it would be ignored. */
function unknownMembers(entry: Record<string, unknown>, keys: Set<string>, where: string, what: string, fail: (where: string, why: string) => never): void {
  for (const k of Object.keys(entry)) {
    if (keys.has(k)) continue;
    const near = [...keys].find((m) => m.toLowerCase() === k.toLowerCase()) ?? [...keys].find((m) => editDistance(m.toLowerCase(), k.toLowerCase()) <= 2);
    fail(where, `unknown member ${labelOf(k)}${near ? ` (did you mean ${near}?)` : ''} (${what}: ${[...keys].sort().join(', ')})`);
  }
}

/** Levenshtein distance (for "did you mean" on short member names). */
function editDistance(a: string, b: string): number {
  if (Math.abs(a.length - b.length) > 2 || a.length > 64 || b.length > 64) return 3;
  let prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const row = [i];
    for (let j = 1; j <= b.length; j++) row[j] = Math.min(prev[j]! + 1, row[j - 1]! + 1, prev[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    prev = row;
  }
  return prev[b.length]!;
}

function checkUserOutline(u: Record<string, unknown>, where: string, fail: (where: string, why: string) => never): void {
  const label = typeof u.Username === 'string' ? `${where} (${labelOf(u.Username)})` : where;
  if (typeof u.Username === 'number' || typeof u.Username === 'boolean') fail(where, `Username must be a string: quote it ("${String(u.Username)}"; YAML reads ${String(u.Username)} as a ${typeof u.Username})`);
  if (typeof u.Username !== 'string' || !u.Username) fail(where, 'Username is required');
  for (const k of Object.keys(u)) if (!USER_KEYS.has(k)) fail(label, `unknown member ${labelOf(k)} (a user takes ${[...USER_KEYS].join(', ')})`);
  for (const k of ['Sub', 'Password', 'TemporaryPassword', 'SoftwareTokenSecret'] as const) {
    if (u[k] !== undefined && typeof u[k] !== 'string') fail(label, `${k} must be a string`);
  }
  for (const k of ['Confirmed', 'Enabled'] as const) if (u[k] !== undefined && typeof u[k] !== 'boolean') fail(label, `${k} must be true or false`);
  if (u.Attributes !== undefined) {
    if (!isObject(u.Attributes)) fail(label, 'Attributes must be a mapping of attribute name to value');
    const attrs = u.Attributes as Record<string, unknown>;
    for (const [k, v] of Object.entries(attrs)) {
      // YAML reads `email_verified: true` and `age: 30` as a boolean and a number: attribute values are their text.
      if (typeof v === 'boolean' || typeof v === 'number') attrs[k] = String(v);
      else if (typeof v !== 'string') fail(label, `Attributes.${k} must be a string`);
    }
  }
  if (u.Groups !== undefined && (!Array.isArray(u.Groups) || u.Groups.some((g) => typeof g !== 'string'))) fail(label, 'Groups must be a list of group names');
  const passwords = ['Password', 'TemporaryPassword', 'PasswordHash'].filter((k) => u[k] !== undefined);
  if (passwords.length > 1) fail(label, `give one of Password, TemporaryPassword and PasswordHash, not ${passwords.join(' and ')}`);
  if (u.PasswordHash !== undefined) {
    const h = u.PasswordHash as Record<string, unknown>;
    if (!isObject(h) || typeof h.Hash !== 'string' || typeof h.SrpSalt !== 'string' || typeof h.SrpVerifier !== 'string') {
      fail(label, 'PasswordHash must be a mapping with Hash, SrpSalt and SrpVerifier (as incognito export --with-secrets writes it)');
    }
    if (!/^\$argon2id\$/.test(h.Hash as string)) fail(label, 'PasswordHash.Hash must be an argon2id hash ($argon2id$...)');
    if (!/^[0-9a-f]+$/i.test(h.SrpSalt as string) || !/^[0-9a-f]+$/i.test(h.SrpVerifier as string)) fail(label, 'PasswordHash.SrpSalt and SrpVerifier must be hex');
    if (h.Temporary !== undefined && typeof h.Temporary !== 'boolean') fail(label, 'PasswordHash.Temporary must be true or false');
  }
  if (u.Confirmed === false && u.TemporaryPassword !== undefined) fail(label, 'a user with a TemporaryPassword is confirmed (FORCE_CHANGE_PASSWORD): drop Confirmed: false');
}
