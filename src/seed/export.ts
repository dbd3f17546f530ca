/**
 * `incognito export`: the store's state as a seed file (format.ts), which seeds it back. Without
 * secrets, no client secret and no password material leave (clients get GenerateSecret: true,
 * users no password: seeded again they must reset it). With them, client secrets, the users'
 * password hashes and SRP verifiers (PasswordHash, which only seed files take) and TOTP secrets.
 */
import { stringify as toYaml } from 'yaml';
import type { SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';
import type { PoolRecord, Store, UserRecord } from '../store/types.js';
import type { Secrets } from '../domain/secrets.js';
import { poolMfaFactors, renderPoolMfaConfig } from '../domain/mfa.js';
import { STANDARD_SCHEMA } from '../domain/pool-settings.js';
import { openVerifier } from '../domain/credentials.js';
import { openTotpSecret } from '../domain/totp.js';
import { COMPUTED_KEYS, openDetails } from '../domain/identity-providers.js';
import { allClients, same } from './apply.js';
import { membersOf, type SeedFile, type SeedPool, type SeedUser } from './format.js';

export interface ExportOptions {
  /** Only this pool. */
  poolId?: string;
  /** Client secrets, password hashes, TOTP secrets, identity providers' secrets. */
  withSecrets: boolean;
}

function pick(from: Record<string, unknown>, keys: Set<string>, skip: string[] = []): Record<string, unknown> {
  return Object.fromEntries(Object.entries(from).filter(([k, v]) => keys.has(k) && !skip.includes(k) && v !== undefined));
}

/** The Schema entries that make the pool's schema: standard attributes changed from the default, and the custom ones. */
function schemaOf(pool: PoolRecord): SchemaAttributeType[] {
  const out: SchemaAttributeType[] = [];
  for (const a of pool.settings.SchemaAttributes ?? []) {
    const standard = STANDARD_SCHEMA.find((s) => s.Name === a.Name);
    if (standard) {
      if (!same(standard, a)) out.push(a);
    } else {
      out.push({ ...a, Name: a.Name!.replace(/^(dev:)?custom:/, '') });
    }
  }
  return out;
}

export async function exportState(store: Store, secrets: Secrets, opts: ExportOptions): Promise<SeedFile> {
  const pools: PoolRecord[] = [];
  if (opts.poolId !== undefined) {
    const p = await store.pools.get(opts.poolId);
    if (!p) throw new Error(`there is no user pool ${opts.poolId}`);
    pools.push(p);
  } else {
    let after: string | undefined;
    for (;;) {
      const page = await store.pools.listAll(after, 100);
      pools.push(...page);
      if (page.length < 100) break;
      after = page[page.length - 1]!.id;
    }
  }
  const out: SeedPool[] = [];
  for (const pool of pools) out.push(await exportPool(store, secrets, pool, opts));
  return { pools: out };
}

async function exportPool(store: Store, secrets: Secrets, pool: PoolRecord, opts: ExportOptions): Promise<SeedPool> {
  const settings = pool.settings as Record<string, unknown>;
  const factors = poolMfaFactors(pool.settings);
  // TOTP and email MFA come from SetUserPoolMfaConfig: the pool's MFA is then MfaConfig.
  const mfaConfig = factors.softwareToken || !!factors.email;
  const entry: Record<string, unknown> = {
    Id: pool.id,
    PoolName: pool.name,
    ...pick(settings, membersOf('CreateUserPoolRequest'), ['PoolName', 'Schema', 'UserPoolTags', ...(mfaConfig ? ['MfaConfiguration'] : [])]),
  };
  const schema = schemaOf(pool);
  if (schema.length) entry.Schema = schema;
  if (Object.keys(pool.tags).length) entry.UserPoolTags = pool.tags;
  if (mfaConfig) {
    const { WebAuthnConfiguration: _, ...config } = renderPoolMfaConfig(pool.settings) as Record<string, unknown>;
    entry.MfaConfig = config;
  }

  const servers = await store.resourceServers.list(pool.id, undefined, 1000);
  if (servers.length) entry.resourceServers = servers.map((rs) => ({ Identifier: rs.identifier, Name: rs.name, ...(rs.scopes.length ? { Scopes: rs.scopes } : {}) }));

  const providers = await store.identityProviders.all(pool.id);
  if (providers.length) {
    entry.identityProviders = providers.map((p) => {
      const details = openDetails(secrets, p);
      // What Describe computes is not given back, except an OIDC provider's endpoints (which it takes).
      for (const k of Object.keys(details)) if (COMPUTED_KEYS.has(k) && p.type !== 'OIDC') delete details[k];
      if (!opts.withSecrets) {
        delete details.client_secret;
        delete details.private_key;
      }
      return {
        ProviderName: p.name,
        ProviderType: p.type,
        ProviderDetails: details,
        AttributeMapping: p.attributeMapping,
        ...(p.idpIdentifiers.length ? { IdpIdentifiers: p.idpIdentifiers } : {}),
      };
    });
  }

  const clients = await allClients(store, pool.id);
  const clientMembers = membersOf('CreateUserPoolClientRequest');
  if (clients.length) {
    entry.clients = clients.map((c) => ({
      ClientName: c.name,
      ClientId: c.id,
      ...(c.secret !== null ? (opts.withSecrets ? { ClientSecret: c.secret } : { GenerateSecret: true }) : {}),
      ...pick(c.settings as Record<string, unknown>, clientMembers, ['ClientName', 'UserPoolId', 'GenerateSecret', 'ClientSecret']),
    }));
  }

  const domains = await store.domains.listForPool(pool.id);
  if (domains.length) {
    entry.domains = domains.map((d) => ({
      Domain: d.domain,
      ...(d.certificateArn ? { CustomDomainConfig: { CertificateArn: d.certificateArn } } : {}),
      ManagedLoginVersion: d.managedLoginVersion,
    }));
  }

  const groups = await store.groups.list(pool.id, undefined, 10_000);
  if (groups.length) {
    entry.groups = groups.map((g) => ({
      GroupName: g.name,
      ...(g.description !== null ? { Description: g.description } : {}),
      ...(g.roleArn !== null ? { RoleArn: g.roleArn } : {}),
      ...(g.precedence !== null ? { Precedence: g.precedence } : {}),
    }));
  }

  const users: SeedUser[] = [];
  let after: string | undefined;
  do {
    const page = await store.users.list(pool.id, { limit: 60, ...(after !== undefined ? { after } : {}) });
    for (const u of page.users) {
      // Federated users are made by their sign-ins, not by a seed file.
      if (u.status === 'EXTERNAL_PROVIDER') continue;
      users.push(await exportUser(store, secrets, pool, u, opts));
    }
    after = page.cursor;
  } while (after !== undefined);
  if (users.length) entry.users = users;
  return entry as SeedPool;
}

async function exportUser(store: Store, secrets: Secrets, pool: PoolRecord, u: UserRecord, opts: ExportOptions): Promise<SeedUser> {
  // In pools that sign in with email or phone the username is the sub: the entry names the user by that attribute.
  const byAttribute = (pool.settings.UsernameAttributes ?? []).find((k) => u.attributes[k] !== undefined);
  const user: SeedUser = { Username: byAttribute ? u.attributes[byAttribute]! : u.username, Sub: u.sub };
  if (Object.keys(u.attributes).length) user.Attributes = { ...u.attributes };
  if (u.status === 'UNCONFIRMED') user.Confirmed = false;
  if (!u.enabled) user.Enabled = false;
  if (opts.withSecrets && u.passwordHash) {
    const verifier = openVerifier(secrets, u);
    if (verifier) {
      user.PasswordHash = {
        Hash: u.passwordHash,
        SrpSalt: verifier.salt,
        SrpVerifier: verifier.verifier,
        ...(u.status === 'FORCE_CHANGE_PASSWORD' ? { Temporary: true } : {}),
      };
    }
  }
  const groups = await store.groups.listForUser(pool.id, u.usernameKey, undefined, 1000);
  if (groups.length) user.Groups = groups.map((g) => g.name);
  const totp = opts.withSecrets && u.mfa.totp ? openTotpSecret(secrets, u, u.mfa.totp.secret) : undefined;
  if (totp) user.SoftwareTokenSecret = totp;
  const enabled = (u.mfa.enabled ?? []).filter((f) => f !== 'SOFTWARE_TOKEN_MFA' || totp);
  if (enabled.length) {
    const setting = (f: string) => (enabled.includes(f as never) ? { Enabled: true, PreferredMfa: u.mfa.preferred === f } : undefined);
    const pref: NonNullable<SeedUser['MfaPreference']> = {};
    if (setting('SMS_MFA')) pref.SMSMfaSettings = setting('SMS_MFA')!;
    if (setting('SOFTWARE_TOKEN_MFA')) pref.SoftwareTokenMfaSettings = setting('SOFTWARE_TOKEN_MFA')!;
    if (setting('EMAIL_OTP')) pref.EmailMfaSettings = setting('EMAIL_OTP')!;
    user.MfaPreference = pref;
  }
  return user;
}

/** What an export does not hold (README "Seed files and export"): the YAML header and JSON's `note` say it. */
export const NOT_EXPORTED =
  'Not exported: the signing keys (tokens issued by this installation do not verify on another), refresh tokens and sign-in sessions, ' +
  'remembered devices, passkeys (WebAuthn credentials), federated (EXTERNAL_PROVIDER) users, pending codes, ' +
  'managed login branding and UI customization, log delivery configuration, terms documents, risk configuration, user import jobs.';

/** The file's text: YAML (with a header saying what it is) or JSON (with a `note` member the seed reader ignores). */
export function formatSeed(file: SeedFile, format: 'yaml' | 'json', withSecrets: boolean): string {
  const secrets = withSecrets
    ? 'It holds client secrets, password hashes, TOTP and identity provider secrets (--with-secrets): keep it as secret as the database.'
    : 'No secrets: clients with a secret get a new one, users no password (they are RESET_REQUIRED: they reset it), TOTP is not carried, identity providers need their client_secret / private_key added unless the store seeded already has them.';
  if (format === 'json') return JSON.stringify({ note: `incognito seed file, written by incognito export. ${secrets} ${NOT_EXPORTED}`, ...file }, null, 2) + '\n';
  const header = [
    '# incognito seed file, written by `incognito export`: start a server with --seed FILE to make this state.',
    `# ${secrets}`,
    ...wrap(NOT_EXPORTED).map((l) => `# ${l}`),
  ];
  return header.join('\n') + '\n' + toYaml(file, { lineWidth: 0 });
}

/** Words in lines of at most 100 characters. */
function wrap(text: string): string[] {
  const lines: string[] = [];
  let line = '';
  for (const w of text.split(' ')) {
    if (line && line.length + 1 + w.length > 100) {
      lines.push(line);
      line = w;
    } else line = line ? `${line} ${w}` : w;
  }
  if (line) lines.push(line);
  return lines;
}
