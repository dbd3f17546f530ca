/**
 * Differences from Cognito found by the outside acceptance pass (boto3, the AWS CLI, pycognito),
 * each through the AWS SDK on both stores, with the clock injected. Evidence: docs/decisions.md,
 * "Acceptance pass".
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import * as OTPAuth from 'otpauth';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
} from '@aws-sdk/client-cognito-identity-provider';
import { backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';

const PASSWORD = 'Correct-Horse-9';
const totp = (secret: string, at: number) => new OTPAuth.TOTP({ secret: OTPAuth.Secret.fromBase32(secret), digits: 6, period: 30, algorithm: 'SHA1' }).generate({ timestamp: at });

for (const backend of await backends()) {
  describe(`acceptance pass (${backend.name})`, () => {
    // 5 s into a 30-second step.
    const clock = new TestClock(Math.floor(Date.now() / 30_000) * 30_000 + 5_000);
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend, {}, { clock: clock.now });
    });
    after(() => t?.close());

    async function totpPool() {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'accept' }))).UserPool.Id as string;
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'OPTIONAL', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] })))
        .UserPoolClient.ClientId as string;
      return { poolId, clientId };
    }
    async function user(poolId: string, Username: string) {
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
    }
    const passwordAuth = (ClientId: string, USERNAME: string) => send(new InitiateAuthCommand({ ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME, PASSWORD } }));

    it('a software token code already used (by VerifySoftwareToken) is ExpiredCodeException "Your software token has already been used once.", not counted, the session kept', async () => {
      const { poolId, clientId } = await totpPool();
      await user(poolId, 'vera');
      const AccessToken = (await passwordAuth(clientId, 'vera')).AuthenticationResult.AccessToken;
      const { SecretCode } = await send(new AssociateSoftwareTokenCommand({ AccessToken }));
      const setupCode = totp(SecretCode, clock.now());
      assert.equal((await send(new VerifySoftwareTokenCommand({ AccessToken, UserCode: setupCode }))).Status, 'SUCCESS');
      await send(new SetUserMFAPreferenceCommand({ AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));

      // Signing in within the same 30 seconds with the code just used to verify the token.
      const r = await passwordAuth(clientId, 'vera');
      assert.equal(r.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const answer = (code: string) =>
        send(new RespondToAuthChallengeCommand({ ClientId: clientId, ChallengeName: 'SOFTWARE_TOKEN_MFA', Session: r.Session, ChallengeResponses: { USERNAME: 'vera', SOFTWARE_TOKEN_MFA_CODE: code } }));
      // More times than the lockout allows wrong answers: a spent code is not a wrong one.
      for (let i = 0; i < 6; i++) await expectError(answer(setupCode), 'ExpiredCodeException', 'Your software token has already been used once.');
      // A wrong code is still a mismatch.
      await expectError(answer(totp(SecretCode, clock.now() + 90_000)), 'CodeMismatchException', 'Invalid code received for user');
      // The next step's code passes, in the same session.
      clock.advance(30_000);
      const done = await answer(totp(SecretCode, clock.now()));
      assert.ok(done.AuthenticationResult?.AccessToken);
      clock.advance(30_000);
    });
  });
}
