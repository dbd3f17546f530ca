/**
 * Choice-based sign-in (USER_AUTH) with aws-amplify v6 in Node (its own fetch-based Cognito client),
 * on each store: signIn with authFlowType USER_AUTH and preferredChallenge EMAIL_OTP, SMS_OTP,
 * PASSWORD and PASSWORD_SRP; without one, the first-factor selection (AvailableChallenges) answered
 * with confirmSignIn (EMAIL_OTP, PASSWORD, PASSWORD_SRP); a wrong code; and sign-in straight after a
 * passwordless sign-up with autoSignIn (in a child process: Amplify leaves a 3-minute timer behind,
 * see tests/amplify.test.ts).
 */
import { afterEach, after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import {
  AdminCreateUserCommand,
  AdminSetUserPasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  type ExplicitAuthFlowsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, getCurrentUser, signIn, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { adminAuthorization, backends, startTestServer, type TestServer } from './harness.js';
import { lastCode } from './hosted.js';

const execFileP = promisify(execFile);
const PASSWORD = 'Correct-Horse-9';
const FLOWS: ExplicitAuthFlowsType[] = ['ALLOW_USER_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'];
const SES = { EmailSendingAccount: 'DEVELOPER', SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/example.com', From: 'no-reply@example.com' } as const;
const SMS = { SnsCallerArn: 'arn:aws:iam::123456789012:role/sns', ExternalId: 'incognito' };

function memoryStore() {
  const data = new Map<string, string>();
  return {
    setItem: async (k: string, v: string) => void data.set(k, v),
    getItem: async (k: string) => data.get(k) ?? null,
    removeItem: async (k: string) => void data.delete(k),
    clear: async () => data.clear(),
  };
}

for (const backend of await backends()) {
  describe(`USER_AUTH with aws-amplify v6 (${backend.name})`, () => {
    let t: TestServer;
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());
    afterEach(() => signOut());

    /** A pool with PASSWORD, EMAIL_OTP and SMS_OTP first factors and a client that allows USER_AUTH; Amplify configured for it. */
    async function configure() {
      const { UserPool } = await t.cognito.send(
        new CreateUserPoolCommand({
          PoolName: 'amplify-userauth',
          AutoVerifiedAttributes: ['email'],
          EmailConfiguration: SES,
          SmsConfiguration: SMS,
          Policies: { SignInPolicy: { AllowedFirstAuthFactors: ['PASSWORD', 'EMAIL_OTP', 'SMS_OTP'] } },
        }),
      );
      const poolId = UserPool!.Id!;
      const { UserPoolClient } = await t.cognito.send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: FLOWS }));
      const clientId = UserPoolClient!.ClientId!;
      Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: t.url } } });
      cognitoUserPoolsTokenProvider.setKeyValueStorage(memoryStore());
      return { poolId, clientId };
    }
    async function user(UserPoolId: string, Username: string) {
      await t.cognito.send(
        new AdminCreateUserCommand({
          UserPoolId,
          Username,
          MessageAction: 'SUPPRESS',
          UserAttributes: [
            { Name: 'email', Value: `${Username}@example.com` },
            { Name: 'email_verified', Value: 'true' },
            { Name: 'phone_number', Value: '+15555550123' },
            { Name: 'phone_number_verified', Value: 'true' },
          ],
        }),
      );
      await t.cognito.send(new AdminSetUserPasswordCommand({ UserPoolId, Username, Password: PASSWORD, Permanent: true }));
    }
    async function signedInAs(username: string) {
      assert.equal((await getCurrentUser()).username, username);
      const { tokens } = await fetchAuthSession();
      assert.equal(tokens?.idToken?.payload['cognito:username'], username);
    }

    it('preferredChallenge EMAIL_OTP and SMS_OTP: the code step, a wrong code, then signed in', async () => {
      const { poolId } = await configure();
      await user(poolId, 'emma');
      const r = await signIn({ username: 'emma', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'EMAIL_OTP' } });
      assert.deepEqual(r, {
        isSignedIn: false,
        nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE', codeDeliveryDetails: { deliveryMedium: 'EMAIL', destination: 'e***@e***' } },
      });
      const code = await lastCode(t.url, poolId, 'emma', 'MFA');
      await assert.rejects(confirmSignIn({ challengeResponse: code === '000000' ? '111111' : '000000' }), (e: Error) => e.name === 'CodeMismatchException');
      assert.deepEqual(await confirmSignIn({ challengeResponse: code }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      await signedInAs('emma');
      await signOut();

      const s = await signIn({ username: 'emma', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'SMS_OTP' } });
      assert.equal(s.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_SMS_CODE');
      assert.deepEqual(await confirmSignIn({ challengeResponse: await lastCode(t.url, poolId, 'emma', 'MFA') }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      await signedInAs('emma');
    });

    it('preferredChallenge PASSWORD and PASSWORD_SRP sign in at once', async () => {
      const { poolId } = await configure();
      await user(poolId, 'paul');
      assert.deepEqual(await signIn({ username: 'paul', password: PASSWORD, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' } }), {
        isSignedIn: true,
        nextStep: { signInStep: 'DONE' },
      });
      await signedInAs('paul');
      await signOut();
      assert.deepEqual(await signIn({ username: 'paul', password: PASSWORD, options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD_SRP' } }), {
        isSignedIn: true,
        nextStep: { signInStep: 'DONE' },
      });
      await signedInAs('paul');
      await signOut();
      await assert.rejects(
        signIn({ username: 'paul', password: 'Wrong-Horse-1', options: { authFlowType: 'USER_AUTH', preferredChallenge: 'PASSWORD' } }),
        (e: Error) => e.name === 'NotAuthorizedException' && e.message === 'Incorrect username or password.',
      );
    });

    it('no preferredChallenge: the first-factor selection, answered EMAIL_OTP, PASSWORD or PASSWORD_SRP with confirmSignIn', async () => {
      const { poolId } = await configure();
      await user(poolId, 'sel');
      const choose = async () => {
        const r = await signIn({ username: 'sel', options: { authFlowType: 'USER_AUTH' } });
        assert.deepEqual(r, {
          isSignedIn: false,
          nextStep: { signInStep: 'CONTINUE_SIGN_IN_WITH_FIRST_FACTOR_SELECTION', availableChallenges: ['PASSWORD', 'PASSWORD_SRP', 'EMAIL_OTP', 'SMS_OTP'] },
        });
      };
      await choose();
      const e = await confirmSignIn({ challengeResponse: 'EMAIL_OTP' });
      assert.equal(e.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_EMAIL_CODE');
      assert.deepEqual(await confirmSignIn({ challengeResponse: await lastCode(t.url, poolId, 'sel', 'MFA') }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
      await signedInAs('sel');
      await signOut();

      for (const factor of ['PASSWORD', 'PASSWORD_SRP']) {
        await choose();
        assert.deepEqual(await confirmSignIn({ challengeResponse: factor }), { isSignedIn: false, nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_PASSWORD' } });
        assert.deepEqual(await confirmSignIn({ challengeResponse: PASSWORD }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } }, factor);
        await signedInAs('sel');
        await signOut();
      }
    });

    it('passwordless signUp with autoSignIn USER_AUTH: confirmSignUp, then autoSignIn signs in with its Session (in a child process)', async () => {
      const { poolId, clientId } = await configure();
      const app = `
        import { Amplify } from 'aws-amplify';
        import { autoSignIn, confirmSignUp, fetchAuthSession, getCurrentUser, signUp } from 'aws-amplify/auth';
        const { URL_, POOL, CLIENT } = process.env;
        Amplify.configure({ Auth: { Cognito: { userPoolId: POOL, userPoolClientId: CLIENT, userPoolEndpoint: URL_ } } });
        const up = await signUp({ username: 'nia', options: { userAttributes: { email: 'nia@example.com' }, autoSignIn: { authFlowType: 'USER_AUTH' } } });
        const res = await fetch(URL_ + '/_incognito/messages?userPoolId=' + POOL + '&username=nia', { headers: process.env.ADMIN_AUTH ? { authorization: process.env.ADMIN_AUTH } : {} });
        const { messages } = await res.json();
        const confirmed = await confirmSignUp({ username: 'nia', confirmationCode: messages[0].code });
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
      assert.deepEqual(JSON.parse(stdout.trim().split('\n').pop()!), {
        up: 'CONFIRM_SIGN_UP',
        confirmed: { isSignUpComplete: true, nextStep: { signUpStep: 'COMPLETE_AUTO_SIGN_IN' } },
        signedIn: { isSignedIn: true, nextStep: { signInStep: 'DONE' } },
        username: 'nia',
        idUser: 'nia',
      });
    });
  });
}
