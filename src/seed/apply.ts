/**
 * Applying a seed file in one transaction (index.ts runs all the files in one), every entry through the API's own validation
 * (the model's input checks, validateInput) and the domain functions the operations use, or the
 * operation handlers themselves where no id is fixed and no trigger would run. A second application
 * of the same file writes nothing; a changed file updates what it names; what it does not name is
 * left alone. Errors name the file and the entry and stop the start (SeedError).
 */
import { randomUUID } from 'node:crypto';
import type { SchemaAttributeType } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, Store, UserRecord, UserStatus } from '../store/types.js';
import { isCognitoError, errors } from '../protocol/errors.js';
import { validateInput } from '../protocol/validate.js';
import { createPoolSettings, withCustomAttributes, type PoolSettings } from '../domain/pool-settings.js';
import { applyPoolMfaConfig, checkPoolMfa, setMfaPreference, type MfaFactor } from '../domain/mfa.js';
import { checkTags } from '../operations/pools/shared.js';
import { buildClientSettings } from '../domain/client-settings.js';
import { poolContext } from '../operations/clients/shared.js';
import { newClientId, newClientSecret, newPoolId } from '../domain/ids.js';
import { secretIdOf } from '../domain/client-secrets.js';
import { CreateGroup } from '../operations/groups/CreateGroup.js';
import { CreateResourceServer } from '../operations/resource-servers/CreateResourceServer.js';
import { UpdateResourceServer } from '../operations/resource-servers/UpdateResourceServer.js';
import { checkScopes } from '../operations/resource-servers/shared.js';
import { CreateUserPoolDomain } from '../operations/domains/CreateUserPoolDomain.js';
import { UpdateUserPoolDomain } from '../operations/domains/UpdateUserPoolDomain.js';
import { CreateIdentityProvider } from '../operations/identity-providers/CreateIdentityProvider.js';
import { UpdateIdentityProvider } from '../operations/identity-providers/UpdateIdentityProvider.js';
import { defaultMapping, openDetails } from '../domain/identity-providers.js';
import { AdminAddUserToGroup } from '../operations/groups/AdminAddUserToGroup.js';
import { AdminRemoveUserFromGroup } from '../operations/groups/AdminRemoveUserFromGroup.js';
import { checkMutable, checkRequired, checkValues, toMap } from '../domain/attributes.js';
import { findUser, newUsername, usernameKey } from '../domain/users.js';
import { checkPassword, verifyPassword } from '../domain/passwords.js';
import { passwordFields } from '../domain/credentials.js';
import { insertUser, saveUser } from '../domain/user-writes.js';
import { openTotpSecret, sealTotpSecret } from '../domain/totp.js';
import { entryNamesSettings, labelOf, SeedError, type SeedClient, type SeedFile, type SeedPool, type SeedUser } from './format.js';

/** What applying a file needs: an operation context without the request (store: the transaction). */
export type SeedServices = Omit<Ctx, 'store' | 'region' | 'requestId' | 'now'> & { store: Store; now: number };

/** What a file changed (for the start-up log and the tests). */
export interface SeedSummary {
  file: string;
  created: number;
  updated: number;
}

/** The pool id pattern of the model (UserPoolIdType) with the region part a region. */
const POOL_ID = /^([a-z]{2}(?:-gov)?-[a-z]+-\d)_[0-9a-zA-Z]+$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** Deep equality of JSON values, key order ignored. */
export function same(a: unknown, b: unknown): boolean {
  if (a === b) return true;
  if (a === null || b === null || typeof a !== 'object' || typeof b !== 'object') return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a)) return a.length === (b as unknown[]).length && a.every((x, i) => same(x, (b as unknown[])[i]));
  const ka = Object.keys(a).filter((k) => (a as Record<string, unknown>)[k] !== undefined);
  const kb = Object.keys(b).filter((k) => (b as Record<string, unknown>)[k] !== undefined);
  return ka.length === kb.length && ka.every((k) => same((a as Record<string, unknown>)[k], (b as Record<string, unknown>)[k]));
}

/**
 * Applies one parsed file in one transaction. `name`: the file as the messages name it.
 */
export async function applySeed(services: SeedServices, name: string, file: SeedFile, log?: (fields: Record<string, unknown>) => void): Promise<SeedSummary> {
  const summary: SeedSummary = { file: name, created: 0, updated: 0 };
  await services.store.transaction(async (tx) => {
    const pools = file.pools ?? [];
    for (let i = 0; i < pools.length; i++) {
      const entry = pools[i]!;
      const applier = new PoolApplier(services, tx, name, `pools[${i}]`, entry, summary, log);
      await applier.apply();
    }
  });
  return summary;
}

class PoolApplier {
  private pool!: PoolRecord;
  constructor(
    private readonly s: SeedServices,
    private readonly tx: Store,
    private readonly file: string,
    private readonly where: string,
    private readonly entry: SeedPool,
    private readonly summary: SeedSummary,
    private readonly log?: (fields: Record<string, unknown>) => void,
  ) {}

  /** The operation context of the entries: the transaction as the store, the pool's region. */
  private ctx(): Ctx {
    return { ...this.s, store: this.tx, region: this.pool?.region ?? this.s.config.region, requestId: randomUUID(), now: this.s.now };
  }

  /** Runs `fn` for the entry at `where` (named `label`): a Cognito error becomes the SeedError naming it. */
  private async at<T>(where: string, label: string | undefined, fn: () => Promise<T>): Promise<T> {
    try {
      return await fn();
    } catch (e) {
      if (e instanceof SeedError) throw e;
      const short = labelOf(label);
      const entry = short ? `${where} (${short})` : where;
      if (isCognitoError(e)) {
        // The model's messages quote the value: a 100,000-character one makes no 100 KB line.
        const msg = e.message.trimEnd().replace(/\n/g, ' ');
        throw new SeedError(`${this.file}: ${entry}: ${e.type}: ${msg.length > 1000 ? `${msg.slice(0, 1000)}... (${msg.length} characters)` : msg}`);
      }
      throw e;
    }
  }

  async apply(): Promise<void> {
    const e = this.entry;
    await this.at(this.where, labelOf(e.PoolName) ?? labelOf(e.Id), () => this.applyPool());
    const list = <T>(k: keyof SeedPool) => ((e[k] as T[] | undefined) ?? []).map((x, j) => [x, `${this.where}.${String(k)}[${j}]`] as const);
    for (const [rs, w] of list<NonNullable<SeedPool['resourceServers']>[number]>('resourceServers')) await this.at(w, rs.Identifier, () => this.resourceServer(rs));
    for (const [p, w] of list<NonNullable<SeedPool['identityProviders']>[number]>('identityProviders')) await this.at(w, p.ProviderName, () => this.identityProvider(p));
    const clientIds = new Set<string>();
    for (const [c, w] of list<SeedClient>('clients')) await this.at(w, c.ClientName, () => this.client(c, clientIds));
    for (const [d, w] of list<NonNullable<SeedPool['domains']>[number]>('domains')) await this.at(w, d.Domain, () => this.domain(d));
    for (const [g, w] of list<NonNullable<SeedPool['groups']>[number]>('groups')) await this.at(w, g.GroupName, () => this.group(g));
    const seen = new Set<string>();
    const users = list<SeedUser>('users');
    let done = 0;
    for (const [u, w] of users) {
      await this.at(w, u.Username, () => this.user(u, seen));
      // A long seed says how far it got (a new password costs an argon2 hash, ~30 ms).
      if (++done % 1000 === 0 && done < users.length) this.log?.({ msg: 'seed progress', file: this.file, pool: this.pool.id, users: done, of: users.length });
    }
  }

  // -------------------------------------------------------------------------------------------
  // The pool

  /** The settings the entry describes: CreateUserPool's, then SetUserPoolMfaConfig's. */
  private desiredSettings(): { settings: PoolSettings; tags: Record<string, string> } {
    const { Id: _, MfaConfig, resourceServers: _r, identityProviders: _i, clients: _c, domains: _d, groups: _g, users: _u, ...input } = this.entry;
    validateInput('CreateUserPool', input);
    if (MfaConfig !== undefined) {
      validateInput('SetUserPoolMfaConfig', { ...MfaConfig, UserPoolId: 'us-east-1_seed' });
      if (input.MfaConfiguration !== undefined && input.MfaConfiguration !== (MfaConfig.MfaConfiguration ?? 'OFF')) {
        // Message ours.
        throw errors.invalidParameter(`MfaConfiguration ${input.MfaConfiguration} differs from MfaConfig.MfaConfiguration: give it once, in MfaConfig.`);
      }
      const { MfaConfiguration: _m, ...rest } = input;
      const settings = applyPoolMfaConfig(createPoolSettings({ ...rest }), MfaConfig);
      return { settings, tags: this.tags(input.UserPoolTags) };
    }
    const settings = createPoolSettings(input);
    checkPoolMfa(settings);
    return { settings, tags: this.tags(input.UserPoolTags) };
  }

  private tags(t: Record<string, string> | undefined): Record<string, string> {
    const tags = t ?? {};
    checkTags(tags);
    return tags;
  }

  private async applyPool(): Promise<void> {
    const e = this.entry;
    let current: PoolRecord | undefined;
    let region = this.s.config.region;
    if (e.Id !== undefined) {
      const m = POOL_ID.exec(e.Id);
      if (!m || e.Id.length > 55) {
        // Message ours.
        throw errors.invalidParameter(`Id '${e.Id}' is not a user pool id: <region>_<letters and digits>, e.g. ${this.s.config.region}_example.`);
      }
      region = m[1]!;
      current = await this.tx.pools.get(e.Id, { forUpdate: true });
    } else {
      const named = await poolsNamed(this.tx, region, e.PoolName);
      if (named.length > 1) {
        throw errors.invalidParameter(`${named.length} pools are named ${e.PoolName} (${named.map((p) => p.id).join(', ')}): give the pool's Id.`);
      }
      current = named[0] && (await this.tx.pools.get(named[0].id, { forUpdate: true }));
    }
    // An entry that names no setting (only Id / PoolName and lists) refers to the pool: its settings
    // stay as they are (another file, or the API, gives them); a PoolName it gives is the pool's name.
    const namesSettings = entryNamesSettings(e);
    if (current && !namesSettings) {
      this.pool = current;
      if (e.PoolName !== undefined && e.PoolName !== current.name) {
        validateInput('CreateUserPool', { PoolName: e.PoolName });
        this.pool = { ...current, name: e.PoolName, updatedAt: this.s.now };
        await this.tx.pools.update(this.pool);
        this.summary.updated++;
      }
      return;
    }
    if (!current && e.PoolName === undefined) {
      // Message ours.
      throw errors.resourceNotFound(`There is no user pool ${e.Id}: give its PoolName (and settings) to make it, or seed the file that makes it first.`);
    }
    const { settings, tags } = this.desiredSettings();
    if (!current) {
      this.pool = { id: e.Id ?? newPoolId(region), region, name: e.PoolName, createdAt: this.s.now, updatedAt: this.s.now, settings, tags };
      await this.tx.pools.insert(this.pool);
      this.summary.created++;
      return;
    }
    const next: PoolRecord = { ...current, name: e.PoolName, settings: { ...settings, SchemaAttributes: mergeSchema(current.settings, settings) }, tags };
    // What CreateUserPool alone sets cannot change on an existing pool (UpdateUserPool keeps it).
    for (const k of ['UsernameAttributes', 'AliasAttributes', 'UsernameConfiguration'] as const) {
      if (!same(current.settings[k] ?? null, settings[k] ?? null)) {
        const have = current.settings[k];
        throw errors.invalidParameter(
          `${k} of the existing pool ${current.id} cannot change (it is set when the pool is created): delete the pool, or ${have === undefined ? `leave ${k} out (the pool has none)` : `put back ${k}: ${JSON.stringify(have)}`}.`,
        );
      }
      if (current.settings[k] === undefined) delete next.settings[k];
      else next.settings[k] = current.settings[k] as never;
    }
    if (same(next.settings, current.settings) && next.name === current.name && same(next.tags, current.tags)) {
      this.pool = current;
      return;
    }
    this.pool = { ...next, updatedAt: this.s.now };
    await this.tx.pools.update(this.pool);
    this.summary.updated++;
  }

  // -------------------------------------------------------------------------------------------
  // Resource servers, identity providers, clients, domains, groups

  private async resourceServer(rs: NonNullable<SeedPool['resourceServers']>[number]): Promise<void> {
    const input = { ...rs, UserPoolId: this.pool.id };
    validateInput('CreateResourceServer', input);
    const current = await this.tx.resourceServers.get(this.pool.id, rs.Identifier!);
    if (!current) {
      await CreateResourceServer(input, this.ctx());
      this.summary.created++;
    } else if (current.name !== rs.Name || !same(current.scopes, checkScopes(rs.Scopes))) {
      await UpdateResourceServer(input, this.ctx());
      this.summary.updated++;
    }
  }

  private async identityProvider(p: NonNullable<SeedPool['identityProviders']>[number]): Promise<void> {
    const input = { ...p, UserPoolId: this.pool.id };
    validateInput('CreateIdentityProvider', input);
    const current = await this.tx.identityProviders.get(this.pool.id, p.ProviderName!);
    if (!current) {
      // An export without --with-secrets leaves the secret out: a stored provider keeps its own
      // (UpdateIdentityProvider), a new one cannot be made without it. Message ours.
      const missing = (SECRET_REQUIRED[p.ProviderType!] ?? []).filter((k) => p.ProviderDetails?.[k] === undefined);
      if (missing.length) {
        throw errors.invalidParameter(
          `ProviderDetails.${missing.join(' and ')} is missing, and there is no stored ${p.ProviderName} provider to keep it from (an export without --with-secrets leaves it out): add it to the entry.`,
        );
      }
      await CreateIdentityProvider(input, this.ctx());
      this.summary.created++;
      return;
    }
    if (current.type !== p.ProviderType) {
      throw errors.invalidParameter(`The provider ${current.name} exists with the type ${current.type}; a provider's type cannot change: delete it first.`);
    }
    const opened = openDetails(this.s.secrets, current);
    const detailsSame = Object.entries(p.ProviderDetails ?? {}).every(([k, v]) => opened[k] === v);
    // The mapping CreateIdentityProvider would make: the type's default, then the entry's.
    const mapping = { ...defaultMapping(current.type), ...(p.AttributeMapping ?? {}) };
    const idsSame = same(p.IdpIdentifiers ?? [], current.idpIdentifiers);
    if (detailsSame && same(mapping, current.attributeMapping) && idsSame) return;
    const { ProviderType: _, ...update } = input;
    await UpdateIdentityProvider({ ...update, AttributeMapping: mapping, IdpIdentifiers: p.IdpIdentifiers ?? [] }, this.ctx());
    this.summary.updated++;
  }

  private async client(c: SeedClient, seen: Set<string>): Promise<void> {
    const { ClientId, ClientName, GenerateSecret, ClientSecret, ...rest } = c;
    validateInput('CreateUserPoolClient', { ...rest, ClientName, GenerateSecret, ClientSecret, UserPoolId: this.pool.id });
    if (ClientId !== undefined) validateInput('DescribeUserPoolClient', { UserPoolId: this.pool.id, ClientId });
    if (GenerateSecret && ClientSecret !== undefined) {
      throw errors.invalidParameter('ClientSecret cannot be set when GenerateSecret is true: set one or the other.');
    }
    let current: ClientRecord | undefined;
    if (ClientId !== undefined) {
      current = await this.tx.clients.get(ClientId, { forUpdate: true });
      if (current && current.poolId !== this.pool.id) {
        // Message ours.
        throw errors.invalidParameter(`The ClientId ${ClientId} is taken by a client of the user pool ${current.poolId}.`);
      }
    } else {
      const named = (await allClients(this.tx, this.pool.id)).filter((x) => x.name === ClientName);
      if (named.length > 1) throw errors.invalidParameter(`${named.length} clients are named ${ClientName}: give the ClientId.`);
      current = named[0];
    }
    const key = ClientId ?? `name:${ClientName}`;
    if (seen.has(key)) throw errors.invalidParameter(`The client ${ClientId ?? ClientName} is listed twice.`);
    seen.add(key);
    const wantsSecret = GenerateSecret === true || ClientSecret !== undefined;
    const pctx = await poolContext(this.tx, this.pool);
    if (!current) {
      const secret = ClientSecret ?? (GenerateSecret ? newClientSecret() : null);
      const id = ClientId ?? newClientId();
      const settings = buildClientSettings(rest, secret !== null, pctx, 'creating');
      await this.tx.clients.insert({
        id,
        poolId: this.pool.id,
        name: ClientName!,
        secret,
        secrets: secret === null ? [] : [{ id: secretIdOf(id, this.s.now), value: secret, createdAt: this.s.now }],
        createdAt: this.s.now,
        updatedAt: this.s.now,
        settings,
      });
      this.summary.created++;
      return;
    }
    if (wantsSecret !== (current.secret !== null)) {
      // Message ours.
      throw errors.invalidParameter(
        current.secret !== null
          ? `The client ${current.id} has a client secret, which cannot be taken away: give GenerateSecret: true (or its ClientSecret), or delete the client.`
          : `The client ${current.id} has no client secret, and one cannot be added: delete the client to make it anew with a secret.`,
      );
    }
    const settings = buildClientSettings(rest, current.secret !== null, pctx, 'updating');
    let next: ClientRecord = { ...current, name: ClientName!, settings };
    let secretChanged = false;
    if (ClientSecret !== undefined && !(current.secrets.length === 1 && current.secret === ClientSecret)) {
      next = { ...next, secret: ClientSecret, secrets: [{ id: secretIdOf(current.id, this.s.now), value: ClientSecret, createdAt: this.s.now }] };
      secretChanged = true;
    }
    if (!secretChanged && next.name === current.name && same(next.settings, current.settings)) return;
    next.updatedAt = this.s.now;
    await this.tx.clients.update(next);
    if (secretChanged) await this.tx.clients.setSecrets(next);
    this.summary.updated++;
  }

  private async domain(d: NonNullable<SeedPool['domains']>[number]): Promise<void> {
    const input = { ...d, UserPoolId: this.pool.id };
    validateInput('CreateUserPoolDomain', input);
    const current = await this.tx.domains.find(d.Domain!.toLowerCase());
    if (!current) {
      await CreateUserPoolDomain(input, this.ctx());
      this.summary.created++;
      return;
    }
    if (current.poolId !== this.pool.id) throw errors.invalidParameter('Domain already associated with another user pool.');
    const cert = d.CustomDomainConfig?.CertificateArn;
    if ((cert === undefined || cert === current.certificateArn) && (d.ManagedLoginVersion === undefined || d.ManagedLoginVersion === current.managedLoginVersion)) return;
    await UpdateUserPoolDomain(input, this.ctx());
    this.summary.updated++;
  }

  private async group(g: NonNullable<SeedPool['groups']>[number]): Promise<void> {
    const input = { ...g, UserPoolId: this.pool.id };
    validateInput('CreateGroup', input);
    const current = await this.tx.groups.get(this.pool.id, g.GroupName!, { forUpdate: true });
    if (!current) {
      await CreateGroup(input, this.ctx());
      this.summary.created++;
      return;
    }
    const next = { ...current, description: g.Description ?? null, roleArn: g.RoleArn ?? null, precedence: g.Precedence ?? null };
    if (next.description === current.description && next.roleArn === current.roleArn && next.precedence === current.precedence) return;
    await this.tx.groups.update({ ...next, updatedAt: this.s.now });
    this.summary.updated++;
  }

  // -------------------------------------------------------------------------------------------
  // Users

  private async user(u: SeedUser, seen: Set<string>): Promise<void> {
    const pool = this.pool;
    const attrs = { ...toMap(u.UserAttributes as never), ...(u.Attributes ?? {}) };
    validateInput('AdminCreateUser', {
      UserPoolId: pool.id,
      Username: u.Username,
      UserAttributes: Object.entries(attrs).map(([Name, Value]) => ({ Name, Value })),
      ...(u.TemporaryPassword !== undefined ? { TemporaryPassword: u.TemporaryPassword } : {}),
    });
    if (u.Password !== undefined) validateInput('AdminSetUserPassword', { UserPoolId: pool.id, Username: u.Username, Password: u.Password });
    if (u.MfaPreference !== undefined) validateInput('AdminSetUserMFAPreference', { ...u.MfaPreference, UserPoolId: pool.id, Username: u.Username });
    if ('sub' in attrs) throw errors.invalidParameter('sub is not an attribute a user can be given: set Sub.');
    if (u.Sub !== undefined && !UUID.test(u.Sub)) throw errors.invalidParameter(`Sub '${u.Sub}' is not a UUID (lower case).`);
    if (u.SoftwareTokenSecret !== undefined && !isTotpSecret(u.SoftwareTokenSecret)) {
      throw errors.invalidParameter('SoftwareTokenSecret is not a base32 secret (A-Z and 2-7, at least 16 characters), as AssociateSoftwareToken gives.');
    }
    for (const g of u.Groups ?? []) {
      if (!(await this.tx.groups.get(pool.id, g))) throw errors.resourceNotFound(`Group ${g} not found: list it under groups.`);
    }
    let user = await findUser(this.tx, pool, u.Username);
    if (user && seen.has(user.usernameKey)) throw errors.invalidParameter(`The user ${u.Username} is listed twice.`);
    let changed = false;
    const isNew = !user;
    if (!user) {
      user = await this.createUser(u, attrs);
      this.summary.created++;
    } else {
      const r = await this.updateUser(u, user, attrs);
      user = r.user;
      changed = r.changed;
    }
    seen.add(user.usernameKey);
    // The software token, then the MFA preference (SOFTWARE_TOKEN_MFA needs a verified token).
    if (u.SoftwareTokenSecret !== undefined) {
      const secret = u.SoftwareTokenSecret.toUpperCase();
      const current = user.mfa.totp ? openTotpSecret(this.s.secrets, user, user.mfa.totp.secret) : undefined;
      if (current !== secret) {
        user = { ...user, mfa: { ...user.mfa, totp: { secret: sealTotpSecret(this.s.secrets, user, secret), verifiedAt: this.s.now } }, updatedAt: this.s.now };
        await this.tx.users.update(user);
        changed = true;
      }
    }
    if (u.MfaPreference !== undefined && !preferenceHolds(user, u.MfaPreference)) {
      user = await setMfaPreference({ store: this.tx, secrets: this.s.secrets, now: this.s.now }, pool, user, u.MfaPreference);
      changed = true;
    }
    if (u.Groups !== undefined) {
      const want = new Set(u.Groups);
      const have = new Set((await this.tx.groups.listForUser(pool.id, user.usernameKey, undefined, 1000)).map((g) => g.name));
      for (const g of want) {
        if (!have.has(g)) {
          await AdminAddUserToGroup({ UserPoolId: pool.id, GroupName: g, Username: user.username }, this.ctx());
          changed = true;
        }
      }
      for (const g of have) {
        if (!want.has(g)) {
          await AdminRemoveUserFromGroup({ UserPoolId: pool.id, GroupName: g, Username: user.username }, this.ctx());
          changed = true;
        }
      }
    }
    if (changed && !isNew) this.summary.updated++;
  }

  /** The keyed hash of the entry's password (its kind and value): what extra.seededPassword holds. */
  private passwordMark(u: SeedUser): string | undefined {
    const [kind, value] =
      u.Password !== undefined ? ['Password', u.Password] : u.TemporaryPassword !== undefined ? ['TemporaryPassword', u.TemporaryPassword] : u.PasswordHash !== undefined ? ['PasswordHash', u.PasswordHash.Hash] : [];
    if (kind === undefined) return undefined;
    return this.s.secrets.mac(`seed-password:${this.pool.id}`, `${kind}\0${value}`).toString('base64url');
  }

  /** The status the entry asks a new user to have. */
  private statusOf(u: SeedUser): UserStatus {
    if (u.TemporaryPassword !== undefined || u.PasswordHash?.Temporary) return 'FORCE_CHANGE_PASSWORD';
    if (u.Password !== undefined || u.PasswordHash !== undefined) return u.Confirmed === false ? 'UNCONFIRMED' : 'CONFIRMED';
    // No password at all: as an imported user, the password is set by ForgotPassword.
    return 'RESET_REQUIRED';
  }

  private async passwordOf(u: SeedUser, username: string): Promise<Pick<UserRecord, 'passwordHash' | 'srpVerifier' | 'passwordUpdatedAt'>> {
    const pool = this.pool;
    if (u.PasswordHash !== undefined) {
      const verifier = { salt: u.PasswordHash.SrpSalt.toLowerCase(), verifier: u.PasswordHash.SrpVerifier.toLowerCase() };
      const sealed = this.s.secrets.seal(JSON.stringify(verifier), `srp:${pool.id}:${username}`);
      return { passwordHash: u.PasswordHash.Hash, srpVerifier: sealed, passwordUpdatedAt: this.s.now };
    }
    const password = u.Password ?? u.TemporaryPassword;
    if (password === undefined) return { passwordHash: null, srpVerifier: null, passwordUpdatedAt: null };
    checkPassword(password, pool.settings, u.TemporaryPassword !== undefined ? 'passwordPolicy' : 'policy');
    return passwordFields(this.s.secrets, pool, username, password, this.s.now);
  }

  private async createUser(u: SeedUser, given: Record<string, string>): Promise<UserRecord> {
    const pool = this.pool;
    const made = newUsername(pool, u.Username, given);
    const sub = u.Sub ?? made.sub;
    // In pools that sign in with email or phone the username is the sub.
    const username = pool.settings.UsernameAttributes?.length ? sub : made.username;
    checkValues(made.attrs, pool.settings);
    checkRequired(made.attrs, pool.settings);
    if (u.Sub !== undefined && (await this.tx.users.getBySub(pool.id, sub))) throw errors.usernameExists(`Another user has the sub ${sub}.`);
    const user: UserRecord = {
      poolId: pool.id,
      username,
      usernameKey: usernameKey(pool, username),
      sub,
      status: this.statusOf(u),
      enabled: u.Enabled ?? true,
      attributes: made.attrs,
      ...(await this.passwordOf(u, username)),
      mfa: {},
      extra: this.passwordMark(u) !== undefined ? { seededPassword: this.passwordMark(u)! } : {},
      createdAt: this.s.now,
      updatedAt: this.s.now,
    };
    await insertUser(this.tx, pool, user, { existsMessage: 'User account already exists', now: this.s.now });
    return user;
  }

  /** The named fields of an existing user made as the entry says; nothing written when they already are. */
  private async updateUser(u: SeedUser, current: UserRecord, given: Record<string, string>): Promise<{ user: UserRecord; changed: boolean }> {
    const pool = this.pool;
    let next: UserRecord = { ...current };
    // Attributes: the named ones take the file's values (as AdminUpdateUserAttributes checks them).
    if (u.Sub !== undefined && u.Sub !== current.sub) {
      // Message ours: a sub never changes (tokens and links name it).
      throw errors.invalidParameter(`The user ${current.username} exists with the sub ${current.sub}; a sub cannot change: put it back, or delete the user.`);
    }
    const changes = Object.fromEntries(Object.entries(given).filter(([k, v]) => current.attributes[k] !== v));
    if (Object.keys(changes).length) {
      checkMutable(current.attributes, changes, pool.settings);
      const attrs = { ...current.attributes, ...changes };
      const usernameAttr = (pool.settings.UsernameAttributes ?? []).find((k) => changes[k] !== undefined);
      if (usernameAttr) {
        // Message ours: the entry's Username finds the user by this value, so another value is another user.
        throw errors.invalidParameter(`${usernameAttr} is this pool's username attribute: the entry's Username gives it.`);
      }
      checkValues(attrs, pool.settings);
      checkRequired(attrs, pool.settings);
      next.attributes = attrs;
    }
    if (u.Enabled !== undefined && u.Enabled !== current.enabled) next.enabled = u.Enabled;
    // The password is applied when the file's changed since it was last applied (extra.seededPassword,
    // a keyed hash): a password the user changed since stays, and an unchanged file costs no argon2.
    // A permanent one is made true; a temporary one only while the user has not chosen their own
    // (FORCE_CHANGE_PASSWORD); a hash when it is another.
    const mark = this.passwordMark(u);
    if (mark !== undefined && mark !== current.extra.seededPassword) {
      next.extra = { ...current.extra, seededPassword: mark };
      if (u.Password !== undefined) {
        // A store seeded before the mark was kept: a password that already holds is not re-hashed.
        const holds = current.extra.seededPassword === undefined && current.passwordHash !== null && (await verifyPassword(current.passwordHash, u.Password));
        if (!holds) Object.assign(next, await this.passwordOf(u, current.username), { status: current.status === 'UNCONFIRMED' && u.Confirmed === false ? 'UNCONFIRMED' : 'CONFIRMED' });
        else if (current.status === 'FORCE_CHANGE_PASSWORD' || current.status === 'RESET_REQUIRED') next.status = 'CONFIRMED';
      } else if (u.TemporaryPassword !== undefined) {
        if (current.status === 'FORCE_CHANGE_PASSWORD' && !(current.extra.seededPassword === undefined && current.passwordHash !== null && (await verifyPassword(current.passwordHash, u.TemporaryPassword)))) {
          Object.assign(next, await this.passwordOf(u, current.username));
        }
      } else if (u.PasswordHash !== undefined && u.PasswordHash.Hash !== current.passwordHash && (!u.PasswordHash.Temporary || current.status === 'FORCE_CHANGE_PASSWORD')) {
        Object.assign(next, await this.passwordOf(u, current.username), { status: this.statusOf(u) });
      }
    }
    // Confirmed (default true) confirms an unconfirmed user; a confirmed user is never un-confirmed.
    if (next.status === 'UNCONFIRMED' && u.Confirmed !== false) next.status = 'CONFIRMED';
    if (same(next, current)) return { user: current, changed: false };
    next.updatedAt = this.s.now;
    await saveUser(this.tx, pool, next, { now: this.s.now });
    // As AdminDisableUser: a disabled user's sign-ins are revoked. As AdminSetUserPassword: a new
    // password voids a pending password-reset code.
    if (current.enabled && !next.enabled) await this.tx.tokens.revokeUser(pool.id, current.usernameKey, this.s.now);
    if (next.passwordHash !== current.passwordHash) await this.tx.codes.delete(pool.id, current.usernameKey, 'FORGOT_PASSWORD');
    return { user: next, changed: true };
  }
}

/** The secret ProviderDetails each provider type needs (OIDC's client_secret is optional: a public client). */
const SECRET_REQUIRED: Record<string, string[]> = { Google: ['client_secret'], LoginWithAmazon: ['client_secret'], Facebook: ['client_secret'], SignInWithApple: ['private_key'] };

/** A base32 TOTP secret, the form AssociateSoftwareToken gives (at least 80 bits). */
const isTotpSecret = (secret: string) => /^[A-Z2-7]{16,}=*$/i.test(secret);

/** Whether the user's MFA settings already are what the preference input would make them. */
function preferenceHolds(user: UserRecord, input: NonNullable<SeedUser['MfaPreference']>): boolean {
  const given: [MfaFactor, { Enabled?: boolean; PreferredMfa?: boolean } | undefined][] = [
    ['SMS_MFA', input.SMSMfaSettings],
    ['SOFTWARE_TOKEN_MFA', input.SoftwareTokenMfaSettings],
    ['EMAIL_OTP', input.EmailMfaSettings],
  ];
  const enabled = new Set(user.mfa.enabled ?? []);
  return given.every(([f, v]) => !v || (enabled.has(f) === (v.Enabled === true) && (user.mfa.preferred === f) === (v.PreferredMfa === true && v.Enabled === true)));
}

/**
 * The schema of an existing pool with the file's: the attributes both have must be the same (a
 * schema attribute cannot change); the file's new custom attributes are added (AddCustomAttributes);
 * custom attributes the pool has and the file does not name stay (they cannot be removed).
 */
function mergeSchema(current: PoolSettings, desired: PoolSettings): SchemaAttributeType[] {
  const have = new Map((current.SchemaAttributes ?? []).map((a) => [a.Name!, a]));
  const added: SchemaAttributeType[] = [];
  for (const a of desired.SchemaAttributes ?? []) {
    const c = have.get(a.Name!);
    if (!c) {
      added.push(a);
    } else if (!same(c, a)) {
      // Message ours.
      throw errors.invalidParameter(`The schema attribute ${a.Name} of the existing pool cannot change (${JSON.stringify(c)}): put it back, or delete the pool.`);
    }
  }
  if (!added.length) return current.SchemaAttributes ?? [];
  // AddCustomAttributes's checks (names unique, at most 50 custom attributes); the file gives the
  // stored names (custom:x), AddCustomAttributes the bare ones.
  return withCustomAttributes(current, added.map((a) => ({ ...a, Name: a.Name!.replace(/^(dev:)?custom:/, '') })));
}

/** The pools of a region named `name`. */
async function poolsNamed(store: Store, region: string, name: string): Promise<PoolRecord[]> {
  const out: PoolRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.pools.list(region, after, 60);
    out.push(...page.filter((p) => p.name === name));
    if (page.length < 60) return out;
    after = page[page.length - 1]!.id;
  }
}

export async function allClients(store: Store, poolId: string): Promise<ClientRecord[]> {
  const out: ClientRecord[] = [];
  let after: string | undefined;
  for (;;) {
    const page = await store.clients.list(poolId, after, 60);
    out.push(...page);
    if (page.length < 60) return out;
    after = page[page.length - 1]!.id;
  }
}
