/**
 * UserMigration: a user the pool does not have, signing in with a password
 * (UserMigration_Authentication) or asking for a password-reset code (UserMigration_ForgotPassword),
 * is looked up by the pool's function in the app's old directory and, when it answers with the
 * user's attributes, created here (AWS developer guide "Migrate user Lambda trigger" and "Importing
 * users with a user migration Lambda trigger"; DefinitelyTyped user-migration.d.ts).
 *
 *   request  { password (sign-in only), validationData (InitiateAuth's ClientMetadata), clientMetadata }
 *   response { userAttributes, finalUserStatus (CONFIRMED | RESET_REQUIRED), messageAction (SUPPRESS |
 *              RESEND), desiredDeliveryMediums (SMS | EMAIL), forceAliasCreation, enableSMSMFA }
 *
 * The answer is checked in full before anything is written; then the user is inserted in one
 * transaction (its password hashed and its SRP verifier sealed, as every password is), and only
 * then the welcome message goes out. An answer without attributes means "no such user in the old
 * directory either": the caller answers as for any unknown user (a simulated answer under
 * PreventUserExistenceErrors, the developer guide's "Managing error responses").
 * docs/decisions.md, "UserMigration".
 */
import { checkRequired, checkValues } from '../domain/attributes.js';
import { passwordFields } from '../domain/credentials.js';
import { sendWelcome, type Medium } from '../domain/notify.js';
import { insertUser } from '../domain/user-writes.js';
import { newUsername, usernameKey } from '../domain/users.js';
import type { MfaFactor } from '../domain/mfa.js';
import { CognitoError, errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { PoolRecord, UserRecord } from '../store/types.js';
import { configured, runTrigger } from './catalog.js';
import { replyBoolean } from './reply.js';

export type MigrationSource = 'UserMigration_Authentication' | 'UserMigration_ForgotPassword';

/** What the function answered, checked. */
export interface MigrationAnswer {
  userAttributes: Record<string, string>;
  finalUserStatus: 'CONFIRMED' | 'RESET_REQUIRED';
  messageAction: 'SUPPRESS' | 'RESEND' | undefined;
  desiredDeliveryMediums: Medium[] | undefined;
  forceAliasCreation: boolean;
  enableSMSMFA: boolean;
}

/** Whether the pool names a UserMigration function (the engine asks before it answers "no such user"). */
export const migrates = (pool: PoolRecord): boolean => configured(pool, 'UserMigration') !== undefined;

/**
 * Cognito answers a migration whose result it cannot use with UserNotFoundException and the reason
 * (AWS re:Post "How do I troubleshoot user migration Lambda trigger errors in Amazon Cognito?":
 * "Attributes did not conform to the schema: ...", an invalid finalUserStatus, messageAction or
 * desiredDeliveryMediums): the user was not migrated, so it still does not exist.
 */
const notMigrated = (why: string) => errors.userNotFound(why);

/** A string value as the function gave it: strings, and numbers and booleans written as text (Cognito reads a string map). */
function text(v: unknown): string | undefined {
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return undefined;
}

/**
 * The function's `response`, checked: undefined when it gave no attributes (the user is not in the
 * old directory either); InvalidLambdaResponseException when a member has the wrong shape;
 * UserNotFoundException naming the member whose value Cognito does not take.
 */
export function readAnswer(response: Record<string, unknown>): MigrationAnswer | undefined {
  const ua = response.userAttributes;
  if (ua === undefined || ua === null) return undefined;
  if (typeof ua !== 'object' || Array.isArray(ua)) throw errors.invalidLambdaResponse('Invalid lambda response: userAttributes must be a map of attribute names to string values.');
  const userAttributes: Record<string, string> = {};
  for (const [name, value] of Object.entries(ua as Record<string, unknown>)) {
    const v = text(value);
    if (v === undefined) throw errors.invalidLambdaResponse(`Invalid lambda response: the value of userAttributes.${name} must be a string.`);
    userAttributes[name] = v;
  }
  if (Object.keys(userAttributes).length === 0) return undefined;

  const status = response.finalUserStatus ?? null;
  if (status !== null && status !== 'CONFIRMED' && status !== 'RESET_REQUIRED') {
    throw notMigrated(`Invalid finalUserStatus ${JSON.stringify(status)}: a migrated user is CONFIRMED or RESET_REQUIRED.`);
  }
  const action = response.messageAction ?? null;
  if (action !== null && action !== 'SUPPRESS' && action !== 'RESEND') {
    throw notMigrated(`Invalid messageAction ${JSON.stringify(action)}: SUPPRESS (no welcome message) or RESEND.`);
  }
  const mediums = response.desiredDeliveryMediums ?? null;
  if (mediums !== null && (!Array.isArray(mediums) || mediums.some((m) => m !== 'SMS' && m !== 'EMAIL'))) {
    throw notMigrated(`Invalid desiredDeliveryMediums ${JSON.stringify(mediums)}: a list of SMS and EMAIL.`);
  }
  const flag = (name: 'forceAliasCreation' | 'enableSMSMFA'): boolean => replyBoolean(response[name]);
  return {
    userAttributes,
    finalUserStatus: status ?? 'CONFIRMED',
    messageAction: action ?? undefined,
    desiredDeliveryMediums: mediums === null ? undefined : [...new Set(mediums as Medium[])],
    forceAliasCreation: flag('forceAliasCreation'),
    enableSMSMFA: flag('enableSMSMFA'),
  };
}

/** The welcome message's channels: the ones asked for that the user has, else the phone, else the email (Cognito's default is SMS). */
function welcomeMediums(answer: MigrationAnswer, user: UserRecord): Medium[] {
  const has = (m: Medium) => (m === 'EMAIL' ? !!user.attributes.email : !!user.attributes.phone_number);
  if (answer.desiredDeliveryMediums?.length) return answer.desiredDeliveryMediums.filter(has);
  return has('SMS') ? ['SMS'] : has('EMAIL') ? ['EMAIL'] : [];
}

/**
 * The user the answer describes, not yet written: its username as SignUp would make it from the
 * name signed in with (a UUID in pools that sign in with email or phone), the attributes checked
 * against the schema (as AdminCreateUser checks them: the password policy is not applied, as the
 * guide says for migration), the status, SMS MFA.
 */
async function buildUser(ctx: Ctx, pool: PoolRecord, name: string, answer: MigrationAnswer, source: MigrationSource, password: string | undefined): Promise<UserRecord> {
  let built: ReturnType<typeof newUsername>;
  try {
    built = newUsername(pool, name, answer.userAttributes);
    checkValues(built.attrs, pool.settings);
    checkRequired(built.attrs, pool.settings);
    if (answer.enableSMSMFA && !built.attrs.phone_number) throw errors.invalidParameter('User does not have delivery config set to turn on SMS_MFA');
  } catch (e) {
    // The function's answer does not fit the pool: the user is not migrated (UserNotFoundException, as Cognito answers).
    if (e instanceof CognitoError && e.type === 'InvalidParameterException') throw notMigrated(e.message);
    throw e;
  }
  const { username, sub, attrs } = built;
  // A forgotten password has no password to keep: the user sets one with the code.
  const status = source === 'UserMigration_ForgotPassword' ? 'RESET_REQUIRED' : answer.finalUserStatus;
  const credentials =
    password !== undefined ? await passwordFields(ctx.secrets, pool, username, password, ctx.now) : { passwordHash: null, srpVerifier: null, passwordUpdatedAt: null };
  const smsMfa: MfaFactor[] = ['SMS_MFA'];
  return {
    poolId: pool.id,
    username,
    usernameKey: usernameKey(pool, username),
    sub,
    status,
    enabled: true,
    attributes: attrs,
    ...credentials,
    mfa: answer.enableSMSMFA ? { enabled: smsMfa, preferred: 'SMS_MFA' } : {},
    extra: {},
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
}

/**
 * Runs the pool's UserMigration function for `name` and creates the user it describes. Returns the
 * new user; undefined when the pool has no UserMigration function or the function knows no such
 * user. `beforeWrite` may refuse the user before it is written (the reset's delivery check).
 * A UsernameExistsException means another request migrated the same user meanwhile.
 */
export async function migrateUser(
  ctx: Ctx,
  pool: PoolRecord,
  e: {
    source: MigrationSource;
    clientId: string;
    name: string;
    password?: string;
    validationData?: Record<string, string> | undefined;
    clientMetadata?: Record<string, string> | undefined;
    beforeWrite?: (user: UserRecord) => void;
  },
): Promise<UserRecord | undefined> {
  const response = await runTrigger(ctx, pool, 'UserMigration', e.source, {
    userName: e.name,
    clientId: e.clientId,
    request: {
      ...(e.password !== undefined ? { password: e.password } : {}),
      ...(e.validationData ? { validationData: e.validationData } : {}),
      ...(e.clientMetadata ? { clientMetadata: e.clientMetadata } : {}),
    },
  });
  if (!response) return undefined;
  const answer = readAnswer(response);
  if (!answer) return undefined;
  const user = await buildUser(ctx, pool, e.name, answer, e.source, e.password);
  e.beforeWrite?.(user);
  await ctx.store.transaction((tx) => insertUser(tx, pool, user, { existsMessage: 'User account already exists', forceAlias: answer.forceAliasCreation, now: ctx.now }));
  if (answer.messageAction !== 'SUPPRESS') await sendWelcome(ctx.delivery, pool, user, welcomeMediums(answer, user));
  return user;
}
