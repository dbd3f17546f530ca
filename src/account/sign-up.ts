/**
 * Self-service sign-up and its confirmation, for the API (SignUp, ConfirmSignUp,
 * ResendConfirmationCode) and the hosted pages (/signup, /confirm, /resendCode, the confirmation
 * link): each takes the app client and pool the request names, and the request's members.
 */
import { recordAuthEvent } from '../domain/auth-events.js';
import type { AttributeType, ConfirmSignUpRequest, ResendConfirmationCodeRequest, SignUpRequest } from '@aws-sdk/client-cognito-identity-provider';
import { checkClientMayWrite, checkRequired, checkValues, toMap } from '../domain/attributes.js';
import { checkCode, codeMismatch, issueCode, useCode } from '../domain/codes.js';
import { passwordFields } from '../domain/credentials.js';
import { sendCode, signUpChannel } from '../domain/notify.js';
import { checkPassword } from '../domain/passwords.js';
import { checkSecretHash } from '../domain/secret-hash.js';
import { insertUser, lockUser, saveUser } from '../domain/user-writes.js';
import { newUsername, usernameKey } from '../domain/users.js';
import { errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { NO_CLIENT, runTrigger, userAttributes } from '../triggers/catalog.js';
import { replyBoolean } from '../triggers/reply.js';
import { hidesUsers, notFound, simulated, userForClient } from './shared.js';
import { allowsUserAuth, openSignUpSession, poolFirstFactors } from '../signin/index.js';

/** PostConfirmation_ConfirmSignUp / _ConfirmForgotPassword, after the write (a failing function does not undo it). */
export async function postConfirmation(ctx: Ctx, pool: PoolRecord, clientId: string, user: UserRecord, source: 'PostConfirmation_ConfirmSignUp' | 'PostConfirmation_ConfirmForgotPassword') {
  await runTrigger(ctx, pool, 'PostConfirmation', source, {
    userName: user.username,
    clientId,
    request: { userAttributes: userAttributes(user, true), ...(ctx.clientMetadata ? { clientMetadata: ctx.clientMetadata } : {}) },
  });
}

/**
 * PreSignUp, before anything is written (a refusal leaves no user): its answer for SignUp, ignored
 * for AdminCreateUser (as Cognito ignores it there).
 */
export async function preSignUp(
  ctx: Ctx,
  pool: PoolRecord,
  source: 'PreSignUp_SignUp' | 'PreSignUp_AdminCreateUser',
  clientId: string | undefined,
  username: string,
  attrs: Record<string, string>,
  validationData: AttributeType[] | undefined,
): Promise<{ autoConfirmUser: boolean; autoVerifyEmail: boolean; autoVerifyPhone: boolean }> {
  const r = await runTrigger(ctx, pool, 'PreSignUp', source, {
    userName: username,
    clientId: clientId ?? NO_CLIENT,
    request: {
      userAttributes: { ...attrs },
      validationData: validationData ? toMap(validationData) : null,
      ...(ctx.clientMetadata ? { clientMetadata: ctx.clientMetadata } : {}),
    },
  });
  return { autoConfirmUser: replyBoolean(r?.autoConfirmUser), autoVerifyEmail: replyBoolean(r?.autoVerifyEmail), autoVerifyPhone: replyBoolean(r?.autoVerifyPhone) };
}

/** Self-service sign-up: an UNCONFIRMED user, and a code to an auto-verified attribute when the pool has one. */
export async function signUp(ctx: Ctx, client: ClientRecord, pool: PoolRecord, input: SignUpRequest) {
  checkSecretHash(client, input.SecretHash, [input.Username]);
  if (pool.settings.AdminCreateUserConfig?.AllowAdminCreateUserOnly) {
    throw errors.notAuthorized('SignUp is not permitted for this user pool');
  }
  // Without a password only where users can sign in without one: a pool whose AllowedFirstAuthFactors
  // has a passwordless factor (SignUp's Password: "Users can sign up without a password when your user
  // pool supports passwordless sign-in with email or SMS OTPs").
  const passwordless = poolFirstFactors(pool).some((f) => f === 'EMAIL_OTP' || f === 'SMS_OTP');
  if (input.Password === undefined && !passwordless) throw errors.invalidParameter('A password is required to sign up in this user pool.');
  const given = toMap(input.UserAttributes);
  checkClientMayWrite(Object.keys(given), client.settings, pool.settings);
  const { username, sub, attrs } = newUsername(pool, input.Username!, given);
  checkValues(attrs, pool.settings);
  checkRequired(attrs, pool.settings);
  if (input.Password !== undefined) checkPassword(input.Password, pool.settings);
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  const auto = await preSignUp(ctx, pool, 'PreSignUp_SignUp', client.id, username, attrs, input.ValidationData);
  // autoVerifyEmail / autoVerifyPhone mark an attribute the user has as verified.
  const attributes = { ...attrs };
  if (auto.autoVerifyEmail && attributes.email) attributes.email_verified = 'true';
  if (auto.autoVerifyPhone && attributes.phone_number) attributes.phone_number_verified = 'true';
  const user: UserRecord = {
    poolId: pool.id,
    username,
    usernameKey: usernameKey(pool, username),
    sub,
    status: auto.autoConfirmUser ? 'CONFIRMED' : 'UNCONFIRMED',
    enabled: true,
    attributes,
    ...(input.Password !== undefined
      ? await passwordFields(ctx.secrets, pool, username, input.Password, ctx.now)
      : { passwordHash: null, srpVerifier: null, passwordUpdatedAt: null }),
    mfa: {},
    extra: {},
    createdAt: ctx.now,
    updatedAt: ctx.now,
  };
  await ctx.store.transaction((tx) => insertUser(tx, pool, user, { existsMessage: 'User already exists', now: ctx.now }));
  await recordAuthEvent(ctx, pool, user, 'SignUp', 'Pass');
  if (auto.autoConfirmUser) {
    // Confirmed by PreSignUp: no code, and PostConfirmation runs as for a confirmation.
    await postConfirmation(ctx, pool, client.id, user, 'PostConfirmation_ConfirmSignUp');
    return { UserConfirmed: true, UserSub: sub, ...(await signUpSession(ctx, pool, client, user)) };
  }
  const channel = signUpChannel(pool, user);
  if (!channel) return { UserConfirmed: false, UserSub: sub, ...(await signUpSession(ctx, pool, client, user)) };
  const code = await issueCode(ctx.store, pool.id, user.usernameKey, 'SIGN_UP', ctx.now);
  const details = await sendCode(ctx, pool, user, channel, 'SIGN_UP', code, { clientId: client.id, link: { publicUrl: ctx.publicUrl, clientId: client.id } });
  return { UserConfirmed: false, CodeDeliveryDetails: details, UserSub: sub, ...(await signUpSession(ctx, pool, client, user)) };
}

/**
 * The Session SignUp and ConfirmSignUp return to an app client that allows USER_AUTH: InitiateAuth
 * USER_AUTH with it signs the user in once confirmed, without another factor (signin/user-auth.ts).
 */
async function signUpSession(ctx: Ctx, pool: PoolRecord, client: ClientRecord, user: UserRecord): Promise<{ Session?: string }> {
  return allowsUserAuth(client) ? { Session: await openSignUpSession(ctx, pool, client, user) } : {};
}

/**
 * The code proves the user owns the address it went to: the user is CONFIRMED and that attribute
 * verified. An alias held by another user fails with AliasExistsException unless ForceAliasCreation.
 */
export async function confirmSignUpRequest(ctx: Ctx, client: ClientRecord, pool: PoolRecord, input: ConfirmSignUpRequest) {
  const user = await userForClient(ctx.store, client, pool, input.Username!, input.SecretHash);
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  await confirmSignUp(ctx, client, pool, user, input.ConfirmationCode!, input.ForceAliasCreation ?? false);
  return signUpSession(ctx, pool, client, user!);
}

/**
 * Confirms a sign-up with its code, for ConfirmSignUp and for the confirmation link
 * (oauth/confirm-user.ts): the same checks (user, status, code: expiry, single use, attempt limit)
 * and the same writes.
 */
export async function confirmSignUp(ctx: Ctx, client: ClientRecord, pool: PoolRecord, user: UserRecord | undefined, code: string, forceAlias: boolean): Promise<void> {
  if (!user) throw hidesUsers(client) ? codeMismatch() : notFound();
  if (user.status !== 'UNCONFIRMED') throw errors.notAuthorized(`User cannot be confirmed. Current status is ${user.status}`);
  const codeHash = await checkCode(ctx.store, pool.id, user.usernameKey, 'SIGN_UP', code, ctx.now);
  // The code is used in the transaction of the write: when the alias is taken (AliasExistsException)
  // it stays valid, for the retry with ForceAliasCreation.
  const confirmed = await ctx.store.transaction(async (tx) => {
    const u = await lockUser(tx, pool, user.username);
    await useCode(tx, codeHash, pool.id, user.usernameKey, 'SIGN_UP');
    const attrs = { ...u.attributes };
    const auto = pool.settings.AutoVerifiedAttributes ?? [];
    // The code went to the phone when it is auto-verified, else to the email (notify.signUpChannel).
    if (auto.includes('phone_number') && attrs.phone_number) attrs.phone_number_verified = 'true';
    else if (auto.includes('email') && attrs.email) attrs.email_verified = 'true';
    const next: UserRecord = { ...u, status: 'CONFIRMED', attributes: attrs, updatedAt: ctx.now };
    await saveUser(tx, pool, next, { forceAlias, now: ctx.now });
    return next;
  });
  await postConfirmation(ctx, pool, client.id, confirmed, 'PostConfirmation_ConfirmSignUp');
}

/** A new sign-up code, to the same place as the first. */
export async function resendConfirmationCode(ctx: Ctx, client: ClientRecord, pool: PoolRecord, input: ResendConfirmationCodeRequest) {
  const user = await userForClient(ctx.store, client, pool, input.Username!, input.SecretHash);
  if (!user || !user.enabled) {
    if (hidesUsers(client)) return { CodeDeliveryDetails: simulated(ctx, pool, input.Username!, 'sign-up') };
    throw user ? errors.notAuthorized('User is disabled.') : notFound();
  }
  if (user.status !== 'UNCONFIRMED') throw errors.invalidParameter('User is already confirmed.');
  const channel = signUpChannel(pool, user);
  if (!channel) throw errors.invalidParameter('There is no auto-verified email or phone_number to send a confirmation code to.');
  const code = await issueCode(ctx.store, pool.id, user.usernameKey, 'SIGN_UP', ctx.now);
  if (input.ClientMetadata) ctx.clientMetadata = input.ClientMetadata;
  const details = await sendCode(ctx, pool, user, channel, 'RESEND_CODE', code, { clientId: client.id, link: { publicUrl: ctx.publicUrl, clientId: client.id } });
  await recordAuthEvent(ctx, pool, user, 'ResendCode', 'Pass');
  return { CodeDeliveryDetails: details };
}
