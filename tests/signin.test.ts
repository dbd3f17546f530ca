/**
 * The sign-in engine's own promises (src/signin), through the SDK and the hosted pages, on each
 * store: a session answers only the challenge it was issued for and only on its channel; the
 * policy runs after every factor (SRP, then a temporary password); the lockout follows the
 * injected clock; every path ends in the one completion step.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  GetUserCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';
import { FormClient, pageMessage } from './hosted.js';
import { SrpClient } from './srp-client.js';

const PASSWORD = 'Correct-Horse-9';
const TEMPORARY = 'Temp-Pass-123';
const FLOWS = ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as ExplicitAuthFlowsType[];
const CALLBACK = 'http://localhost:8976/callback';

for (const backend of await backends()) {
  describe(`sign-in engine (${backend.name})`, () => {
    const clock = new TestClock();
    let t: TestServer;
    let poolId: string;
    let clientId: string;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend, {}, { clock: clock.now });
      poolId = (await send(new CreateUserPoolCommand({ PoolName: 'engine' }))).UserPool.Id;
      clientId = (
        await send(
          new CreateUserPoolClientCommand({
            UserPoolId: poolId,
            ClientName: 'web',
            ExplicitAuthFlows: FLOWS,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid'],
            CallbackURLs: [CALLBACK],
            SupportedIdentityProviders: ['COGNITO'],
          }),
        )
      ).UserPoolClient.ClientId;
    });
    after(() => t?.close());

    const invite = (Username: string) => send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, TemporaryPassword: TEMPORARY, MessageAction: 'SUPPRESS' }));
    const passwordAuth = (USERNAME: string, PASSWORD_: string) =>
      send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: PASSWORD_ } }));
    const respond = (ChallengeName: string, ChallengeResponses: Record<string, string>, Session?: string) =>
      send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: ChallengeName as any, ChallengeResponses, ...(Session ? { Session } : {}) }));

    it('SRP with a temporary password: PASSWORD_VERIFIER, then NEW_PASSWORD_REQUIRED, then tokens', async () => {
      await invite('sara');
      const srp = new SrpClient(poolId);
      const init = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'sara', SRP_A: srp.A } }));
      assert.equal(init.ChallengeName, 'PASSWORD_VERIFIER');
      const next = await respond('PASSWORD_VERIFIER', srp.respond(init.ChallengeParameters, TEMPORARY));
      assert.equal(next.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      assert.equal(next.AuthenticationResult, undefined);
      const done = await respond('NEW_PASSWORD_REQUIRED', { USERNAME: 'sara', NEW_PASSWORD: PASSWORD }, next.Session);
      assert.equal((await send(new GetUserCommand({ AccessToken: done.AuthenticationResult.AccessToken }))).Username, 'sara');
    });

    it('a session answers only the challenge it was issued for', async () => {
      await invite('skip');
      // A NEW_PASSWORD_REQUIRED session offered as an SRP proof's secret block.
      const np = await passwordAuth('skip', TEMPORARY);
      assert.equal(np.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      await expectError(
        respond('PASSWORD_VERIFIER', { USERNAME: 'skip', PASSWORD_CLAIM_SECRET_BLOCK: np.Session, PASSWORD_CLAIM_SIGNATURE: 'AAAA', TIMESTAMP: 'Mon Dec 7 10:00:00 UTC 2026' }),
        'NotAuthorizedException',
        'Invalid session for the user.',
      );
      // An SRP secret block offered as a NEW_PASSWORD_REQUIRED session: no new password without the proof.
      const srp = new SrpClient(poolId);
      const init = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_SRP_AUTH', AuthParameters: { USERNAME: 'skip', SRP_A: srp.A } }));
      await expectError(
        respond('NEW_PASSWORD_REQUIRED', { USERNAME: 'skip', NEW_PASSWORD: PASSWORD }, init.ChallengeParameters.SECRET_BLOCK),
        'NotAuthorizedException',
        'Invalid session for the user.',
      );
      // Either session was used up by the attempt.
      await expectError(respond('NEW_PASSWORD_REQUIRED', { USERNAME: 'skip', NEW_PASSWORD: PASSWORD }, np.Session), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');
      // A NEW_PASSWORD_REQUIRED session answered as an MFA step: the password step is not skipped.
      const np2 = await passwordAuth('skip', TEMPORARY);
      await expectError(respond('SOFTWARE_TOKEN_MFA', { USERNAME: 'skip', SOFTWARE_TOKEN_MFA_CODE: '123456' }, np2.Session), 'NotAuthorizedException', 'Invalid session for the user.');
      // A NEW_PASSWORD_REQUIRED session answered as a custom challenge (CUSTOM_AUTH, issue 14): refused too.
      const np3 = await passwordAuth('skip', TEMPORARY);
      await expectError(respond('CUSTOM_CHALLENGE', { USERNAME: 'skip', ANSWER: 'x' }, np3.Session), 'NotAuthorizedException', 'Invalid session for the user.');
      // A NEW_PASSWORD_REQUIRED session answered as USER_AUTH's choice of first factor: refused too.
      const np4 = await passwordAuth('skip', TEMPORARY);
      await expectError(respond('SELECT_CHALLENGE', { USERNAME: 'skip', ANSWER: 'PASSWORD', PASSWORD: TEMPORARY }, np4.Session), 'NotAuthorizedException', 'Invalid session for the user.');
      // A challenge the engine never issues.
      await expectError(respond('ADMIN_NO_SRP_AUTH', { USERNAME: 'skip' }, np.Session), 'InvalidParameterException', /does not issue the ADMIN_NO_SRP_AUTH challenge/);
    });

    it("a hosted page's session cannot be answered through the API, nor an API session on the page", async () => {
      await invite('hilda');
      const browser = new FormClient(t.url);
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`;
      const login = await browser.follow(await browser.get(authorize));
      const page = await browser.submit(login, { username: 'hilda', password: TEMPORARY });
      assert.match(page.html, /<h1>Change your password<\/h1>/);
      const session = /name="session" value="([^"]+)"/.exec(page.html)![1]!;
      await expectError(respond('NEW_PASSWORD_REQUIRED', { USERNAME: 'hilda', NEW_PASSWORD: PASSWORD }, session), 'NotAuthorizedException', 'Invalid session for the user.');

      await invite('otto');
      const api = await passwordAuth('otto', TEMPORARY);
      const other = new FormClient(t.url);
      const login2 = await other.follow(await other.get(authorize));
      const forged = await other.submit(login2, { _action: 'new_password', session: api.Session, required: '', new_password: PASSWORD, confirm_password: PASSWORD });
      assert.equal(forged.status, 400);
      assert.equal(pageMessage(forged.html), 'Invalid session for the user. Please sign in again.');
      await expectError(passwordAuth('otto', PASSWORD), 'NotAuthorizedException', 'Incorrect username or password.');
    });

    it('the hosted code page: a lockout meanwhile sends the user back to sign in, with a sentence', async () => {
      const SES = { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' } as const;
      const pid = (await send(new CreateUserPoolCommand({ PoolName: 'codes', EmailConfiguration: SES, Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP'] } } })))
        .UserPool.Id as string;
      const cid = (
        await send(
          new CreateUserPoolClientCommand({
            UserPoolId: pid,
            ClientName: 'web',
            ExplicitAuthFlows: FLOWS,
            AllowedOAuthFlowsUserPoolClient: true,
            AllowedOAuthFlows: ['code'],
            AllowedOAuthScopes: ['openid'],
            CallbackURLs: [CALLBACK],
            SupportedIdentityProviders: ['COGNITO'],
          }),
        )
      ).UserPoolClient.ClientId as string;
      await send(
        new AdminCreateUserCommand({
          UserPoolId: pid,
          Username: 'cody',
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: 'cody@example.com' },
            { Name: 'email_verified', Value: 'true' },
          ],
        }),
      );
      await send(new AdminSetUserPasswordCommand({ UserPoolId: pid, Username: 'cody', Password: PASSWORD, Permanent: true }));
      const browser = new FormClient(t.url);
      const login = await browser.follow(await browser.get(`/oauth2/authorize?${new URLSearchParams({ client_id: cid, response_type: 'code', redirect_uri: CALLBACK })}`));
      const codePage = await browser.submit(login, { username: 'cody', method: 'email_code' });
      assert.match(codePage.html, /<h1>Enter your authentication code<\/h1>/);
      const wrong = (USERNAME: string) => send(new InitiateAuthCommand({ ClientId: cid, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD: 'Wrong-Password-1' } }));
      for (let i = 0; i < 5; i++) await expectError(wrong('cody'), 'NotAuthorizedException', 'Incorrect username or password.');
      const back = await browser.submit(codePage, { code: '123456' });
      assert.equal(back.status, 400);
      assert.equal(pageMessage(back.html), 'Password attempts exceeded. Please sign in again.');
    });

    it('the lockout follows the clock: locked after five failures, free again after the lock, count cleared by a sign-in', async () => {
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'lena', MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'lena', Password: PASSWORD, Permanent: true }));
      for (let i = 0; i < 5; i++) await expectError(passwordAuth('lena', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
      await expectError(passwordAuth('lena', PASSWORD), 'NotAuthorizedException', 'Password attempts exceeded');
      clock.advance(999);
      await expectError(passwordAuth('lena', PASSWORD), 'NotAuthorizedException', 'Password attempts exceeded');
      clock.advance(2);
      // A sixth failure locks for 2 s (doubling).
      await expectError(passwordAuth('lena', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
      clock.advance(1_500);
      await expectError(passwordAuth('lena', PASSWORD), 'NotAuthorizedException', 'Password attempts exceeded');
      clock.advance(600);
      assert.ok((await passwordAuth('lena', PASSWORD)).AuthenticationResult);
      // Cleared: four failures lock nothing; after 15 idle minutes the count starts again.
      for (let i = 0; i < 4; i++) await expectError(passwordAuth('lena', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
      clock.advance(15 * 60_000 + 1);
      await expectError(passwordAuth('lena', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
      assert.ok((await passwordAuth('lena', PASSWORD)).AuthenticationResult);
    });

    it('a hosted sign-in clears the failure count too', async () => {
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'hugo', MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: 'hugo', Password: PASSWORD, Permanent: true }));
      for (let i = 0; i < 4; i++) await expectError(passwordAuth('hugo', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
      const browser = new FormClient(t.url);
      const authorize = `/oauth2/authorize?${new URLSearchParams({ client_id: clientId, response_type: 'code', redirect_uri: CALLBACK })}`;
      const done = await browser.submit(await browser.follow(await browser.get(authorize)), { username: 'hugo', password: PASSWORD });
      assert.equal(done.status, 302);
      assert.ok(done.location?.startsWith(CALLBACK));
      // Four failures after the page's sign-in do not lock: the count started again.
      for (let i = 0; i < 4; i++) await expectError(passwordAuth('hugo', 'Wrong-Password-1'), 'NotAuthorizedException', 'Incorrect username or password.');
      assert.ok((await passwordAuth('hugo', PASSWORD)).AuthenticationResult);
    });
  });
}
