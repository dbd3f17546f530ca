/**
 * Authentication through the real SDK, on each store: the password and SRP flows, challenges,
 * tokens and their claims, refresh (with rotation), revocation, sign-out, lockout, and the
 * operations an access token authorizes.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createLocalJWKSet, decodeJwt, decodeProtectedHeader, jwtVerify, SignJWT, type JSONWebKeySet } from 'jose';
import {
  AdminAddUserToGroupCommand,
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminEnableUserCommand,
  AdminGetUserCommand,
  AdminInitiateAuthCommand,
  AdminResetUserPasswordCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  AdminUserGlobalSignOutCommand,
  ChangePasswordCommand,
  CreateGroupCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserAttributesCommand,
  DeleteUserCommand,
  GetTokensFromRefreshTokenCommand,
  GetUserAttributeVerificationCodeCommand,
  GetUserCommand,
  GlobalSignOutCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  RevokeTokenCommand,
  SignUpCommand,
  UpdateUserAttributesCommand,
  VerifyUserAttributeCommand,
  type CreateUserPoolCommandInput,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { hashToken } from '../src/domain/tokens.js';
import { backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';
import { SrpClient } from './srp-client.js';

const PASSWORD = 'Correct-Horse-9';
const ALL_FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH'] as ExplicitAuthFlowsType[];
const attr = (list: { Name?: string; Value?: string }[] | undefined, name: string) => list?.find((a) => a.Name === name)?.Value;
const secretHash = (secret: string, username: string, clientId: string) => createHmac('sha256', secret).update(username + clientId).digest('base64');
const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

for (const backend of await backends()) {
  describe(`authentication (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    async function pool(input: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await send(new CreateUserPoolCommand({ PoolName: 'auth', ...input }));
      return UserPool.Id as string;
    }
    async function client(poolId: string, extra: Record<string, unknown> = {}) {
      const { UserPoolClient } = await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ALL_FLOWS, ...extra }));
      return UserPoolClient as { ClientId: string; ClientSecret?: string };
    }
    /** A CONFIRMED user with PASSWORD and a verified email. */
    async function user(poolId: string, username: string, attrs: Record<string, string> = {}) {
      await send(
        new AdminCreateUserCommand({
          UserPoolId: poolId,
          Username: username,
          MessageAction: 'SUPPRESS',
          UserAttributes: Object.entries({ email: `${username}@example.com`, email_verified: 'true', ...attrs }).map(([Name, Value]) => ({ Name, Value })),
        }),
      );
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    }
    const passwordAuth = (ClientId: string, USERNAME: string, PASSWORD_: string = PASSWORD, extra: Record<string, string> = {}) =>
      send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: PASSWORD_, ...extra } }));
    async function signIn(ClientId: string, username: string) {
      const r = await passwordAuth(ClientId, username);
      assert.ok(r.AuthenticationResult, 'tokens');
      return r.AuthenticationResult as { AccessToken: string; IdToken: string; RefreshToken: string; ExpiresIn: number; TokenType: string };
    }
    const refresh = (ClientId: string, REFRESH_TOKEN: string, extra: Record<string, string> = {}) =>
      send(new InitiateAuthCommand({ ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN, ...extra } }));
    const getUser = (AccessToken: string) => send(new GetUserCommand({ AccessToken }));
    async function jwks(poolId: string): Promise<JSONWebKeySet> {
      const res = await fetch(`${t.url}/${poolId}/.well-known/jwks.json`);
      assert.equal(res.status, 200);
      return (await res.json()) as JSONWebKeySet;
    }
    async function srpSignIn(ClientId: string, poolId: string, username: string, password = PASSWORD) {
      const srp = new SrpClient(poolId);
      const init = await send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: username, SRP_A: srp.A } }));
      assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER');
      return send(
        new RespondToAuthChallengeCommand({ ClientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(init.ChallengeParameters, password) }),
      );
    }

    describe('tokens', () => {
      it('USER_PASSWORD_AUTH returns RS256 tokens with Cognito claims that verify against the JWKS', async () => {
        const p = await pool({ Schema: [{ Name: 'plan', AttributeDataType: 'String', Mutable: true }, { Name: 'age', AttributeDataType: 'Number', Mutable: true }] });
        const c = await client(p);
        await send(new CreateGroupCommand({ UserPoolId: p, GroupName: 'admins', Precedence: 1, RoleArn: 'arn:aws:iam::123456789012:role/Admin' }));
        await send(new CreateGroupCommand({ UserPoolId: p, GroupName: 'readers', Precedence: 5, RoleArn: 'arn:aws:iam::123456789012:role/Read' }));
        await user(p, 'alice', { 'custom:plan': 'pro', 'custom:age': '42', given_name: 'Alice' });
        await send(new AdminAddUserToGroupCommand({ UserPoolId: p, Username: 'alice', GroupName: 'readers' }));
        await send(new AdminAddUserToGroupCommand({ UserPoolId: p, Username: 'alice', GroupName: 'admins' }));
        const r = await signIn(c.ClientId, 'alice');
        assert.equal(r.TokenType, 'Bearer');
        assert.equal(r.ExpiresIn, 3600);
        assert.match(r.RefreshToken, /^[A-Za-z0-9-_=.]+$/);

        const discovery = (await (await fetch(`${t.url}/${p}/.well-known/openid-configuration`)).json()) as { issuer: string; jwks_uri: string };
        assert.equal(discovery.issuer, `${t.url}/${p}`);
        const keySet = await jwks(p);
        assert.equal(keySet.keys.length, 2);
        const idHeader = decodeProtectedHeader(r.IdToken);
        const accessHeader = decodeProtectedHeader(r.AccessToken);
        assert.equal(idHeader.alg, 'RS256');
        assert.notEqual(idHeader.kid, accessHeader.kid, 'ID and access tokens are signed with different keys');
        assert.match(idHeader.kid!, /^[A-Za-z0-9+/]{43}=$/);
        const local = createLocalJWKSet(keySet);
        const { payload: id } = await jwtVerify(r.IdToken, local, { issuer: discovery.issuer, audience: c.ClientId, algorithms: ['RS256'] });
        const { payload: access } = await jwtVerify(r.AccessToken, local, { issuer: discovery.issuer, algorithms: ['RS256'] });

        const sub = attr((await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'alice' }))).UserAttributes, 'sub');
        assert.equal(id.sub, sub);
        assert.equal(id.token_use, 'id');
        assert.equal(id['cognito:username'], 'alice');
        assert.equal(id.email, 'alice@example.com');
        assert.equal(id.email_verified, true, 'email_verified is a JSON boolean');
        assert.equal(id.given_name, 'Alice');
        assert.equal(id['custom:plan'], 'pro');
        assert.equal(id['custom:age'], '42', 'custom attributes are strings whatever their type');
        assert.deepEqual(id['cognito:groups'], ['admins', 'readers']);
        assert.deepEqual(id['cognito:roles'], ['arn:aws:iam::123456789012:role/Admin', 'arn:aws:iam::123456789012:role/Read']);
        assert.equal(id['cognito:preferred_role'], 'arn:aws:iam::123456789012:role/Admin');
        assert.equal(id.exp! - id.iat!, 3600);
        assert.ok(Math.abs(id.auth_time as number - Date.now() / 1000) < 60);
        assert.equal(typeof id.jti, 'string');
        assert.equal(typeof id.origin_jti, 'string');
        assert.equal(typeof id.event_id, 'string');
        assert.equal(id.client_id, undefined);

        assert.equal(access.sub, sub);
        assert.equal(access.token_use, 'access');
        assert.equal(access.client_id, c.ClientId);
        assert.equal(access.username, 'alice');
        assert.equal(access.scope, 'aws.cognito.signin.user.admin');
        assert.equal(access.aud, undefined, 'access tokens have no aud');
        assert.deepEqual(access['cognito:groups'], ['admins', 'readers']);
        assert.equal(access.origin_jti, id.origin_jti);
        assert.equal(access.event_id, id.event_id);
        assert.notEqual(access.jti, id.jti);
        assert.equal(access.auth_time, id.auth_time);
        assert.equal(access.version, 2, 'the access-token format version of AWS\'s documented access token');
        assert.equal(id.version, undefined, 'ID tokens carry none');
      });

      it('lifetimes follow the client validity settings and units; ReadAttributes limit the ID token', async () => {
        const p = await pool();
        const c = await client(p, {
          AccessTokenValidity: 10,
          IdTokenValidity: 2,
          TokenValidityUnits: { AccessToken: 'minutes', IdToken: 'hours' },
          ReadAttributes: ['email', 'email_verified'],
        });
        await user(p, 'bob', { given_name: 'Bob' });
        const r = await signIn(c.ClientId, 'bob');
        assert.equal(r.ExpiresIn, 600);
        const access = decodeJwt(r.AccessToken);
        const id = decodeJwt(r.IdToken);
        assert.equal(access.exp! - access.iat!, 600);
        assert.equal(id.exp! - id.iat!, 7200);
        assert.equal(id.email, 'bob@example.com');
        assert.equal(id.given_name, undefined, 'not in the client ReadAttributes');
      });

      it('tokens of a client with revocation disabled carry no jti or origin_jti in the ID token', async () => {
        const p = await pool();
        const c = await client(p, { EnableTokenRevocation: false });
        await user(p, 'carol');
        const r = await signIn(c.ClientId, 'carol');
        const id = decodeJwt(r.IdToken);
        assert.equal(id.jti, undefined);
        assert.equal(id.origin_jti, undefined);
        await expectError(send(new RevokeTokenCommand({ ClientId: c.ClientId, Token: r.RefreshToken })), 'UnsupportedOperationException');
        // Sign-out still refuses its access tokens.
        await send(new GlobalSignOutCommand({ AccessToken: r.AccessToken }));
        await expectError(getUser(r.AccessToken), 'NotAuthorizedException', 'Access Token has been revoked');
      });

      it('the JWKS and discovery document of an unknown pool are 404', async () => {
        assert.equal((await fetch(`${t.url}/us-east-1_nope1234/.well-known/jwks.json`)).status, 404);
        assert.equal((await fetch(`${t.url}/us-east-1_nope1234/.well-known/openid-configuration`)).status, 404);
      });
    });

    describe('USER_PASSWORD_AUTH and ADMIN_USER_PASSWORD_AUTH', () => {
      let p: string;
      let c: { ClientId: string };
      before(async () => {
        p = await pool({ AliasAttributes: ['email'] });
        c = await client(p);
        await user(p, 'dave');
      });

      it('signs in by username or alias; AdminInitiateAuth too, with the legacy ADMIN_NO_SRP_AUTH name', async () => {
        assert.ok((await passwordAuth(c.ClientId, 'dave')).AuthenticationResult.AccessToken);
        assert.ok((await passwordAuth(c.ClientId, 'dave@example.com')).AuthenticationResult.AccessToken);
        for (const AuthFlow of ['ADMIN_USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'] as const) {
          const r = await send(new AdminInitiateAuthCommand({ UserPoolId: p, ClientId: c.ClientId, AuthFlow, AuthParameters: { USERNAME: 'dave', PASSWORD } }));
          assert.ok(r.AuthenticationResult.IdToken);
          assert.equal(r.ChallengeName, undefined);
        }
      });

      it('refuses what Cognito refuses, with its errors', async () => {
        await expectError(passwordAuth(c.ClientId, 'dave', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
        await expectError(passwordAuth(c.ClientId, 'nobody'), 'UserNotFoundException', 'User does not exist.');
        await expectError(
          send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'dave' } })),
          'InvalidParameterException',
          'Missing required parameter PASSWORD',
        );
        await expectError(
          send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'dave', PASSWORD } })),
          'InvalidParameterException',
          'Initiate Auth method not supported.',
        );
        await expectError(
          send(new AdminInitiateAuthCommand({ UserPoolId: p, ClientId: c.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'dave', PASSWORD } })),
          'InvalidParameterException',
          'Initiate Auth method not supported.',
        );
        await expectError(
          send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'dave' } })),
          'InvalidParameterException',
          /lambda trigger is not configured/,
        );
        await expectError(passwordAuth('nosuchclient1234567890abcd', 'dave'), 'ResourceNotFoundException');
      });

      it('a flow the client does not allow fails with Cognito message', async () => {
        const srpOnly = await client(p, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
        await expectError(passwordAuth(srpOnly.ClientId, 'dave'), 'InvalidParameterException', 'USER_PASSWORD_AUTH flow not enabled for this client');
        await expectError(
          send(new AdminInitiateAuthCommand({ UserPoolId: p, ClientId: srpOnly.ClientId, AuthFlow: 'ADMIN_USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'dave', PASSWORD } })),
          'InvalidParameterException',
          'Auth flow not enabled for this client',
        );
        const passwordOnly = await client(p, { ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH'] });
        const r = await signIn(passwordOnly.ClientId, 'dave');
        await expectError(refresh(passwordOnly.ClientId, r.RefreshToken), 'InvalidParameterException', 'Refresh Token flow not enabled for this client');
        await expectError(
          send(new InitiateAuthCommand({ ClientId: passwordOnly.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'dave', SRP_A: new SrpClient(p).A } })),
          'InvalidParameterException',
          'USER_SRP_AUTH is not enabled for the client.',
        );
        // Legacy values: USER_PASSWORD_AUTH and ADMIN_NO_SRP_AUTH (and refresh, and SRP) work.
        const legacy = await client(p, { ExplicitAuthFlows: ['USER_PASSWORD_AUTH', 'ADMIN_NO_SRP_AUTH'] });
        const l = await signIn(legacy.ClientId, 'dave');
        assert.ok((await refresh(legacy.ClientId, l.RefreshToken)).AuthenticationResult.AccessToken);
      });

      it('user states: unconfirmed, disabled, reset required', async () => {
        const withClient = await client(p, { PreventUserExistenceErrors: 'ENABLED' });
        await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'erin', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'erin@example.com' }] }));
        await expectError(passwordAuth(c.ClientId, 'erin'), 'UserNotConfirmedException', 'User is not confirmed.');
        await expectError(passwordAuth(c.ClientId, 'erin', 'Wrong-Password-1'), 'UserNotConfirmedException');

        await user(p, 'frank');
        await send(new AdminDisableUserCommand({ UserPoolId: p, Username: 'frank' }));
        await expectError(passwordAuth(c.ClientId, 'frank'), 'NotAuthorizedException', 'User is disabled.');
        await send(new AdminEnableUserCommand({ UserPoolId: p, Username: 'frank' }));
        await signIn(c.ClientId, 'frank');

        await send(new AdminResetUserPasswordCommand({ UserPoolId: p, Username: 'frank' }));
        await expectError(passwordAuth(c.ClientId, 'frank'), 'PasswordResetRequiredException', 'Password reset required for the user');
        // PreventUserExistenceErrors ENABLED: reset-required and unknown users look like a wrong password.
        await expectError(passwordAuth(withClient.ClientId, 'frank'), 'NotAuthorizedException', 'Incorrect username or password.');
        await expectError(passwordAuth(withClient.ClientId, 'nobody'), 'NotAuthorizedException', 'Incorrect username or password.');
      });

      it('locks the user out after 5 wrong passwords, for a doubling delay', async () => {
        await user(p, 'gina');
        for (let i = 0; i < 5; i++) {
          await expectError(passwordAuth(c.ClientId, 'gina', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
        }
        // Locked for 1 s: even the right password is refused, and the attempt does not extend the lock.
        await expectError(passwordAuth(c.ClientId, 'gina'), 'NotAuthorizedException', 'Password attempts exceeded');
        await sleep(1100);
        await signIn(c.ClientId, 'gina');
        // Success clears the count: five more failures are needed for the next lock.
        for (let i = 0; i < 4; i++) await expectError(passwordAuth(c.ClientId, 'gina', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
        await signIn(c.ClientId, 'gina');
      });
    });

    describe('passphrases', () => {
      it('a password may hold spaces, not at either end: set, signed in with (password and SRP), changed', async () => {
        const p = await pool();
        const c = await client(p);
        const phrase = 'correct horse Battery 9';
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'paz', MessageAction: 'SUPPRESS', TemporaryPassword: 'temp Pass 1!' }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'paz', Password: phrase, Permanent: true }));
        assert.ok((await passwordAuth(c.ClientId, 'paz', phrase)).AuthenticationResult);
        const srp = await srpSignIn(c.ClientId, p, 'paz', phrase);
        assert.ok(srp.AuthenticationResult, 'SRP with the same passphrase');
        await expectError(passwordAuth(c.ClientId, 'paz', 'correct horse Battery 8'), 'NotAuthorizedException');
        const next = 'another Horse 10';
        await send(new ChangePasswordCommand({ AccessToken: srp.AuthenticationResult.AccessToken, PreviousPassword: phrase, ProposedPassword: next }));
        assert.ok((await passwordAuth(c.ClientId, 'paz', next)).AuthenticationResult);
        await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'quin', Password: 'sign up Phrase 2' }));

        // A space at either end: the API members' pattern (Cognito's message), or the policy's rule
        // where the password arrives in a map without a pattern.
        const pattern = "Member must satisfy regular expression pattern: ^[\\S]+.*[\\S]+$";
        await expectError(send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'paz', Password: ' leading Space 1', Permanent: true })), 'InvalidParameterException', `1 validation error detected: Value at 'password' failed to satisfy constraint: ${pattern}`);
        await expectError(send(new SignUpCommand({ ClientId: c.ClientId, Username: 'rae', Password: 'trailing Space 1 ' })), 'InvalidParameterException', `1 validation error detected: Value at 'password' failed to satisfy constraint: ${pattern}`);
        await expectError(send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'paz', Password: 'line\nbreak Pass 1', Permanent: true })), 'InvalidParameterException', /regular expression pattern/);
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'paz', Password: 'temp Pass 2', Permanent: false }));
        const challenge = await passwordAuth(c.ClientId, 'paz', 'temp Pass 2');
        assert.equal(challenge.ChallengeName, 'NEW_PASSWORD_REQUIRED');
        await expectError(
          send(new RespondToAuthChallengeCommand({ ClientId: c.ClientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session: challenge.Session, ChallengeResponses: { USERNAME: 'paz', NEW_PASSWORD: 'ends with Space 3 ' } })),
          'InvalidPasswordException',
          'Password does not conform to policy: Password must not begin or end with a space',
        );
      });
    });

    describe('SECRET_HASH', () => {
      it('is required and checked for clients with a secret, on sign-in and refresh', async () => {
        const p = await pool({ UsernameAttributes: ['email'] });
        const c = await client(p, { GenerateSecret: true });
        await send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'hank@example.com', MessageAction: 'SUPPRESS' }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'hank@example.com', Password: PASSWORD, Permanent: true }));
        await expectError(passwordAuth(c.ClientId, 'hank@example.com'), 'NotAuthorizedException', `Client ${c.ClientId} is configured for secret but secret was not received`);
        await expectError(
          passwordAuth(c.ClientId, 'hank@example.com', PASSWORD, { SECRET_HASH: secretHash(c.ClientSecret!, 'someone-else', c.ClientId) }),
          'NotAuthorizedException',
          `Unable to verify secret hash for client ${c.ClientId}`,
        );
        const r = await passwordAuth(c.ClientId, 'hank@example.com', PASSWORD, { SECRET_HASH: secretHash(c.ClientSecret!, 'hank@example.com', c.ClientId) });
        const sub = decodeJwt(r.AuthenticationResult.AccessToken).sub!;
        // Refresh: the hash may be over the username (here the sub) or the email.
        for (const name of [sub, 'hank@example.com']) {
          const again = await refresh(c.ClientId, r.AuthenticationResult.RefreshToken, { SECRET_HASH: secretHash(c.ClientSecret!, name, c.ClientId) });
          assert.ok(again.AuthenticationResult.AccessToken);
        }
        await expectError(refresh(c.ClientId, r.AuthenticationResult.RefreshToken), 'NotAuthorizedException', /configured for secret/);
        // SRP: the hash is over USER_ID_FOR_SRP in the response.
        const srp = new SrpClient(p);
        const init = await send(
          new InitiateAuthCommand({
            ClientId: c.ClientId,
            AuthFlow: 'USER_SRP_AUTH',
            AuthParameters: { USERNAME: 'hank@example.com', SRP_A: srp.A, SECRET_HASH: secretHash(c.ClientSecret!, 'hank@example.com', c.ClientId) },
          }),
        );
        const responses = srp.respond(init.ChallengeParameters, PASSWORD);
        const done = await send(
          new RespondToAuthChallengeCommand({
            ClientId: c.ClientId,
            ChallengeName: 'PASSWORD_VERIFIER',
            ChallengeResponses: { ...responses, SECRET_HASH: secretHash(c.ClientSecret!, responses.USERNAME!, c.ClientId) },
          }),
        );
        assert.ok(done.AuthenticationResult.IdToken);
      });
    });

    describe('USER_SRP_AUTH', () => {
      let p: string;
      let c: { ClientId: string };
      before(async () => {
        p = await pool({ AliasAttributes: ['email'] });
        c = await client(p);
        await user(p, 'ivy');
      });

      it('the PASSWORD_VERIFIER challenge, answered as amazon-cognito-identity-js does, gives tokens', async () => {
        const srp = new SrpClient(p);
        const init = await send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ivy@example.com', SRP_A: srp.A } }));
        assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER');
        assert.equal(init.AuthenticationResult, undefined);
        const cp = init.ChallengeParameters;
        assert.deepEqual(Object.keys(cp).sort(), ['SALT', 'SECRET_BLOCK', 'SRP_B', 'USERNAME', 'USER_ID_FOR_SRP']);
        assert.equal(cp.USER_ID_FOR_SRP, 'ivy', 'the real username, not the alias');
        assert.equal(cp.USERNAME, 'ivy');
        assert.match(cp.SALT, /^[0-9a-f]+$/);
        assert.match(cp.SRP_B, /^[0-9a-f]+$/);
        const r = await send(new RespondToAuthChallengeCommand({ ClientId: c.ClientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(cp, PASSWORD) }));
        assert.equal(r.ChallengeName, undefined);
        assert.equal(decodeJwt(r.AuthenticationResult.IdToken)['cognito:username'], 'ivy');
        // The secret block is single-use.
        await expectError(
          send(new RespondToAuthChallengeCommand({ ClientId: c.ClientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(cp, PASSWORD) })),
          'NotAuthorizedException',
        );
      });

      it('AdminInitiateAuth with USER_SRP_AUTH and AdminRespondToAuthChallenge', async () => {
        const srp = new SrpClient(p);
        const init = await send(new AdminInitiateAuthCommand({ UserPoolId: p, ClientId: c.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ivy', SRP_A: srp.A } }));
        const r = await send(
          new AdminRespondToAuthChallengeCommand({ UserPoolId: p, ClientId: c.ClientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(init.ChallengeParameters, PASSWORD) }),
        );
        assert.ok(r.AuthenticationResult.AccessToken);
      });

      it('a wrong password, a tampered timestamp and a bad SRP_A are refused', async () => {
        await expectError(srpSignIn(c.ClientId, p, 'ivy', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
        const srp = new SrpClient(p);
        const init = await send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ivy', SRP_A: srp.A } }));
        // A zero-padded day is not Cognito's format.
        const responses = srp.respond(init.ChallengeParameters, PASSWORD, 'Tue Mar 05 09:03:04 UTC 2024');
        await expectError(
          send(new RespondToAuthChallengeCommand({ ClientId: c.ClientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: responses })),
          'NotAuthorizedException',
          'Incorrect username or password.',
        );
        await expectError(
          send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ivy', SRP_A: '0' } })),
          'InvalidParameterException',
        );
        await expectError(
          send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ivy' } })),
          'InvalidParameterException',
          'Missing required parameter SRP_A',
        );
        await expectError(
          send(
            new RespondToAuthChallengeCommand({
              ClientId: c.ClientId,
              ChallengeName: 'PASSWORD_VERIFIER',
              ChallengeResponses: { USERNAME: 'ivy', PASSWORD_CLAIM_SECRET_BLOCK: 'bm90IGEgYmxvY2s=', PASSWORD_CLAIM_SIGNATURE: 'eA==', TIMESTAMP: 'Tue Mar 5 09:03:04 UTC 2024' },
            }),
          ),
          'NotAuthorizedException',
        );
      });

      it('unknown users: UserNotFoundException under LEGACY; a stable simulated challenge under ENABLED', async () => {
        await expectError(srpSignIn(c.ClientId, p, 'ghost'), 'UserNotFoundException', 'User does not exist.');
        const hiding = await client(p, { PreventUserExistenceErrors: 'ENABLED' });
        const first = await send(
          new InitiateAuthCommand({ ClientId: hiding.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ghost', SRP_A: new SrpClient(p).A } }),
        );
        const second = await send(
          new InitiateAuthCommand({ ClientId: hiding.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'ghost', SRP_A: new SrpClient(p).A } }),
        );
        assert.equal(first.ChallengeName, 'PASSWORD_VERIFIER');
        assert.equal(first.ChallengeParameters.SALT, second.ChallengeParameters.SALT, 'a stable salt');
        assert.equal(first.ChallengeParameters.USER_ID_FOR_SRP, second.ChallengeParameters.USER_ID_FOR_SRP);
        assert.match(first.ChallengeParameters.USER_ID_FOR_SRP, /^[0-9a-f-]{36}$/);
        await expectError(srpSignIn(hiding.ClientId, p, 'ghost'), 'NotAuthorizedException', 'Incorrect username or password.');
      });

      it('a user whose password changed after the challenge cannot answer it with the old password', async () => {
        await user(p, 'jack');
        const srp = new SrpClient(p);
        const init = await send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'jack', SRP_A: srp.A } }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: p, Username: 'jack', Password: 'Another-Pass-7', Permanent: true }));
        await expectError(
          send(new RespondToAuthChallengeCommand({ ClientId: c.ClientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(init.ChallengeParameters, PASSWORD) })),
          'NotAuthorizedException',
          'Incorrect username or password.',
        );
        assert.ok((await srpSignIn(c.ClientId, p, 'jack', 'Another-Pass-7')).AuthenticationResult);
      });
    });

    describe('NEW_PASSWORD_REQUIRED', () => {
      let p: string;
      let c: { ClientId: string };
      before(async () => {
        p = await pool({ Schema: [{ Name: 'given_name', AttributeDataType: 'String', Required: true, Mutable: true }] });
        c = await client(p);
      });
      const invite = (Username: string, attrs: Record<string, string> = { given_name: 'Kim' }) =>
        send(
          new AdminCreateUserCommand({
            UserPoolId: p,
            Username,
            TemporaryPassword: 'Temp-Pass-123',
            MessageAction: 'SUPPRESS',
            UserAttributes: Object.entries({ email: `${Username}@example.com`, ...attrs }).map(([Name, Value]) => ({ Name, Value })),
          }),
        );
      const answer = (Session: string, responses: Record<string, string>) =>
        send(new RespondToAuthChallengeCommand({ ClientId: c.ClientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session, ChallengeResponses: responses }));

      it('a temporary password leads to the challenge; answering it confirms the user and gives tokens', async () => {
        await invite('kim');
        const r = await passwordAuth(c.ClientId, 'kim', 'Temp-Pass-123');
        assert.equal(r.ChallengeName, 'NEW_PASSWORD_REQUIRED');
        assert.equal(r.AuthenticationResult, undefined, 'never a challenge and tokens together');
        assert.ok(r.Session.length >= 20);
        assert.deepEqual(JSON.parse(r.ChallengeParameters.userAttributes), { email: 'kim@example.com', given_name: 'Kim' });
        assert.deepEqual(JSON.parse(r.ChallengeParameters.requiredAttributes), []);
        assert.equal(r.ChallengeParameters.USER_ID_FOR_SRP, 'kim');
        // A password the policy refuses leaves the session usable for a corrected answer.
        await expectError(answer(r.Session, { USERNAME: 'kim', NEW_PASSWORD: 'short' }), 'InvalidPasswordException');
        const done = await answer(r.Session, { USERNAME: 'kim', NEW_PASSWORD: 'Brand-New-Pass-1' });
        assert.equal(done.ChallengeName, undefined);
        assert.ok(done.AuthenticationResult.AccessToken);
        assert.equal((await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'kim' }))).UserStatus, 'CONFIRMED');
        // Single use; and the temporary password is gone.
        await expectError(answer(r.Session, { USERNAME: 'kim', NEW_PASSWORD: 'Brand-New-Pass-2' }), 'NotAuthorizedException', /session/);
        await expectError(passwordAuth(c.ClientId, 'kim', 'Temp-Pass-123'), 'NotAuthorizedException', 'Incorrect username or password.');
        assert.ok((await passwordAuth(c.ClientId, 'kim', 'Brand-New-Pass-1')).AuthenticationResult);
      });

      it('required attributes must be given as userAttributes.<name>', async () => {
        await invite('lee');
        // A user without a value for a required attribute (as imported users may be): drop it in the store.
        const stored = (await t.server.store.users.get(p, 'lee'))!;
        const { given_name: _, ...rest } = stored.attributes;
        await t.server.store.users.update({ ...stored, attributes: rest });
        const r = await passwordAuth(c.ClientId, 'lee', 'Temp-Pass-123');
        assert.deepEqual(JSON.parse(r.ChallengeParameters.requiredAttributes), ['userAttributes.given_name']);
        await expectError(answer(r.Session, { USERNAME: 'lee', NEW_PASSWORD: 'Brand-New-Pass-1' }), 'InvalidParameterException', /given_name/);
        const done = await answer(r.Session, { USERNAME: 'lee', NEW_PASSWORD: 'Brand-New-Pass-1', 'userAttributes.given_name': 'Lee' });
        assert.equal(decodeJwt(done.AuthenticationResult.IdToken).given_name, 'Lee');
      });

      it('through SRP: PASSWORD_VERIFIER then NEW_PASSWORD_REQUIRED', async () => {
        await invite('max');
        const srp = new SrpClient(p);
        const init = await send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'max', SRP_A: srp.A } }));
        const r = await send(
          new RespondToAuthChallengeCommand({ ClientId: c.ClientId, ChallengeName: 'PASSWORD_VERIFIER', ChallengeResponses: srp.respond(init.ChallengeParameters, 'Temp-Pass-123') }),
        );
        assert.equal(r.ChallengeName, 'NEW_PASSWORD_REQUIRED');
        const done = await answer(r.Session, { USERNAME: 'max', NEW_PASSWORD: 'Brand-New-Pass-1' });
        assert.ok(done.AuthenticationResult.RefreshToken);
      });

      it('an expired session and an expired temporary password are refused', async () => {
        await invite('ned');
        const r = await passwordAuth(c.ClientId, 'ned', 'Temp-Pass-123');
        // Age the session in the store (AuthSessionValidity is minutes; the test does not wait).
        const rec = await t.server.store.sessions.take(hashToken(r.Session));
        assert.ok(rec);
        await t.server.store.sessions.insert({ ...rec, expiresAt: Date.now() - 1 });
        await expectError(answer(r.Session, { USERNAME: 'ned', NEW_PASSWORD: 'Brand-New-Pass-1' }), 'NotAuthorizedException', 'Invalid session for the user, session is expired.');
        // A temporary password older than TemporaryPasswordValidityDays (7).
        const u = (await t.server.store.users.get(p, 'ned'))!;
        await t.server.store.users.update({ ...u, passwordUpdatedAt: Date.now() - 8 * 86_400_000 });
        await expectError(passwordAuth(c.ClientId, 'ned', 'Temp-Pass-123'), 'NotAuthorizedException', /Temporary password has expired/);
      });
    });

    describe('refresh', () => {
      let p: string;
      let c: { ClientId: string; ClientSecret?: string };
      before(async () => {
        p = await pool();
        c = await client(p);
        await user(p, 'olga');
      });

      it('REFRESH_TOKEN_AUTH and REFRESH_TOKEN: new ID and access tokens, no refresh token, same auth_time and origin_jti', async () => {
        const first = await signIn(c.ClientId, 'olga');
        await sleep(1100);
        for (const AuthFlow of ['REFRESH_TOKEN_AUTH', 'REFRESH_TOKEN'] as const) {
          const r = await send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow, AuthParameters: { REFRESH_TOKEN: first.RefreshToken } }));
          assert.equal(r.AuthenticationResult.RefreshToken, undefined);
          const a0 = decodeJwt(first.AccessToken);
          const a1 = decodeJwt(r.AuthenticationResult.AccessToken);
          assert.equal(a1.auth_time, a0.auth_time);
          assert.equal(a1.origin_jti, a0.origin_jti);
          assert.equal(a1.version, 2);
          assert.ok(a1.iat! > a0.iat!);
          assert.notEqual(a1.jti, a0.jti);
          assert.equal(decodeJwt(r.AuthenticationResult.IdToken).auth_time, a0.auth_time);
          await getUser(r.AuthenticationResult.AccessToken);
        }
        const admin = await send(
          new AdminInitiateAuthCommand({ UserPoolId: p, ClientId: c.ClientId, AuthFlow: 'REFRESH_TOKEN_AUTH', AuthParameters: { REFRESH_TOKEN: first.RefreshToken } }),
        );
        assert.ok(admin.AuthenticationResult.IdToken);
      });

      it('refuses unknown tokens, tokens of another client, and disabled users', async () => {
        const r = await signIn(c.ClientId, 'olga');
        await expectError(refresh(c.ClientId, 'not-a-real-token'), 'NotAuthorizedException', 'Invalid Refresh Token');
        const other = await client(p);
        await expectError(refresh(other.ClientId, r.RefreshToken), 'NotAuthorizedException', 'Invalid Refresh Token');
        await send(new AdminDisableUserCommand({ UserPoolId: p, Username: 'olga' }));
        await expectError(refresh(c.ClientId, r.RefreshToken), 'NotAuthorizedException', 'User is disabled.');
        // Disabling revoked the user's sign-ins: enabling the user again does not bring them back.
        await send(new AdminEnableUserCommand({ UserPoolId: p, Username: 'olga' }));
        await expectError(refresh(c.ClientId, r.RefreshToken), 'NotAuthorizedException', 'Refresh Token has been revoked');
        assert.ok((await refresh(c.ClientId, (await signIn(c.ClientId, 'olga')).RefreshToken)).AuthenticationResult);
      });

      it('GetTokensFromRefreshToken without rotation; the client secret is checked', async () => {
        const secretClient = await client(p, { GenerateSecret: true });
        const r = await passwordAuth(secretClient.ClientId, 'olga', PASSWORD, { SECRET_HASH: secretHash(secretClient.ClientSecret!, 'olga', secretClient.ClientId) });
        const token = r.AuthenticationResult.RefreshToken;
        await expectError(
          send(new GetTokensFromRefreshTokenCommand({ ClientId: secretClient.ClientId, RefreshToken: token })),
          'NotAuthorizedException',
          /configured for secret but secret was not received/,
        );
        await expectError(
          send(new GetTokensFromRefreshTokenCommand({ ClientId: secretClient.ClientId, RefreshToken: token, ClientSecret: 'x'.repeat(51) })),
          'NotAuthorizedException',
        );
        const g = await send(new GetTokensFromRefreshTokenCommand({ ClientId: secretClient.ClientId, RefreshToken: token, ClientSecret: secretClient.ClientSecret }));
        assert.ok(g.AuthenticationResult.AccessToken);
        assert.equal(g.AuthenticationResult.RefreshToken, undefined);
      });

      it('rotation: a new refresh token each time; the old one is refused after the grace period', async () => {
        const rotating = await client(p, { RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 0 } });
        const r = await signIn(rotating.ClientId, 'olga');
        await expectError(refresh(rotating.ClientId, r.RefreshToken), 'InvalidParameterException', /rotation/);
        const g1 = await send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.ClientId, RefreshToken: r.RefreshToken }));
        assert.ok(g1.AuthenticationResult.RefreshToken);
        assert.notEqual(g1.AuthenticationResult.RefreshToken, r.RefreshToken);
        assert.equal(decodeJwt(g1.AuthenticationResult.AccessToken).origin_jti, decodeJwt(r.AccessToken).origin_jti);
        await expectError(send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.ClientId, RefreshToken: r.RefreshToken })), 'RefreshTokenReuseException');
        const g2 = await send(new GetTokensFromRefreshTokenCommand({ ClientId: rotating.ClientId, RefreshToken: g1.AuthenticationResult.RefreshToken }));
        assert.ok(g2.AuthenticationResult.RefreshToken);

        const graceful = await client(p, { RefreshTokenRotation: { Feature: 'ENABLED', RetryGracePeriodSeconds: 60 } });
        const s = await signIn(graceful.ClientId, 'olga');
        const a = await send(new GetTokensFromRefreshTokenCommand({ ClientId: graceful.ClientId, RefreshToken: s.RefreshToken }));
        const b = await send(new GetTokensFromRefreshTokenCommand({ ClientId: graceful.ClientId, RefreshToken: s.RefreshToken }));
        assert.ok(a.AuthenticationResult.RefreshToken && b.AuthenticationResult.RefreshToken, 'a retry inside the grace period succeeds');
        // Revoking the newest token revokes the whole sign-in.
        await send(new RevokeTokenCommand({ ClientId: graceful.ClientId, Token: b.AuthenticationResult.RefreshToken }));
        await expectError(send(new GetTokensFromRefreshTokenCommand({ ClientId: graceful.ClientId, RefreshToken: a.AuthenticationResult.RefreshToken })), 'NotAuthorizedException', 'Refresh Token has been revoked');
      });
    });

    describe('revocation and sign-out', () => {
      let p: string;
      let c: { ClientId: string; ClientSecret?: string };
      before(async () => {
        p = await pool();
        c = await client(p);
        await user(p, 'pam');
      });

      it('RevokeToken revokes the refresh token and the tokens issued from it, not other sign-ins', async () => {
        const one = await signIn(c.ClientId, 'pam');
        const two = await signIn(c.ClientId, 'pam');
        const refreshed = (await refresh(c.ClientId, one.RefreshToken)).AuthenticationResult;
        await send(new RevokeTokenCommand({ ClientId: c.ClientId, Token: one.RefreshToken }));
        await expectError(refresh(c.ClientId, one.RefreshToken), 'NotAuthorizedException', 'Refresh Token has been revoked');
        await expectError(getUser(one.AccessToken), 'NotAuthorizedException', 'Access Token has been revoked');
        await expectError(getUser(refreshed.AccessToken), 'NotAuthorizedException', 'Access Token has been revoked');
        assert.equal((await getUser(two.AccessToken)).Username, 'pam');
        assert.ok((await refresh(c.ClientId, two.RefreshToken)).AuthenticationResult);
        // Revoking again, or an unknown token, is not an error (RFC 7009).
        await send(new RevokeTokenCommand({ ClientId: c.ClientId, Token: one.RefreshToken }));
        await send(new RevokeTokenCommand({ ClientId: c.ClientId, Token: 'unknown-token' }));
      });

      it('RevokeToken refuses access tokens, other clients and a wrong secret', async () => {
        const r = await signIn(c.ClientId, 'pam');
        await expectError(send(new RevokeTokenCommand({ ClientId: c.ClientId, Token: r.AccessToken })), 'UnsupportedTokenTypeException');
        const other = await client(p);
        await expectError(send(new RevokeTokenCommand({ ClientId: other.ClientId, Token: r.RefreshToken })), 'UnauthorizedException');
        const secretClient = await client(p, { GenerateSecret: true, ExplicitAuthFlows: ['ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
        const s = await send(
          new AdminInitiateAuthCommand({
            UserPoolId: p,
            ClientId: secretClient.ClientId,
            AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
            AuthParameters: { USERNAME: 'pam', PASSWORD, SECRET_HASH: secretHash(secretClient.ClientSecret!, 'pam', secretClient.ClientId) },
          }),
        );
        const token = s.AuthenticationResult.RefreshToken;
        await expectError(send(new RevokeTokenCommand({ ClientId: secretClient.ClientId, Token: token })), 'UnauthorizedException');
        await expectError(send(new RevokeTokenCommand({ ClientId: secretClient.ClientId, Token: token, ClientSecret: 'y'.repeat(51) })), 'UnauthorizedException');
        await send(new RevokeTokenCommand({ ClientId: secretClient.ClientId, Token: token, ClientSecret: secretClient.ClientSecret }));
        await expectError(getUser(s.AuthenticationResult.AccessToken), 'NotAuthorizedException', 'Access Token has been revoked');
      });

      it('GlobalSignOut and AdminUserGlobalSignOut end every sign-in of the user; a new one works', async () => {
        const a = await signIn(c.ClientId, 'pam');
        const b = await signIn(c.ClientId, 'pam');
        await send(new GlobalSignOutCommand({ AccessToken: a.AccessToken }));
        for (const s of [a, b]) {
          await expectError(getUser(s.AccessToken), 'NotAuthorizedException', 'Access Token has been revoked');
          await expectError(refresh(c.ClientId, s.RefreshToken), 'NotAuthorizedException', 'Refresh Token has been revoked');
        }
        const again = await signIn(c.ClientId, 'pam');
        assert.equal((await getUser(again.AccessToken)).Username, 'pam');
        await send(new AdminUserGlobalSignOutCommand({ UserPoolId: p, Username: 'pam' }));
        await expectError(getUser(again.AccessToken), 'NotAuthorizedException', 'Access Token has been revoked');
        await expectError(send(new AdminUserGlobalSignOutCommand({ UserPoolId: p, Username: 'nobody' })), 'UserNotFoundException');
        assert.ok((await signIn(c.ClientId, 'pam')).AccessToken);
      });
    });

    describe('access-token checks', () => {
      let p: string;
      let c: { ClientId: string };
      before(async () => {
        p = await pool();
        c = await client(p);
        await user(p, 'quinn');
      });

      it('refuses tampered, foreign, expired, ID and scope-less tokens', async () => {
        const r = await signIn(c.ClientId, 'quinn');
        const [h, body, sig] = r.AccessToken.split('.');
        const claims = JSON.parse(Buffer.from(body!, 'base64url').toString());
        const forged = `${h}.${Buffer.from(JSON.stringify({ ...claims, username: 'admin' })).toString('base64url')}.${sig}`;
        await expectError(getUser(forged), 'NotAuthorizedException', 'Invalid Access Token');
        await expectError(getUser(r.IdToken), 'NotAuthorizedException', 'Invalid Access Token');
        await expectError(getUser('not.a.token'), 'NotAuthorizedException', 'Invalid Access Token');
        // Signed with the pool's own access key, but expired / without the admin scope / as an ID token.
        const keys = await t.server.keys.forPool(t.server.store, p);
        const sign = (payload: Record<string, unknown>) =>
          new SignJWT({ ...claims, ...payload }).setProtectedHeader({ alg: 'RS256', kid: keys.access.kid }).sign(keys.access.privateKey);
        await expectError(getUser(await sign({ exp: Math.floor(Date.now() / 1000) - 10 })), 'NotAuthorizedException', 'Access Token has expired');
        await expectError(getUser(await sign({ scope: 'openid email' })), 'NotAuthorizedException', 'Access Token does not have required scopes');
        await expectError(getUser(await sign({ token_use: 'id' })), 'NotAuthorizedException', 'Invalid Access Token');
        // Another pool's token, with its issuer rewritten to this pool, does not verify.
        const p2 = await pool();
        const c2 = await client(p2);
        await user(p2, 'quinn');
        const foreign = await signIn(c2.ClientId, 'quinn');
        const fc = decodeJwt(foreign.AccessToken);
        const k2 = await t.server.keys.forPool(t.server.store, p2);
        const moved = await new SignJWT({ ...fc, iss: claims.iss }).setProtectedHeader({ alg: 'RS256', kid: k2.access.kid }).sign(k2.access.privateKey);
        await expectError(getUser(moved), 'NotAuthorizedException', 'Invalid Access Token');
        assert.equal((await getUser(r.AccessToken)).Username, 'quinn');
        // A token accepted once (its signature is not checked again) is refused once it expires.
        const exp = Math.floor(Date.now() / 1000) + 2;
        const shortLived = await sign({ exp });
        assert.equal((await getUser(shortLived)).Username, 'quinn');
        assert.equal((await getUser(shortLived)).Username, 'quinn');
        await new Promise((resolve) => setTimeout(resolve, exp * 1000 - Date.now() + 50));
        await expectError(getUser(shortLived), 'NotAuthorizedException', 'Access Token has expired');
      });

      it('disabled and deleted users', async () => {
        await user(p, 'rita');
        const r = await signIn(c.ClientId, 'rita');
        await send(new AdminDisableUserCommand({ UserPoolId: p, Username: 'rita' }));
        await expectError(getUser(r.AccessToken), 'NotAuthorizedException', 'User is disabled.');
        await send(new AdminEnableUserCommand({ UserPoolId: p, Username: 'rita' }));
        await expectError(getUser(r.AccessToken), 'NotAuthorizedException', 'Access Token has been revoked');
        const again = await signIn(c.ClientId, 'rita');
        await send(new DeleteUserCommand({ AccessToken: again.AccessToken }));
        await expectError(getUser(again.AccessToken), 'UserNotFoundException');
        await expectError(passwordAuth(c.ClientId, 'rita'), 'UserNotFoundException');
      });
    });

    describe('operations the access token authorizes', () => {
      let p: string;
      let c: { ClientId: string };
      before(async () => {
        p = await pool({ AutoVerifiedAttributes: ['email'], AliasAttributes: ['email'], Schema: [{ Name: 'plan', AttributeDataType: 'String', Mutable: true }] });
        c = await client(p);
        await user(p, 'sam', { given_name: 'Sam', 'custom:plan': 'free' });
      });
      const lastCode = async (username: string) => (await t.server.store.messages.list(p, { username, limit: 1 }))[0]!.code!;

      it('GetUser, UpdateUserAttributes with a code to a changed email, VerifyUserAttribute', async () => {
        const r = await signIn(c.ClientId, 'sam');
        const g = await getUser(r.AccessToken);
        assert.equal(g.Username, 'sam');
        assert.equal(attr(g.UserAttributes, 'given_name'), 'Sam');
        assert.equal(attr(g.UserAttributes, 'sub'), decodeJwt(r.AccessToken).sub);

        const u = await send(
          new UpdateUserAttributesCommand({ AccessToken: r.AccessToken, UserAttributes: [{ Name: 'email', Value: 'sam2@example.com' }, { Name: 'custom:plan', Value: 'pro' }] }),
        );
        assert.deepEqual(u.CodeDeliveryDetailsList, [{ Destination: 's***@e***', DeliveryMedium: 'EMAIL', AttributeName: 'email' }]);
        let after = await getUser(r.AccessToken);
        assert.equal(attr(after.UserAttributes, 'email'), 'sam2@example.com');
        assert.equal(attr(after.UserAttributes, 'email_verified'), 'false');
        assert.equal(attr(after.UserAttributes, 'custom:plan'), 'pro');
        await expectError(send(new VerifyUserAttributeCommand({ AccessToken: r.AccessToken, AttributeName: 'email', Code: '000000' })), 'CodeMismatchException');
        await send(new VerifyUserAttributeCommand({ AccessToken: r.AccessToken, AttributeName: 'email', Code: await lastCode('sam') }));
        after = await getUser(r.AccessToken);
        assert.equal(attr(after.UserAttributes, 'email_verified'), 'true');
        // The verified email is now an alias to sign in with.
        assert.ok((await passwordAuth(c.ClientId, 'sam2@example.com')).AuthenticationResult);

        const code = await send(new GetUserAttributeVerificationCodeCommand({ AccessToken: r.AccessToken, AttributeName: 'email' }));
        assert.equal(code.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
        await send(new VerifyUserAttributeCommand({ AccessToken: r.AccessToken, AttributeName: 'email', Code: await lastCode('sam') }));
      });

      it('a client may only write its WriteAttributes; DeleteUserAttributes', async () => {
        const limited = await client(p, { WriteAttributes: ['given_name'] });
        const r = await signIn(limited.ClientId, 'sam');
        await expectError(
          send(new UpdateUserAttributesCommand({ AccessToken: r.AccessToken, UserAttributes: [{ Name: 'custom:plan', Value: 'x' }] })),
          'NotAuthorizedException',
          'A client attempted to write unauthorized attribute',
        );
        await send(new UpdateUserAttributesCommand({ AccessToken: r.AccessToken, UserAttributes: [{ Name: 'given_name', Value: 'Samuel' }] }));
        await send(new DeleteUserAttributesCommand({ AccessToken: r.AccessToken, UserAttributeNames: ['given_name'] }));
        assert.equal(attr((await getUser(r.AccessToken)).UserAttributes, 'given_name'), undefined);
        await expectError(send(new DeleteUserAttributesCommand({ AccessToken: r.AccessToken, UserAttributeNames: ['custom:plan'] })), 'NotAuthorizedException');
      });

      it('pools that keep the original email until the new one is verified', async () => {
        const keep = await pool({ AutoVerifiedAttributes: ['email'], UserAttributeUpdateSettings: { AttributesRequireVerificationBeforeUpdate: ['email'] } });
        const kc = await client(keep);
        await user(keep, 'tess');
        const r = await signIn(kc.ClientId, 'tess');
        const u = await send(new UpdateUserAttributesCommand({ AccessToken: r.AccessToken, UserAttributes: [{ Name: 'email', Value: 'tess-new@example.com' }] }));
        assert.equal(u.CodeDeliveryDetailsList[0].Destination, 't***@e***');
        let g = await getUser(r.AccessToken);
        assert.equal(attr(g.UserAttributes, 'email'), 'tess@example.com', 'the old email stays until verified');
        assert.equal(attr(g.UserAttributes, 'email_verified'), 'true');
        const [m] = await t.server.store.messages.list(keep, { username: 'tess', limit: 1 });
        assert.equal(m!.destination, 'tess-new@example.com');
        await send(new VerifyUserAttributeCommand({ AccessToken: r.AccessToken, AttributeName: 'email', Code: m!.code! }));
        g = await getUser(r.AccessToken);
        assert.equal(attr(g.UserAttributes, 'email'), 'tess-new@example.com');
        assert.equal(attr(g.UserAttributes, 'email_verified'), 'true');
      });

      it('ChangePassword checks the old password and the policy', async () => {
        await user(p, 'uma');
        const r = await signIn(c.ClientId, 'uma');
        await expectError(
          send(new ChangePasswordCommand({ AccessToken: r.AccessToken, PreviousPassword: 'Wrong-Password-1', ProposedPassword: 'Next-Password-2' })),
          'NotAuthorizedException',
          'Incorrect username or password.',
        );
        await expectError(send(new ChangePasswordCommand({ AccessToken: r.AccessToken, PreviousPassword: PASSWORD, ProposedPassword: 'weak' })), 'InvalidPasswordException');
        await send(new ChangePasswordCommand({ AccessToken: r.AccessToken, PreviousPassword: PASSWORD, ProposedPassword: 'Next-Password-2' }));
        await expectError(passwordAuth(c.ClientId, 'uma'), 'NotAuthorizedException');
        assert.ok((await passwordAuth(c.ClientId, 'uma', 'Next-Password-2')).AuthenticationResult);
        // The new password works for SRP too (its verifier was replaced).
        assert.ok((await srpSignIn(c.ClientId, p, 'uma', 'Next-Password-2')).AuthenticationResult);
      });
    });
  });

  describe(`the injected clock (${backend.name})`, () => {
    it('moves challenge-session and access-token expiry without sleeping', async () => {
      const clock = new TestClock();
      const t = await startTestServer(backend, {}, { clock: clock.now });
      try {
        const c = t.cognito;
        const p = (await c.send(new CreateUserPoolCommand({ PoolName: 'clock' }))).UserPool!.Id!;
        const app = (await c.send(new CreateUserPoolClientCommand({ UserPoolId: p, ClientName: 'app', ExplicitAuthFlows: ALL_FLOWS, AuthSessionValidity: 3 }))).UserPoolClient!;
        await c.send(new AdminCreateUserCommand({ UserPoolId: p, Username: 'tick', TemporaryPassword: 'Temp-Pass-123', MessageAction: 'SUPPRESS' }));
        const start = () => c.send(new InitiateAuthCommand({ ClientId: app.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'tick', PASSWORD: 'Temp-Pass-123' } }));
        const answer = (Session: string) =>
          c.send(new RespondToAuthChallengeCommand({ ClientId: app.ClientId, ChallengeName: 'NEW_PASSWORD_REQUIRED', Session, ChallengeResponses: { USERNAME: 'tick', NEW_PASSWORD: PASSWORD } }));
        const late = await start();
        clock.advance(3 * 60_000 + 1);
        await expectError(answer(late.Session!), 'NotAuthorizedException', 'Invalid session for the user, session is expired.');
        const inTime = await start();
        clock.advance(3 * 60_000 - 1_000);
        const tokens = (await answer(inTime.Session!)).AuthenticationResult!;
        assert.equal((await c.send(new GetUserCommand({ AccessToken: tokens.AccessToken! }))).Username, 'tick');
        clock.advance(3600 * 1000 + 1_000);
        await expectError(c.send(new GetUserCommand({ AccessToken: tokens.AccessToken! })), 'NotAuthorizedException', 'Access Token has expired');
      } finally {
        await t.close();
      }
    });
  });
}
