/**
 * Users: usernames (case sensitivity, username attributes), the unique sign-in identifiers a user
 * holds (aliases), finding a user by username, alias or sub, and the wire form of a user.
 */
import { randomUUID } from 'node:crypto';
import { errors } from '../protocol/errors.js';
import type { AliasClaim, PoolRecord, Store, UserProfile, UserRecord } from '../store/types.js';
import { isTrue, toList, type Attributes } from './attributes.js';
import type { PoolSettings } from './pool-settings.js';
import { mfaOptionsOf } from './mfa.js';

const EMAIL = /^[^\s@]+@[^\s@]+$/;
const PHONE = /^\+[0-9]{4,15}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

/**
 * What decides which user a name refers to in a pool: its case sensitivity, username attributes and
 * alias attributes. All three are fixed when the pool is created (UpdateUserPool keeps them:
 * pool-settings.ts), so a node may remember them (see loadUserProfile). A PoolRecord is one.
 */
export interface UsernameRules {
  id: string;
  createdAt: number;
  settings: Pick<PoolSettings, 'UsernameConfiguration' | 'UsernameAttributes' | 'AliasAttributes'>;
}

/** Pools created through the API are case-sensitive unless UsernameConfiguration says otherwise. */
export function caseSensitive(pool: UsernameRules): boolean {
  return pool.settings.UsernameConfiguration?.CaseSensitive ?? true;
}

/** The key a username is stored and compared under. */
export function usernameKey(pool: UsernameRules, username: string): string {
  return caseSensitive(pool) ? username : username.toLowerCase();
}

/** The key an alias value is compared under: emails always case-insensitively. */
export function aliasKey(pool: UsernameRules, kind: string, value: string): string {
  return kind === 'email' || !caseSensitive(pool) ? value.toLowerCase() : value;
}

/**
 * The username a new user gets from the name given to SignUp/AdminCreateUser, and the attributes
 * that name implies. With UsernameAttributes the name must be an email or phone number, becomes
 * that attribute, and the username is a UUID (the sub), as in Cognito.
 */
export function newUsername(pool: PoolRecord, given: string, attrs: Attributes): { username: string; sub: string; attrs: Attributes } {
  const sub = randomUUID();
  const usernameAttrs = pool.settings.UsernameAttributes ?? [];
  if (usernameAttrs.length) {
    const email = usernameAttrs.includes('email') && EMAIL.test(given);
    const phone = usernameAttrs.includes('phone_number') && PHONE.test(given);
    if (!email && !phone) {
      throw errors.invalidParameter(
        usernameAttrs.length === 2
          ? 'Username should be either an email or a phone number.'
          : usernameAttrs[0] === 'email'
            ? 'Username should be an email.'
            : 'Username should be a phone number.',
      );
    }
    const attr = email ? 'email' : 'phone_number';
    if (attrs[attr] !== undefined && attrs[attr] !== given) {
      throw errors.invalidParameter(`The ${attr} attribute must be the same as the username given.`);
    }
    return { username: sub, sub, attrs: { ...attrs, [attr]: given } };
  }
  for (const alias of pool.settings.AliasAttributes ?? []) {
    if (alias === 'email' && EMAIL.test(given)) {
      throw errors.invalidParameter('Username cannot be of email format, since user pool is configured for email alias.');
    }
    if (alias === 'phone_number' && PHONE.test(given)) {
      throw errors.invalidParameter('Username cannot be of phone number format, since user pool is configured for phone number alias.');
    }
  }
  return { username: given, sub, attrs };
}

/**
 * The unique identifiers the user holds now. Username attributes are held from creation; aliases
 * once the user is confirmed (email and phone also verified).
 */
export function aliasClaims(pool: PoolRecord, user: Pick<UserRecord, 'status' | 'attributes'>): AliasClaim[] {
  const claims: AliasClaim[] = [];
  const a = user.attributes;
  for (const kind of pool.settings.UsernameAttributes ?? []) {
    if (a[kind]) claims.push({ kind, valueKey: aliasKey(pool, kind, a[kind]!) });
  }
  if (user.status !== 'UNCONFIRMED') {
    for (const kind of pool.settings.AliasAttributes ?? []) {
      const value = a[kind];
      if (!value) continue;
      if (kind === 'email' && !isTrue(a.email_verified)) continue;
      if (kind === 'phone_number' && !isTrue(a.phone_number_verified)) continue;
      claims.push({ kind, valueKey: aliasKey(pool, kind, value) });
    }
  }
  return claims;
}

/** The kinds of alias a name may be, in the order they are tried: username attributes, then aliases. */
function aliasKinds(pool: UsernameRules): string[] {
  const u = pool.settings.UsernameAttributes ?? [];
  const a = pool.settings.AliasAttributes ?? [];
  return a.length === 0 ? u : [...new Set<string>([...u, ...a])];
}

/**
 * The user a name refers to when it is not a username: the holder of one of its username attributes
 * or aliases (tried in that order), or the user whose sub it is. `kindsTried`: the first kinds of
 * aliasKinds already looked up (and not found).
 */
async function byAliasOrSub(store: Store, pool: UsernameRules, name: string, kindsTried = 0): Promise<UserRecord | undefined> {
  const kinds = aliasKinds(pool).slice(kindsTried);
  if (kinds.length) {
    // Each kind's value key, looked up together (one statement on PostgreSQL); the first kind wins.
    const holders = await store.reads.byAliases(
      pool.id,
      kinds.map((kind) => ({ kind, valueKey: aliasKey(pool, kind, name) })),
    );
    for (const kind of kinds) {
      const h = holders.find((c) => c.via === kind);
      if (h) return h.user;
    }
  }
  if (UUID.test(name)) return store.reads.userBySub(pool.id, name.toLowerCase());
  return undefined;
}

/** The user a name refers to: its username, one of its aliases or username attributes, or its sub. */
export async function findUser(store: Store, pool: PoolRecord, name: string): Promise<UserRecord | undefined> {
  return (await store.reads.userByKey(pool.id, usernameKey(pool, name))) ?? byAliasOrSub(store, pool, name);
}

/** As findUser, or UserNotFoundException "User does not exist." */
export async function loadUser(store: Store, pool: PoolRecord, name: string): Promise<UserRecord> {
  const u = await findUser(store, pool, name);
  if (!u) throw errors.userNotFound('User does not exist.');
  return u;
}

/**
 * The pool (ResourceNotFoundException when there is none) and the user a name refers to in it
 * (UserNotFoundException), as loadPool then loadUser find them: in one statement when the name is
 * a username.
 */
export async function loadPoolAndUser(store: Store, poolId: string, name: string): Promise<{ pool: PoolRecord; user: UserRecord }> {
  const found = await store.reads.poolAndUsers(poolId, name);
  if (!found) throw errors.resourceNotFound(`User pool ${poolId} does not exist.`);
  const { pool, byUsername } = found;
  // The statement found the users keyed by the name and by its lower-case form: the pool's case
  // sensitivity says which key the name has.
  const key = usernameKey(pool, name);
  const user = byUsername.find((c) => c.viaKey === key)?.user ?? (await byAliasOrSub(store, pool, name));
  if (!user) throw errors.userNotFound('User does not exist.');
  return { pool, user };
}

/**
 * The pools' username rules this node has read, by store and pool id. Only rules fixed at a pool's
 * creation are kept (never its other settings, which UpdateUserPool and AddCustomAttributes change),
 * and every use still reads the pool's row: a deleted pool is seen at once, and a pool that came back
 * under the same id (another creation time) is read again. Several nodes on one database stay
 * consistent: the rules cannot change while the pool exists.
 */
const knownRules = new WeakMap<Store, Map<string, UsernameRules>>();

async function learnRules(store: Store, poolId: string): Promise<UsernameRules> {
  const pool = await store.pools.get(poolId);
  if (!pool) throw errors.resourceNotFound(`User pool ${poolId} does not exist.`);
  const { UsernameConfiguration, UsernameAttributes, AliasAttributes } = pool.settings;
  const rules: UsernameRules = { id: pool.id, createdAt: pool.createdAt, settings: { UsernameConfiguration, UsernameAttributes, AliasAttributes } };
  let known = knownRules.get(store);
  if (!known) knownRules.set(store, (known = new Map()));
  if (known.size >= 10_000) known.clear();
  known.set(poolId, rules);
  return rules;
}

/**
 * The user a name refers to in a pool (ResourceNotFoundException, UserNotFoundException as
 * loadPoolAndUser), for the operations that only show a user (AdminGetUser). One statement when
 * the name is a username: with the pool's username rules known, it reads the pool's creation time
 * and the one user of the name's key without credentials, not the pool's settings. Names that are
 * aliases or subs take byAliasOrSub's reads (whole users).
 */
export async function loadUserProfile(store: Store, poolId: string, name: string): Promise<UserProfile> {
  let rules = knownRules.get(store)?.get(poolId) ?? (await learnRules(store, poolId));
  let found = await readProfile(store, rules, name);
  if (found && found.poolCreatedAt !== rules.createdAt) {
    rules = await learnRules(store, poolId);
    found = await readProfile(store, rules, name);
  }
  if (!found) {
    knownRules.get(store)?.delete(poolId);
    throw errors.resourceNotFound(`User pool ${poolId} does not exist.`);
  }
  const user = found.user ?? found.byAlias ?? (await byAliasOrSub(store, rules, name, found.kindsTried));
  if (!user) throw errors.userNotFound('User does not exist.');
  return user;
}

/**
 * The pool's creation time and the user of the name's username key; when the name may be the first
 * kind of alias tried (byAliasOrSub's order: an email-shaped name and email, a phone-shaped one and
 * phone_number, any name and preferred_username), also the holder of that alias, in the same
 * statement. `kindsTried`: how many kinds of aliasKinds that covers. Either way the same user is
 * found (byAliasOrSub tries the rest); the shape only spares a name that is a username (the usual
 * case in a pool with aliases) the alias read: a join of four tables instead of two, planned at
 * each execution on PostgreSQL.
 */
async function readProfile(
  store: Store,
  rules: UsernameRules,
  name: string,
): Promise<{ poolCreatedAt: number; user: UserProfile | undefined; byAlias?: UserProfile; kindsTried: number } | undefined> {
  const [kind] = aliasKinds(rules);
  const mayBeAlias = kind === 'email' ? EMAIL.test(name) : kind === 'phone_number' ? PHONE.test(name) : kind !== undefined;
  if (kind === undefined || !mayBeAlias) {
    const found = await store.reads.poolAndProfile(rules.id, usernameKey(rules, name));
    return found && { ...found, kindsTried: 0 };
  }
  const found = await store.reads.poolProfileAndAlias(rules.id, usernameKey(rules, name), { kind, valueKey: aliasKey(rules, kind, name) });
  return found && { poolCreatedAt: found.poolCreatedAt, user: found.user, byAlias: found.byAlias, kindsTried: 1 };
}

/** UserType, as AdminCreateUser and ListUsers return it. */
export function renderUser(u: UserProfile, only?: Set<string>) {
  const mfa = mfaOptionsOf(u.mfa);
  return {
    Username: u.username,
    Attributes: toList(u.sub, u.attributes, only),
    UserCreateDate: u.createdAt / 1000,
    UserLastModifiedDate: u.updatedAt / 1000,
    Enabled: u.enabled,
    UserStatus: u.status,
    ...(mfa ? { MFAOptions: mfa } : {}),
  };
}
