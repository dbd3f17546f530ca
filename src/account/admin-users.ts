/**
 * The administrator's user use-cases, shared by the Admin* operations (src/operations/users,
 * src/operations/groups) and the web console (src/console): create a user (with its invitation),
 * set a password, confirm, enable / disable, delete, add to and remove from a group, list users
 * through the ListUsers filters. Each takes the operation's request (validated against the service
 * model by its caller) and answers what the operation answers.
 */
import type {
  AdminAddUserToGroupRequest,
  AdminConfirmSignUpRequest,
  AdminCreateUserRequest,
  AdminDeleteUserRequest,
  AdminRemoveUserFromGroupRequest,
  AdminSetUserPasswordRequest,
  ListUsersRequest,
} from '@aws-sdk/client-cognito-identity-provider';
import { checkRequired, checkValues, toMap } from '../domain/attributes.js';
import { sendInvitation, type Medium } from '../domain/notify.js';
import { checkPassword, temporaryPassword } from '../domain/passwords.js';
import { passwordFields } from '../domain/credentials.js';
import { findUser, loadPoolAndUser, loadUser, newUsername, renderUser, usernameKey } from '../domain/users.js';
import { insertUser, lockUser, saveUser } from '../domain/user-writes.js';
import { errors } from '../protocol/errors.js';
import { FILTERABLE_ATTRIBUTES } from '../store/repos/users.js';
import type { PoolRecord, UserFilter, UserProfile, UserRecord } from '../store/types.js';
import type { Ctx } from '../operations/context.js';
import { decodeToken, encodeToken } from '../operations/pagination.js';
import { loadPool } from '../operations/pools/shared.js';
import { loadGroup, MAX_GROUPS_PER_USER } from '../operations/groups/shared.js';
import { preSignUp } from './sign-up.js';
import { poolFirstFactors } from '../signin/index.js';

// ---- AdminCreateUser ----

/** Which channels the invitation goes over: the ones asked for, or the phone else the email (Cognito's default is SMS). */
function mediums(input: AdminCreateUserRequest, user: UserRecord): Medium[] {
  const has = (m: Medium) => (m === 'EMAIL' ? !!user.attributes.email : !!user.attributes.phone_number);
  if (input.DesiredDeliveryMediums?.length) {
    const wanted = [...new Set(input.DesiredDeliveryMediums)] as Medium[];
    if (!wanted.some(has)) throw errors.invalidParameter('User has no attribute matching desired delivery mediums');
    return wanted.filter(has);
  }
  return has('SMS') ? ['SMS'] : has('EMAIL') ? ['EMAIL'] : [];
}

async function resend(input: AdminCreateUserRequest, pool: PoolRecord, ctx: Ctx) {
  const user = await findUser(ctx.store, pool, input.Username!);
  if (!user) throw errors.userNotFound('User does not exist.');
  const notResendable = () => errors.unsupportedUserState(`Resend not possible. ${user.username} status is not FORCE_CHANGE_PASSWORD.`);
  if (user.status !== 'FORCE_CHANGE_PASSWORD') throw notResendable();
  const temp = input.TemporaryPassword ?? temporaryPassword(pool.settings);
  checkPassword(temp, pool.settings, 'passwordPolicy');
  const password = await passwordFields(ctx.secrets, pool, user.username, temp, ctx.now);
  // The write-back goes on the locked row, re-read: a change made meanwhile (attributes, enabled,
  // status) is kept rather than overwritten by the copy read above.
  const updated = await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    if (u.status !== 'FORCE_CHANGE_PASSWORD') throw notResendable();
    const next = { ...u, ...password, updatedAt: ctx.now };
    await tx.users.update(next);
    return next;
  });
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  await sendInvitation(ctx, pool, updated, mediums(input, updated), temp);
  return { User: renderUser(updated) };
}

/** AdminCreateUser: a FORCE_CHANGE_PASSWORD user with a temporary password, invited unless SUPPRESS; RESEND sends the invitation again. */
export async function adminCreateUser(input: AdminCreateUserRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  if (input.MessageAction === 'RESEND') return resend(input, pool, ctx);
  const { username, sub, attrs } = newUsername(pool, input.Username!, toMap(input.UserAttributes));
  checkValues(attrs, pool.settings);
  checkRequired(attrs, pool.settings);
  // Without TemporaryPassword in a pool with passwordless sign-in, a user without a password
  // (TemporaryPassword: "If you don't specify a value, Amazon Cognito generates one for you unless
  // you have passwordless options active for your user pool"), CONFIRMED: only a user with a
  // password is FORCE_CHANGE_PASSWORD ("if the user has a password, they will be in the
  // FORCE_CHANGE_PASSWORD state"). Blank is absent (src/protocol/validate.ts).
  const passwordless = input.TemporaryPassword === undefined && poolFirstFactors(pool).some((f) => f === 'EMAIL_OTP' || f === 'SMS_OTP');
  const temp = passwordless ? undefined : (input.TemporaryPassword ?? temporaryPassword(pool.settings));
  if (temp !== undefined) checkPassword(temp, pool.settings, 'passwordPolicy');
  const user: UserRecord = {
    poolId: pool.id,
    username,
    usernameKey: usernameKey(pool, username),
    sub,
    status: temp === undefined ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD',
    enabled: true,
    attributes: attrs,
    ...(temp !== undefined ? await passwordFields(ctx.secrets, pool, username, temp, ctx.now) : { passwordHash: null, srpVerifier: null, passwordUpdatedAt: null }),
    mfa: {},
    extra: {},
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  const channels = input.MessageAction === 'SUPPRESS' ? [] : mediums(input, user);
  // PreSignUp_AdminCreateUser: it may refuse; its autoConfirmUser / autoVerify answers are ignored.
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  await preSignUp(ctx, pool, 'PreSignUp_AdminCreateUser', undefined, username, attrs, input.ValidationData);
  await ctx.store.transaction((tx) =>
    insertUser(tx, pool, user, { existsMessage: 'User account already exists', forceAlias: input.ForceAliasCreation ?? false, now: ctx.now }),
  );
  await sendInvitation(ctx, pool, user, channels, temp);
  return { User: renderUser(user) };
}

// ---- AdminSetUserPassword, AdminConfirmSignUp, AdminEnableUser / AdminDisableUser, AdminDeleteUser ----

/** Permanent: the user is CONFIRMED with this password; otherwise it is temporary (FORCE_CHANGE_PASSWORD). */
export async function adminSetUserPassword(input: AdminSetUserPasswordRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  checkPassword(input.Password!, pool.settings);
  const found = await loadUser(ctx.store, pool, input.Username!);
  const password = await passwordFields(ctx.secrets, pool, found.username, input.Password!, ctx.now);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, input.Username!);
    const status = input.Permanent ? 'CONFIRMED' : 'FORCE_CHANGE_PASSWORD';
    await saveUser(tx, pool, { ...u, status, ...password, updatedAt: ctx.now }, { now: ctx.now });
    await tx.codes.delete(pool.id, u.usernameKey, 'FORGOT_PASSWORD');
  });
  return {};
}

export async function adminConfirmSignUp(input: AdminConfirmSignUpRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, input.Username!);
    if (u.status !== 'UNCONFIRMED') throw errors.notAuthorized(`User cannot be confirmed. Current status is ${u.status}`);
    await saveUser(tx, pool, { ...u, status: 'CONFIRMED', updatedAt: ctx.now }, { now: ctx.now });
    await tx.codes.delete(pool.id, u.usernameKey, 'SIGN_UP');
  });
  return {};
}

/**
 * AdminEnableUser / AdminDisableUser: the Enabled flag. Disabling also revokes the user's sign-ins
 * ("Deactivates a user profile and revokes all access tokens for the user", the API reference), with
 * their refresh tokens, as a global sign-out does: enabling the user again does not bring them back.
 */
export async function adminSetUserEnabled(poolId: string, name: string, enabled: boolean, ctx: Ctx) {
  const pool = await loadPool(ctx.store, poolId);
  await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, name);
    await tx.users.update({ ...u, enabled, updatedAt: ctx.now });
    if (!enabled) await tx.tokens.revokeUser(pool.id, u.usernameKey, ctx.now);
  });
  return {};
}

/** Deletes the user with its aliases, codes and group memberships (ON DELETE CASCADE). */
export async function adminDeleteUser(input: AdminDeleteUserRequest, ctx: Ctx) {
  const { pool, user: u } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  if (!(await ctx.store.users.delete(pool.id, u.usernameKey))) throw errors.userNotFound('User does not exist.');
  return {};
}

// ---- AdminAddUserToGroup, AdminRemoveUserFromGroup ----

/**
 * Adds the user (named by username, alias or sub) to the group; adding a member again is a
 * success. The group is checked first, then the user (ResourceNotFoundException "Group not found."
 * / UserNotFoundException "User does not exist."; the order when both are missing is unverified).
 * In the transaction the group is share-locked (a concurrent DeleteGroup waits) and the user
 * locked (two concurrent adds of one user cannot both pass the 100-groups quota).
 */
export async function adminAddUserToGroup(input: AdminAddUserToGroupRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  await ctx.store.transaction(async (tx) => {
    const group = await loadGroup(tx, pool.id, input.GroupName!, { forShare: true });
    const user = await lockUser(tx, pool, input.Username!);
    if (await tx.groups.isMember(pool.id, group.name, user.usernameKey)) return;
    if ((await tx.groups.countForUser(pool.id, user.usernameKey)) >= MAX_GROUPS_PER_USER) {
      // Message ours (unverified): Cognito's wording for this quota is not documented.
      throw errors.limitExceeded(`A user can belong to at most ${MAX_GROUPS_PER_USER} groups.`);
    }
    await tx.groups.addMember(pool.id, group.name, user.usernameKey);
  });
  return {};
}

/** Removes the user from the group; removing a user who is not a member is a success. Checks as adminAddUserToGroup. */
export async function adminRemoveUserFromGroup(input: AdminRemoveUserFromGroupRequest, ctx: Ctx) {
  const pool = await loadPool(ctx.store, input.UserPoolId!);
  const group = await loadGroup(ctx.store, pool.id, input.GroupName!);
  const user = await loadUser(ctx.store, pool, input.Username!);
  await ctx.store.groups.removeMember(pool.id, group.name, user.usernameKey);
  return {};
}

// ---- ListUsers ----

/** The attributes a ListUsers filter may name. */
export const SEARCHABLE_ATTRIBUTES: readonly string[] = ['username', 'sub', 'cognito:user_status', 'status', ...FILTERABLE_ATTRIBUTES];
const SEARCHABLE = new Set<string>(SEARCHABLE_ATTRIBUTES);
const FILTER = /^\s*([\w:]+)\s*(\^?=)\s*"((?:[^"\\]|\\.)*)"\s*$/;

/** `attr = "value"` or `attr ^= "value"` (prefix), Cognito's ListUsers filter language. */
export function parseFilter(pool: PoolRecord | undefined, filter: string | undefined): UserFilter | undefined {
  if (filter === undefined || filter.trim() === '') return undefined;
  const m = FILTER.exec(filter);
  // Cognito's text for any filter it cannot parse (aws/aws-sdk-php#1088, #1961).
  if (!m) throw errors.invalidParameter('Error while parsing filter.');
  const attr = m[1]!;
  if (!SEARCHABLE.has(attr)) {
    throw errors.invalidParameter(`Invalid search attribute: ${attr}. Searchable: ${[...SEARCHABLE].join(', ')}.`);
  }
  let value = m[3]!.replace(/\\(.)/g, '$1');
  if (attr === 'username') {
    if (!pool) throw new Error('a username filter needs the pool');
    value = usernameKey(pool, value);
  }
  // cognito:user_status is case-insensitive (the model's ListUsers.Filter text); statuses are stored upper-case.
  if (attr === 'cognito:user_status') value = value.toUpperCase();
  return { attr, value, prefix: m[2] === '^=' };
}

/** A filter for ListUsers: `attr = "value"` (or `^=`), the value's quotes and backslashes escaped. */
export function filterText(attr: string, prefix: boolean, value: string): string {
  return `${attr} ${prefix ? '^=' : '='} "${value.replace(/["\\]/g, (c) => `\\${c}`)}"`;
}

/** A stable order (by username, or by the filtered value then username), paged through an index. */
export async function listUsers(input: ListUsersRequest, ctx: Ctx) {
  const poolId = input.UserPoolId!;
  const kind = `users/${poolId}/${input.Filter ?? ''}`;
  const limit = input.Limit || 60;
  // The filter and the token read before the pool when they do not depend on it (a filter on username
  // does: its key follows the pool's case sensitivity), so that the store may read the pool and the
  // page together (one statement on PostgreSQL). Anything wrong with them is reported after the
  // pool's existence, as before: the pool first, then the filter, then the token.
  let early: { filter: UserFilter | undefined; after: string | undefined } | undefined;
  try {
    if (!/^\s*username\s*\^?=/.test(input.Filter ?? '')) early = { filter: parseFilter(undefined, input.Filter), after: decodeToken(kind, input.PaginationToken, 'PaginationToken') };
  } catch {
    early = undefined;
  }
  const found = early && (await ctx.store.users.listWithPool(poolId, { ...early, limit }, () => ctx.store.pools.get(poolId)));
  if (early && !found) throw errors.resourceNotFound(`User pool ${poolId} does not exist.`);
  let pool: PoolRecord, users: UserProfile[], cursor: string | undefined;
  if (found) ({ pool, users, cursor } = found);
  else {
    pool = await loadPool(ctx.store, poolId);
    const filter = parseFilter(pool, input.Filter);
    const after = decodeToken(kind, input.PaginationToken, 'PaginationToken');
    ({ users, cursor } = await ctx.store.users.list(pool.id, { filter, after, limit }));
  }
  const only = input.AttributesToGet ? new Set(input.AttributesToGet) : undefined;
  if (only) checkAttributesToGet(pool, only, users);
  return {
    Users: users.map((u) => renderUser(u, only)),
    ...(cursor !== undefined ? { PaginationToken: encodeToken(kind, cursor) } : {}),
  };
}

/**
 * Cognito answers AttributesToGet naming an attribute that is not in the pool's schema, or that a
 * user of the results has no value for, with "One or more requested attributes do not exist."
 * (the model's AttributesToGet text; aws/aws-sdk-js#2570, #3091). `sub` is always there.
 */
function checkAttributesToGet(pool: PoolRecord, names: Set<string>, users: UserProfile[]): void {
  const schema = new Set((pool.settings.SchemaAttributes ?? []).map((a) => a.Name!));
  for (const name of names) {
    if (name === 'sub') continue;
    if (!schema.has(name) || users.some((u) => u.attributes[name] === undefined)) {
      throw errors.invalidParameter('One or more requested attributes do not exist.');
    }
  }
}
