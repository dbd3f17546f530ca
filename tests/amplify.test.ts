/**
 * aws-amplify v6 (its own fetch-based Cognito client, not the AWS SDK), in Node, end to end against a
 * running server, configured with `userPoolEndpoint`: signUp and confirmSignUp with the code from the
 * outbox (username, email-as-username and phone-as-username pools), resendSignUpCode, signIn through
 * SRP (the default) and USER_PASSWORD_AUTH (by alias, in another case), the new-password challenge
 * with confirmSignIn, the RESET_PASSWORD and CONFIRM_SIGN_UP steps, getCurrentUser, fetchAuthSession
 * (tokens verified against the served JWKS; refresh through GetTokensFromRefreshToken when forced,
 * when expired, with rotation, and refused after a sign-out elsewhere), fetchUserAttributes,
 * updateUserAttributes, sendUserAttributeVerificationCode, confirmUserAttribute,
 * deleteUserAttributes, fetchMFAPreference, updatePassword, resetPassword and confirmResetPassword,
 * deleteUser, signOut (RevokeToken) and signOut({ global: true }) (GlobalSignOut), and Amplify's
 * error names and messages.
 *
 * Not here: signInWithRedirect fails in Node with "ReferenceError: window is not defined"
 * (tests/browser.test.ts covers the hosted pages). signUp's autoSignIn runs in a child process:
 * Amplify leaves a 3-minute timer behind that would keep this one alive.
 *
 * Amplify is a singleton: each test configures it for its own pool and a fresh token store, and is
 * signed out after it. Expiry is reached by moving the Date clock, which the server in this process
 * shares.
 */
import { afterEach, after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminGetUserCommand,
  AdminResetUserPasswordCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserCommand,
  InitiateAuthCommand,
  type AttributeType,
  type CreateUserPoolCommandInput,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import {
  confirmResetPassword,
  confirmSignIn,
  confirmSignUp,
  confirmUserAttribute,
  deleteUser,
  deleteUserAttributes,
  fetchAuthSession,
  fetchMFAPreference,
  fetchUserAttributes,
  getCurrentUser,
  resendSignUpCode,
  resetPassword,
  sendUserAttributeVerificationCode,
  signIn,
  signOut,
  signUp,
  updatePassword,
  updateUserAttributes,
} from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { adminAuthorization, adminFetch, backends, expectError, startTestServer, type TestServer } from './harness.js';
import { lastCode as outboxCode } from './hosted.js';

const execFileP = promisify(execFile);
const PASSWORD = 'Correct-Horse-9';
const NEW_PASSWORD = 'Battery-Staple-42';
const FLOWS: ExplicitAuthFlowsType[] = ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_USER_PASSWORD_AUTH'];

/** A Map-backed key-value store for Amplify's tokens (Amplify's KeyValueStorageInterface). */
function memoryStore() {
  const data = new Map<string, string>();
  return {
    data,
    setItem: async (k: string, v: string) => void data.set(k, v),
    getItem: async (k: string) => data.get(k) ?? null,
    removeItem: async (k: string) => void data.delete(k),
    clear: async () => data.clear(),
  };
}

/** Asserts an Amplify call failed with the AuthError `name` (Amplify names errors after Cognito's __type). */
async function expectAuthError(p: Promise<unknown>, name: string, message?: string): Promise<void> {
  await assert.rejects(p, (e: Error) => {
    assert.equal(e.name, name, `expected ${name}, got ${e.name}: ${e.message}`);
    if (message !== undefined) assert.equal(e.message, message);
    return true;
  });
}

/** The X-Amz-Target operations Amplify sends (it calls the global fetch; the AWS SDK does not). */
const calls: string[] = [];
const realFetch = globalThis.fetch;
globalThis.fetch = (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
  const target = (init?.headers as Record<string, string> | undefined)?.['x-amz-target'];
  if (target) calls.push(target.replace('AWSCognitoIdentityProviderService.', ''));
  return realFetch(input, init);
};

for (const backend of await backends()) {
  describe(`aws-amplify v6 (${backend.name})`, () => {
    let t: TestServer;
    let store: ReturnType<typeof memoryStore>;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());
    // Whatever a test left behind, the next starts signed out (signOut does not throw without a session).
    afterEach(() => signOut());

    /** A pool (email verified by code) and an app client without a secret; Amplify configured for both, with a fresh token store. */
    async function configure(flows: ExplicitAuthFlowsType[] = FLOWS, pool: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await t.cognito.send(new CreateUserPoolCommand({ PoolName: 'amplify', AutoVerifiedAttributes: ['email'], ...pool }));
      const poolId = UserPool!.Id!;
      const { UserPoolClient } = await t.cognito.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'amplify-app', ExplicitAuthFlows: flows }),
      );
      const clientId = UserPoolClient!.ClientId!;
      store = memoryStore();
      useClient(poolId, clientId);
      return { poolId, clientId };
    }

    /** Amplify configured for that pool and app client, its tokens in this test's store. */
    function useClient(poolId: string, clientId: string) {
      Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: t.url } } });
      cognitoUserPoolsTokenProvider.setKeyValueStorage(store);
    }

    /** A CONFIRMED user with PASSWORD; returns its sub. */
    async function confirmedUser(poolId: string, username: string, attrs: AttributeType[] = []): Promise<string> {
      const { User } = await t.cognito.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: attrs }),
      );
      await t.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
      return User!.Attributes!.find((a) => a.Name === 'sub')!.Value!;
    }

    /** The newest outbox message of that kind for the user, and its code. */
    const lastCode = (poolId: string, username: string, kind: string) => outboxCode(t.url, poolId, username, kind);

    it('signUp, confirmSignUp with the outbox code, then signIn through SRP, getCurrentUser and verifiable tokens', async () => {
      const { poolId, clientId } = await configure(['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
      const up = await signUp({ username: 'alice', password: PASSWORD, options: { userAttributes: { email: 'alice@example.com' } } });
      assert.equal(up.isSignUpComplete, false);
      assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
      const delivery = (up.nextStep as { codeDeliveryDetails?: { deliveryMedium?: string; destination?: string; attributeName?: string } }).codeDeliveryDetails;
      assert.deepEqual(delivery, { deliveryMedium: 'EMAIL', destination: 'a***@e***', attributeName: 'email' });
      assert.match(up.userId!, /^[0-9a-f-]{36}$/);
      const code = await lastCode(poolId, 'alice', 'SIGN_UP');
      const confirmed = await confirmSignUp({ username: 'alice', confirmationCode: code });
      assert.equal(confirmed.isSignUpComplete, true);
      assert.equal(confirmed.nextStep.signUpStep, 'DONE');

      // The client allows SRP, not plain passwords: Amplify's default flow is SRP.
      calls.length = 0;
      const r = await signIn({ username: 'alice', password: PASSWORD });
      assert.equal(r.isSignedIn, true);
      assert.equal(r.nextStep.signInStep, 'DONE');
      assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge']);
      const current = await getCurrentUser();
      assert.equal(current.username, 'alice');
      assert.equal(current.userId, up.userId);
      assert.deepEqual(current.signInDetails, { loginId: 'alice', authFlowType: 'USER_SRP_AUTH' });

      const session = await fetchAuthSession();
      assert.equal(session.userSub, up.userId);
      const id = session.tokens?.idToken;
      const access = session.tokens?.accessToken;
      assert.ok(id && access);
      assert.equal(id.payload['cognito:username'], 'alice');
      assert.equal(access.payload.username, 'alice');
      // Verified with the pool's JWKS, as a backend receiving them would.
      const JWKS = createRemoteJWKSet(new URL(`${t.url}/${poolId}/.well-known/jwks.json`));
      const vid = await jwtVerify(id.toString(), JWKS, { issuer: `${t.url}/${poolId}`, audience: clientId, algorithms: ['RS256'] });
      assert.equal(vid.payload.sub, up.userId);
      assert.equal(vid.payload.email, 'alice@example.com');
      assert.equal(vid.payload.email_verified, true, 'confirmSignUp verified the email the code went to');
      const vaccess = await jwtVerify(access.toString(), JWKS, { issuer: `${t.url}/${poolId}`, algorithms: ['RS256'] });
      assert.equal(vaccess.payload.client_id, clientId);
      assert.equal(vaccess.payload.token_use, 'access');
      // The stored tokens are Amplify's, under its keys for this client.
      assert.ok([...store.data.keys()].some((k) => k === `CognitoIdentityServiceProvider.${clientId}.alice.accessToken`), [...store.data.keys()].join(', '));
    });

    it('signIn with authFlowType USER_PASSWORD_AUTH', async () => {
      const { poolId } = await configure(['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH']);
      await confirmedUser(poolId, 'bob', [{ Name: 'email', Value: 'bob@example.com' }]);
      calls.length = 0;
      const r = await signIn({ username: 'bob', password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } });
      assert.equal(r.isSignedIn, true);
      assert.deepEqual(calls, ['InitiateAuth']);
      const current = await getCurrentUser();
      assert.equal(current.username, 'bob');
      assert.deepEqual(current.signInDetails, { loginId: 'bob', authFlowType: 'USER_PASSWORD_AUTH' });
      const { tokens } = await fetchAuthSession();
      assert.equal(tokens?.idToken?.payload.email, 'bob@example.com');
    });

    it('signs in with the email as username in a pool with UsernameAttributes email (the username is the sub)', async () => {
      const { poolId } = await configure(FLOWS, { UsernameAttributes: ['email'] });
      const up = await signUp({ username: 'zoe@example.com', password: PASSWORD, options: { userAttributes: { email: 'zoe@example.com' } } });
      assert.equal(up.nextStep.signUpStep, 'CONFIRM_SIGN_UP');
      const { Username } = await t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'zoe@example.com' }));
      assert.equal(Username, up.userId);
      await confirmSignUp({ username: 'zoe@example.com', confirmationCode: await lastCode(poolId, up.userId!, 'SIGN_UP') });
      const r = await signIn({ username: 'zoe@example.com', password: PASSWORD });
      assert.equal(r.isSignedIn, true);
      const current = await getCurrentUser();
      assert.equal(current.username, up.userId);
      assert.equal(current.userId, up.userId);
      assert.equal(current.signInDetails?.loginId, 'zoe@example.com');
      assert.equal((await fetchUserAttributes()).email, 'zoe@example.com');
    });

    it('signs up and in with a phone number as username (the code goes by SMS)', async () => {
      const { poolId } = await configure(FLOWS, { UsernameAttributes: ['phone_number'], AutoVerifiedAttributes: ['phone_number'] });
      const up = await signUp({ username: '+12065551234', password: PASSWORD, options: { userAttributes: { phone_number: '+12065551234' } } });
      assert.deepEqual((up.nextStep as { codeDeliveryDetails?: object }).codeDeliveryDetails, {
        attributeName: 'phone_number',
        deliveryMedium: 'SMS',
        destination: '+*******1234',
      });
      await confirmSignUp({ username: '+12065551234', confirmationCode: await lastCode(poolId, up.userId!, 'SIGN_UP') });
      assert.equal((await signIn({ username: '+12065551234', password: PASSWORD })).isSignedIn, true);
      assert.equal((await getCurrentUser()).username, up.userId);
      const attrs = await fetchUserAttributes();
      assert.equal(attrs.phone_number, '+12065551234');
      assert.equal(attrs.phone_number_verified, 'true');
    });

    it('CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED for an AdminCreateUser user, completed with confirmSignIn', async () => {
      const { poolId } = await configure();
      await t.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: 'dave',
          TemporaryPassword: 'Temp-Pass-123',
          MessageAction: 'SUPPRESS',
          UserAttributes: [{ Name: 'email', Value: 'dave@example.com' }],
        }),
      );
      const r = await signIn({ username: 'dave', password: 'Temp-Pass-123' });
      assert.equal(r.isSignedIn, false);
      assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
      // AdminCreateUser required the pool's required attributes already, so none is missing (docs/decisions.md).
      assert.deepEqual((r.nextStep as { missingAttributes?: string[] }).missingAttributes, []);
      // Amplify sends options.userAttributes as userAttributes.<name> with the new password.
      const done = await confirmSignIn({ challengeResponse: NEW_PASSWORD, options: { userAttributes: { name: 'Dave' } } });
      assert.equal(done.isSignedIn, true);
      assert.equal(done.nextStep.signInStep, 'DONE');
      assert.equal((await getCurrentUser()).username, 'dave');
      const { tokens } = await fetchAuthSession();
      assert.equal(tokens?.idToken?.payload.name, 'Dave');
      assert.equal((await t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'dave' }))).UserStatus, 'CONFIRMED');
      await signOut();
      assert.equal((await signIn({ username: 'dave', password: NEW_PASSWORD })).isSignedIn, true);
    });

    it('fetchAuthSession: cached tokens, then forceRefresh through GetTokensFromRefreshToken', async () => {
      const { poolId } = await configure();
      await confirmedUser(poolId, 'carol');
      await signIn({ username: 'carol', password: PASSWORD });
      const first = await fetchAuthSession();
      calls.length = 0;
      const again = await fetchAuthSession();
      assert.deepEqual(calls, [], 'unexpired tokens come from the store');
      assert.equal(again.tokens?.accessToken.toString(), first.tokens?.accessToken.toString());

      const refreshed = await fetchAuthSession({ forceRefresh: true });
      assert.deepEqual(calls, ['GetTokensFromRefreshToken']);
      const a1 = first.tokens!.accessToken.payload;
      const a2 = refreshed.tokens!.accessToken.payload;
      assert.notEqual(refreshed.tokens!.accessToken.toString(), first.tokens!.accessToken.toString());
      assert.notEqual(a2.jti, a1.jti);
      assert.equal(a2.origin_jti, a1.origin_jti, 'the same sign-in');
      assert.equal(a2.auth_time, a1.auth_time);
      assert.equal(refreshed.tokens!.idToken?.payload['cognito:username'], 'carol');
      // The refreshed access token works for the user's own calls.
      const { Username } = await t.cognito.send(new GetUserCommand({ AccessToken: refreshed.tokens!.accessToken.toString() }));
      assert.equal(Username, 'carol');
      // And the stored session is the refreshed one.
      assert.equal((await fetchAuthSession()).tokens?.accessToken.toString(), refreshed.tokens!.accessToken.toString());
    });

    it('fetchAuthSession refreshes expired tokens by itself (the clock moved on past a 5-minute access token)', async (ctx) => {
      const { poolId } = await configure();
      const { UserPoolClient } = await t.cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'short',
          ExplicitAuthFlows: FLOWS,
          AccessTokenValidity: 5,
          IdTokenValidity: 5,
          TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'minutes' },
        }),
      );
      useClient(poolId, UserPoolClient!.ClientId!);
      await confirmedUser(poolId, 'olly');
      await signIn({ username: 'olly', password: PASSWORD });
      const first = (await fetchAuthSession()).tokens!.accessToken;
      assert.equal(first.payload.exp! - first.payload.iat!, 300);
      // Six minutes later, for Amplify and for the server alike (both run in this process).
      ctx.mock.timers.enable({ apis: ['Date'], now: Date.now() + 6 * 60_000 });
      await expectError(t.cognito.send(new GetUserCommand({ AccessToken: first.toString() })), 'NotAuthorizedException', 'Access Token has expired');
      calls.length = 0;
      const later = (await fetchAuthSession()).tokens!.accessToken;
      assert.deepEqual(calls, ['GetTokensFromRefreshToken']);
      assert.ok(later.payload.exp! * 1000 > Date.now());
      assert.equal(later.payload.origin_jti, first.payload.origin_jti);
      assert.equal((await fetchUserAttributes()).sub, first.payload.sub);
    });

    it('fetchAuthSession with refresh token rotation: Amplify keeps the new refresh token, the old one is refused', async () => {
      const { poolId, clientId } = await configure();
      const { UserPoolClient } = await t.cognito.send(
        new CreateUserPoolClientCommand({
          UserPoolId: poolId,
          ClientName: 'rotating',
          ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'],
          RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 },
        }),
      );
      const rotating = UserPoolClient!.ClientId!;
      assert.notEqual(rotating, clientId);
      useClient(poolId, rotating);
      await confirmedUser(poolId, 'rita');
      await signIn({ username: 'rita', password: PASSWORD });
      const key = `CognitoIdentityServiceProvider.${rotating}.rita.refreshToken`;
      const before = store.data.get(key);
      assert.ok(before);
      const first = await fetchAuthSession();
      const refreshed = await fetchAuthSession({ forceRefresh: true });
      const after = store.data.get(key);
      assert.ok(after);
      assert.notEqual(after, before, 'the rotated refresh token is stored');
      assert.equal(refreshed.tokens!.accessToken.payload.origin_jti, first.tokens!.accessToken.payload.origin_jti);
      await expectError(
        t.cognito.send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating, RefreshToken: before })),
        'RefreshTokenReuseException',
      );
      // The stored one refreshes again.
      const again = await fetchAuthSession({ forceRefresh: true });
      assert.notEqual(again.tokens!.accessToken.toString(), refreshed.tokens!.accessToken.toString());
      assert.notEqual(store.data.get(key), after);
    });

    it('a sign-in revoked elsewhere: forceRefresh is refused, and Amplify drops the session', async () => {
      const { poolId } = await configure();
      await confirmedUser(poolId, 'sam');
      await signIn({ username: 'sam', password: PASSWORD });
      assert.ok((await fetchAuthSession()).tokens);
      await t.cognito.send(new AdminUserGlobalSignOutCommand({ UserPoolId: poolId, Username: 'sam' }));
      calls.length = 0;
      const session = await fetchAuthSession({ forceRefresh: true });
      assert.deepEqual(calls, ['GetTokensFromRefreshToken']);
      assert.equal(session.tokens, undefined);
      assert.equal([...store.data.keys()].some((k) => k.endsWith('.sam.refreshToken')), false, 'Amplify cleared its tokens (NotAuthorizedException)');
      await expectAuthError(getCurrentUser(), 'UserUnAuthenticatedException');
    });

    it('fetchUserAttributes and updateUserAttributes (an email change waits for its code)', async () => {
      const { poolId } = await configure();
      const sub = await confirmedUser(poolId, 'erin', [
        { Name: 'email', Value: 'erin@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]);
      await signIn({ username: 'erin', password: PASSWORD });
      const attrs = await fetchUserAttributes();
      assert.deepEqual(attrs, { sub, email: 'erin@example.com', email_verified: 'true' });

      const out = await updateUserAttributes({ userAttributes: { name: 'Erin', email: 'erin@example.org' } });
      assert.equal(out.name?.isUpdated, true);
      assert.equal(out.name?.nextStep.updateAttributeStep, 'DONE');
      assert.equal(out.email?.isUpdated, false);
      assert.equal(out.email?.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
      assert.deepEqual(out.email?.nextStep.codeDeliveryDetails, { attributeName: 'email', deliveryMedium: 'EMAIL', destination: 'e***@e***' });
      const after = await fetchUserAttributes();
      assert.equal(after.name, 'Erin');
      // No AttributesRequireVerificationBeforeUpdate: the new email is the email now, unverified until the code.
      assert.equal(after.email, 'erin@example.org');
      assert.equal(after.email_verified, 'false');
      const code = await lastCode(poolId, 'erin', 'VERIFY_ATTRIBUTE');
      await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: code });
      const verified = await fetchUserAttributes();
      assert.equal(verified.email, 'erin@example.org');
      assert.equal(verified.email_verified, 'true');
    });

    it('updateUserAttributes with AttributesRequireVerificationBeforeUpdate: the old email stays until confirmUserAttribute', async () => {
      const { poolId } = await configure(FLOWS, { UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] } });
      await confirmedUser(poolId, 'gus', [
        { Name: 'email', Value: 'gus@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]);
      await signIn({ username: 'gus', password: PASSWORD });
      const out = await updateUserAttributes({ userAttributes: { email: 'gus@example.org' } });
      assert.equal(out.email?.isUpdated, false);
      assert.equal(out.email?.nextStep.updateAttributeStep, 'CONFIRM_ATTRIBUTE_WITH_CODE');
      assert.deepEqual(out.email?.nextStep.codeDeliveryDetails, { attributeName: 'email', deliveryMedium: 'EMAIL', destination: 'g***@e***' });
      const pending = await fetchUserAttributes();
      assert.equal(pending.email, 'gus@example.com');
      assert.equal(pending.email_verified, 'true');
      await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: await lastCode(poolId, 'gus', 'VERIFY_ATTRIBUTE') });
      const updated = await fetchUserAttributes();
      assert.equal(updated.email, 'gus@example.org');
      assert.equal(updated.email_verified, 'true');
    });

    it('sendUserAttributeVerificationCode and confirmUserAttribute verify an email; fetchMFAPreference reads no MFA', async () => {
      const { poolId } = await configure();
      await confirmedUser(poolId, 'yann', [{ Name: 'email', Value: 'yann@example.com' }]);
      await signIn({ username: 'yann', password: PASSWORD });
      assert.notEqual((await fetchUserAttributes()).email_verified, 'true');
      const details = await sendUserAttributeVerificationCode({ userAttributeKey: 'email' });
      assert.deepEqual(details, { attributeName: 'email', deliveryMedium: 'EMAIL', destination: 'y***@e***' });
      await expectAuthError(confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: '0' }), 'CodeMismatchException');
      await confirmUserAttribute({ userAttributeKey: 'email', confirmationCode: await lastCode(poolId, 'yann', 'VERIFY_ATTRIBUTE') });
      assert.equal((await fetchUserAttributes()).email_verified, 'true');
      assert.deepEqual(await fetchMFAPreference(), { enabled: undefined, preferred: undefined });
    });

    it('updatePassword: the new password signs in, the old one no longer', async () => {
      const { poolId } = await configure();
      await confirmedUser(poolId, 'judy');
      await signIn({ username: 'judy', password: PASSWORD });
      await updatePassword({ oldPassword: PASSWORD, newPassword: NEW_PASSWORD });
      await signOut();
      await expectAuthError(signIn({ username: 'judy', password: PASSWORD }), 'NotAuthorizedException', 'Incorrect username or password.');
      assert.equal((await signIn({ username: 'judy', password: NEW_PASSWORD })).isSignedIn, true);
      // A wrong old password is Cognito's error, under its name.
      await expectAuthError(updatePassword({ oldPassword: 'Not-The-Password-1', newPassword: PASSWORD }), 'NotAuthorizedException', 'Incorrect username or password.');
    });

    it('resetPassword and confirmResetPassword with the outbox code', async () => {
      const { poolId } = await configure();
      await confirmedUser(poolId, 'kim', [
        { Name: 'email', Value: 'kim@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]);
      const r = await resetPassword({ username: 'kim' });
      assert.equal(r.isPasswordReset, false);
      assert.equal(r.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
      assert.deepEqual(r.nextStep.codeDeliveryDetails, { attributeName: 'email', deliveryMedium: 'EMAIL', destination: 'k***@e***' });
      const code = await lastCode(poolId, 'kim', 'FORGOT_PASSWORD');
      await expectAuthError(confirmResetPassword({ username: 'kim', confirmationCode: code === '000000' ? '111111' : '000000', newPassword: NEW_PASSWORD }), 'CodeMismatchException');
      await confirmResetPassword({ username: 'kim', confirmationCode: code, newPassword: NEW_PASSWORD });
      assert.equal((await signIn({ username: 'kim', password: NEW_PASSWORD })).isSignedIn, true);
      await signOut();
      await expectAuthError(signIn({ username: 'kim', password: PASSWORD }), 'NotAuthorizedException');
    });

    it('signOut revokes the sign-in through RevokeToken; another sign-in of the user is untouched', async () => {
      const { poolId, clientId } = await configure();
      await confirmedUser(poolId, 'liz');
      const other = await t.cognito.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'liz', PASSWORD } }),
      );
      await signIn({ username: 'liz', password: PASSWORD });
      const { tokens } = await fetchAuthSession();
      const refreshToken = [...store.data.entries()].find(([k]) => k.endsWith('.liz.refreshToken'))?.[1];
      assert.ok(refreshToken);
      calls.length = 0;
      await signOut();
      assert.deepEqual(calls, ['RevokeToken']);
      assert.equal([...store.data.keys()].some((k) => k.endsWith('.liz.accessToken') || k.endsWith('.liz.refreshToken')), false, 'the tokens are gone');
      await expectAuthError(getCurrentUser(), 'UserUnAuthenticatedException');
      await expectError(
        t.cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: refreshToken } })),
        'NotAuthorizedException',
        'Refresh Token has been revoked',
      );
      await expectError(t.cognito.send(new GetUserCommand({ AccessToken: tokens!.accessToken.toString() })), 'NotAuthorizedException', 'Access Token has been revoked');
      const { Username } = await t.cognito.send(new GetUserCommand({ AccessToken: other.AuthenticationResult!.AccessToken! }));
      assert.equal(Username, 'liz');
    });

    it('signOut({ global: true }) revokes every sign-in of the user through GlobalSignOut', async () => {
      const { poolId, clientId } = await configure();
      await confirmedUser(poolId, 'mia');
      const other = await t.cognito.send(
        new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'mia', PASSWORD } }),
      );
      await signIn({ username: 'mia', password: PASSWORD });
      const refreshToken = [...store.data.entries()].find(([k]) => k.endsWith('.mia.refreshToken'))?.[1];
      assert.ok(refreshToken);
      calls.length = 0;
      await signOut({ global: true });
      assert.deepEqual(calls, ['GlobalSignOut']);
      await expectAuthError(getCurrentUser(), 'UserUnAuthenticatedException');
      for (const token of [refreshToken, other.AuthenticationResult!.RefreshToken!]) {
        await expectError(
          t.cognito.send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: token } })),
          'NotAuthorizedException',
          'Refresh Token has been revoked',
        );
      }
      await expectError(t.cognito.send(new GetUserCommand({ AccessToken: other.AuthenticationResult!.AccessToken! })), 'NotAuthorizedException', 'Access Token has been revoked');
    });

    it('resendSignUpCode, deleteUserAttributes and deleteUser', async () => {
      const { poolId } = await configure();
      await signUp({ username: 'tom', password: PASSWORD, options: { userAttributes: { email: 'tom@example.com' } } });
      const resent = await resendSignUpCode({ username: 'tom' });
      assert.deepEqual(resent, { attributeName: 'email', deliveryMedium: 'EMAIL', destination: 't***@e***' });
      await confirmSignUp({ username: 'tom', confirmationCode: await lastCode(poolId, 'tom', 'RESEND_CODE') });
      await signIn({ username: 'tom', password: PASSWORD });
      await updateUserAttributes({ userAttributes: { name: 'Tom' } });
      assert.equal((await fetchUserAttributes()).name, 'Tom');
      await deleteUserAttributes({ userAttributeKeys: ['name'] });
      assert.equal((await fetchUserAttributes()).name, undefined);
      calls.length = 0;
      await deleteUser();
      // deleteUser signs out after (its RevokeToken's answer is swallowed by Amplify).
      assert.deepEqual(calls, ['DeleteUser', 'RevokeToken']);
      await expectAuthError(getCurrentUser(), 'UserUnAuthenticatedException');
      await expectError(t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'tom' })), 'UserNotFoundException');
    });

    it('signs in by a verified email alias and in another case (Amplify answers the SRP challenge as USER_ID_FOR_SRP)', async () => {
      const { poolId, clientId } = await configure(FLOWS, { AliasAttributes: ['email'], UsernameConfiguration: { CaseSensitive: false } });
      const sub = await confirmedUser(poolId, 'uma', [
        { Name: 'email', Value: 'uma@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]);
      assert.equal((await signIn({ username: 'uma@example.com', password: PASSWORD })).isSignedIn, true);
      const current = await getCurrentUser();
      assert.equal(current.username, 'uma');
      assert.equal(current.userId, sub);
      assert.equal(current.signInDetails?.loginId, 'uma@example.com');
      assert.ok(store.data.has(`CognitoIdentityServiceProvider.${clientId}.uma.accessToken`), [...store.data.keys()].join(', '));
      assert.equal((await fetchAuthSession({ forceRefresh: true })).tokens?.idToken?.payload['cognito:username'], 'uma');
      await signOut();
      assert.equal((await signIn({ username: 'UMA', password: PASSWORD })).isSignedIn, true);
      assert.equal((await getCurrentUser()).username, 'uma');
    });

    it('a user in RESET_REQUIRED gets the RESET_PASSWORD step, and resets with the code', async () => {
      const { poolId } = await configure();
      await confirmedUser(poolId, 'vic', [
        { Name: 'email', Value: 'vic@example.com' },
        { Name: 'email_verified', Value: 'true' },
      ]);
      await t.cognito.send(new AdminResetUserPasswordCommand({ UserPoolId: poolId, Username: 'vic' }));
      for (const authFlowType of ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'] as const) {
        const r = await signIn({ username: 'vic', password: PASSWORD, options: { authFlowType } });
        assert.equal(r.isSignedIn, false);
        assert.equal(r.nextStep.signInStep, 'RESET_PASSWORD', authFlowType);
      }
      // What Amplify's documentation has an app do at RESET_PASSWORD: resetPassword, then confirm with its code.
      assert.equal((await resetPassword({ username: 'vic' })).nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
      const code = await lastCode(poolId, 'vic', 'FORGOT_PASSWORD');
      await confirmResetPassword({ username: 'vic', confirmationCode: code, newPassword: NEW_PASSWORD });
      assert.equal((await signIn({ username: 'vic', password: NEW_PASSWORD })).isSignedIn, true);
    });

    it('the new-password challenge when signing in by email: an alias pool and an email-as-username pool, SRP and USER_PASSWORD_AUTH', async () => {
      for (const pool of [{ AliasAttributes: ['email'] }, { UsernameAttributes: ['email'] }] as Partial<CreateUserPoolCommandInput>[]) {
        for (const authFlowType of ['USER_SRP_AUTH', 'USER_PASSWORD_AUTH'] as const) {
          const { poolId } = await configure(FLOWS, pool);
          const { User } = await t.cognito.send(
            new AdminCreateUserCommand({
              UserPoolId: poolId,
              Username: pool.AliasAttributes ? 'quinn' : 'quinn@example.com',
              TemporaryPassword: 'Temp-Pass-123',
              MessageAction: 'SUPPRESS',
              UserAttributes: [
                { Name: 'email', Value: 'quinn@example.com' },
                { Name: 'email_verified', Value: 'true' },
              ],
            }),
          );
          const what = `${JSON.stringify(pool)} ${authFlowType}`;
          const r = await signIn({ username: 'quinn@example.com', password: 'Temp-Pass-123', options: { authFlowType } });
          assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED', what);
          const done = await confirmSignIn({ challengeResponse: NEW_PASSWORD });
          assert.equal(done.isSignedIn, true, what);
          assert.equal((await getCurrentUser()).username, User!.Username, what);
          await signOut();
          assert.equal((await signIn({ username: 'quinn@example.com', password: NEW_PASSWORD, options: { authFlowType } })).isSignedIn, true, what);
          await signOut();
        }
      }
    });

    it('a refused new password leaves the challenge open: confirmSignIn again with a good one', async () => {
      const { poolId } = await configure();
      await t.cognito.send(
        new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'walt', TemporaryPassword: 'Temp-Pass-123', MessageAction: 'SUPPRESS' }),
      );
      const r = await signIn({ username: 'walt', password: 'Temp-Pass-123' });
      assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_NEW_PASSWORD_REQUIRED');
      await expectAuthError(confirmSignIn({ challengeResponse: 'short' }), 'InvalidPasswordException');
      assert.equal((await confirmSignIn({ challengeResponse: NEW_PASSWORD })).isSignedIn, true);
      assert.equal((await getCurrentUser()).username, 'walt');
    });

    it('PreventUserExistenceErrors ENABLED: an unknown user is a wrong password, and resetPassword pretends', async () => {
      const { poolId } = await configure();
      const { UserPoolClient } = await t.cognito.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'private', ExplicitAuthFlows: FLOWS, PreventUserExistenceErrors: 'ENABLED' }),
      );
      useClient(poolId, UserPoolClient!.ClientId!);
      calls.length = 0;
      await expectAuthError(signIn({ username: 'nobody', password: PASSWORD }), 'NotAuthorizedException', 'Incorrect username or password.');
      assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge'], 'a simulated SRP challenge, then the refusal');
      await expectAuthError(
        signIn({ username: 'nobody', password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } }),
        'NotAuthorizedException',
        'Incorrect username or password.',
      );
      const r = await resetPassword({ username: 'nobody' });
      assert.equal(r.nextStep.resetPasswordStep, 'CONFIRM_RESET_PASSWORD_WITH_CODE');
      await expectAuthError(confirmResetPassword({ username: 'nobody', confirmationCode: '123456', newPassword: NEW_PASSWORD }), 'CodeMismatchException');
    });

    it('a disabled user is refused with NotAuthorizedException', async () => {
      const { poolId } = await configure();
      await confirmedUser(poolId, 'xena');
      await t.cognito.send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'xena' }));
      await expectAuthError(signIn({ username: 'xena', password: PASSWORD }), 'NotAuthorizedException', 'User is disabled.');
      await expectAuthError(signIn({ username: 'xena', password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } }), 'NotAuthorizedException', 'User is disabled.');
    });

    it('an expired code is ExpiredCodeException: sign-up after 24 hours, password reset after 1 hour', async (ctx) => {
      const { poolId } = await configure();
      await signUp({ username: 'ivy', password: PASSWORD, options: { userAttributes: { email: 'ivy@example.com' } } });
      const signUpCode = await lastCode(poolId, 'ivy', 'SIGN_UP');
      const start = Date.now();
      ctx.mock.timers.enable({ apis: ['Date'], now: start + 25 * 3600_000 });
      const expired = 'Invalid code provided, please request a code again.';
      await expectAuthError(confirmSignUp({ username: 'ivy', confirmationCode: signUpCode }), 'ExpiredCodeException', expired);
      await resendSignUpCode({ username: 'ivy' });
      await confirmSignUp({ username: 'ivy', confirmationCode: await lastCode(poolId, 'ivy', 'RESEND_CODE') });

      await resetPassword({ username: 'ivy' });
      const resetCode = await lastCode(poolId, 'ivy', 'FORGOT_PASSWORD');
      ctx.mock.timers.setTime(start + 26 * 3600_000 + 60_000);
      await expectAuthError(confirmResetPassword({ username: 'ivy', confirmationCode: resetCode, newPassword: NEW_PASSWORD }), 'ExpiredCodeException', expired);
      assert.equal((await signIn({ username: 'ivy', password: PASSWORD })).isSignedIn, true, 'the password is unchanged');
    });

    it('signUp with autoSignIn: confirmSignUp answers COMPLETE_AUTO_SIGN_IN and autoSignIn signs in (in a child process)', async () => {
      const { poolId, clientId } = await configure();
      // Amplify arms a 3-minute timer at signUp({ autoSignIn }) that nothing clears: the app runs in
      // a process of its own that exits when done, so this test file does not wait for the timer.
      const app = `
        import { Amplify } from 'aws-amplify';
        import { autoSignIn, confirmSignUp, fetchAuthSession, getCurrentUser, signUp } from 'aws-amplify/auth';
        const { URL_, POOL, CLIENT } = process.env;
        Amplify.configure({ Auth: { Cognito: { userPoolId: POOL, userPoolClientId: CLIENT, userPoolEndpoint: URL_ } } });
        const up = await signUp({ username: 'abe', password: '${PASSWORD}', options: { userAttributes: { email: 'abe@example.com' }, autoSignIn: true } });
        const res = await fetch(URL_ + '/_incognito/messages?userPoolId=' + POOL + '&username=abe', { headers: process.env.ADMIN_AUTH ? { authorization: process.env.ADMIN_AUTH } : {} });
        const { messages } = await res.json();
        const confirmed = await confirmSignUp({ username: 'abe', confirmationCode: messages[0].code });
        const signedIn = await autoSignIn();
        const user = await getCurrentUser();
        const { tokens } = await fetchAuthSession();
        console.log(JSON.stringify({ up: up.nextStep.signUpStep, confirmed, signedIn, username: user.username, idUser: tokens.idToken.payload['cognito:username'] }));
        process.exit(0);
      `;
      const { stdout } = await execFileP(process.execPath, ['--input-type=module', '--no-warnings', '-e', app], {
        cwd: fileURLToPath(new URL('../..', import.meta.url)),
        env: { ...process.env, URL_: t.url, POOL: poolId, CLIENT: clientId, ADMIN_AUTH: adminAuthorization(t.url) },
        timeout: 60_000,
      });
      const out = JSON.parse(stdout.trim().split('\n').pop()!);
      assert.deepEqual(out, {
        up: 'CONFIRM_SIGN_UP',
        confirmed: { isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } },
        signedIn: { isSignedIn: true, nextStep: { signInStep: 'DONE' } },
        username: 'abe',
        idUser: 'abe',
      });
      assert.equal((await t.cognito.send(new AdminGetUserCommand({ UserPoolId: poolId, Username: 'abe' }))).UserStatus, 'CONFIRMED');
    });

    it('an app client with a secret: Amplify sends no SECRET_HASH and Cognito\'s refusal comes back', async () => {
      const { poolId } = await configure();
      await confirmedUser(poolId, 'hal');
      const { UserPoolClient } = await t.cognito.send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'confidential', ExplicitAuthFlows: FLOWS, GenerateSecret: true }),
      );
      const secretClient = UserPoolClient!.ClientId!;
      useClient(poolId, secretClient);
      const refusal = `Client ${secretClient} is configured for secret but secret was not received`;
      await expectAuthError(signIn({ username: 'hal', password: PASSWORD }), 'NotAuthorizedException', refusal);
      await expectAuthError(signIn({ username: 'hal', password: PASSWORD, options: { authFlowType: 'USER_PASSWORD_AUTH' } }), 'NotAuthorizedException', refusal);
      await expectAuthError(signUp({ username: 'ida', password: PASSWORD, options: { userAttributes: { email: 'ida@example.com' } } }), 'NotAuthorizedException', refusal);
    });

    it('errors carry Cognito\'s exception names and messages', async () => {
      const { poolId } = await configure();
      await confirmedUser(poolId, 'nina', [{ Name: 'email', Value: 'nina@example.com' }]);
      // SRP (the default) and USER_PASSWORD_AUTH alike.
      await expectAuthError(signIn({ username: 'nina', password: 'Wrong-Password-1' }), 'NotAuthorizedException', 'Incorrect username or password.');
      await expectAuthError(
        signIn({ username: 'nina', password: 'Wrong-Password-1', options: { authFlowType: 'USER_PASSWORD_AUTH' } }),
        'NotAuthorizedException',
        'Incorrect username or password.',
      );
      // The client's PreventUserExistenceErrors is LEGACY (the API's default).
      await expectAuthError(signIn({ username: 'nobody', password: PASSWORD }), 'UserNotFoundException', 'User does not exist.');
      await expectAuthError(signUp({ username: 'nina', password: PASSWORD, options: { userAttributes: { email: 'n@example.com' } } }), 'UsernameExistsException', 'User already exists');
      await expectAuthError(signUp({ username: 'olga', password: 'short', options: { userAttributes: { email: 'o@example.com' } } }), 'InvalidPasswordException');
      await signUp({ username: 'pete', password: PASSWORD, options: { userAttributes: { email: 'p@example.com' } } });
      const code = await lastCode(poolId, 'pete', 'SIGN_UP');
      await expectAuthError(confirmSignUp({ username: 'pete', confirmationCode: code === '000000' ? '111111' : '000000' }), 'CodeMismatchException');
      // An unconfirmed user's sign-in is Amplify's CONFIRM_SIGN_UP step, from Cognito's UserNotConfirmedException.
      const unconfirmed = await signIn({ username: 'pete', password: PASSWORD });
      assert.equal(unconfirmed.isSignedIn, false);
      assert.equal(unconfirmed.nextStep.signInStep, 'CONFIRM_SIGN_UP');
      await confirmSignUp({ username: 'pete', confirmationCode: code });
      await expectAuthError(confirmSignUp({ username: 'pete', confirmationCode: code }), 'NotAuthorizedException', 'User cannot be confirmed. Current status is CONFIRMED');
      await expectAuthError(resendSignUpCode({ username: 'pete' }), 'InvalidParameterException', 'User is already confirmed.');
      // nina has an email that is not verified.
      await expectAuthError(
        resetPassword({ username: 'nina' }),
        'InvalidParameterException',
        'Cannot reset password for the user as there is no registered/verified email or phone_number',
      );
      // Signed in, a second signIn is refused by Amplify itself.
      await signIn({ username: 'nina', password: PASSWORD });
      await expectAuthError(signIn({ username: 'nina', password: PASSWORD }), 'UserAlreadyAuthenticatedException');
    });
  });
}
