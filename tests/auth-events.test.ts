/**
 * Auth events and risk configurations through the AWS SDK v3 over HTTP: what advanced security
 * records (sign-ins passed and failed, sign-up, password change and reset, code resend) in Cognito's
 * shape, AdminListUserAuthEvents' order and pages, feedback by an administrator and by the user's
 * FeedbackToken, Set/DescribeRiskConfiguration, and UserPoolAddOnNotEnabledException without it.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminCreateUserCommand,
  AdminInitiateAuthCommand,
  AdminListUserAuthEventsCommand,
  AdminSetUserPasswordCommand,
  AdminUpdateAuthEventFeedbackCommand,
  ChangePasswordCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  DeleteUserPoolClientCommand,
  DescribeRiskConfigurationCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SetRiskConfigurationCommand,
  SignUpCommand,
  UpdateAuthEventFeedbackCommand,
  UpdateUserPoolCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { Secrets } from '../src/domain/secrets.js';
import { feedbackToken } from '../src/domain/auth-events.js';
import { backends, expectError, rawCall, startTestServer, TestClock, type TestServer } from './harness.js';

const PASSWORD = 'Correct-Horse-9';

for (const backend of await backends()) {
  describe(`auth events and risk configuration (${backend.name})`, () => {
    let t: TestServer;
    const clock = new TestClock(Date.UTC(2025, 0, 1));
    before(async () => {
      t = await startTestServer(backend, {}, { clock: clock.now });
    });
    after(() => t?.close());
    const send = (c: any): Promise<any> => t.cognito.send(c);
    const tick = () => clock.advance(1000);
    const makePool = async (input: Partial<CreateUserPoolCommandInput> = {}) => {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'events', AutoVerifiedAttributes: ['email'], ...input }))).UserPool.Id as string;
      const clientId = (
        await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_ADMIN_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] }))
      ).UserPoolClient.ClientId as string;
      return { poolId, clientId };
    };
    const makeUser = async (poolId: string, username: string) => {
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${username}@example.com` }, { Name: 'email_verified', Value: 'true' }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username: username, Password: PASSWORD, Permanent: true }));
    };
    const events = async (poolId: string, username: string, extra: object = {}) => send(new AdminListUserAuthEventsCommand({ UserPoolId: poolId, Username: username, ...extra }));
    const signIn = (clientId: string, username: string, password = PASSWORD) =>
      send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: username, PASSWORD: password } }));

    it('without advanced security: nothing is recorded, and its operations answer UserPoolAddOnNotEnabledException', async () => {
      const { poolId, clientId } = await makePool();
      await makeUser(poolId, 'ann');
      await signIn(clientId, 'ann');
      const off = new RegExp(`^Threat protection is not enabled for user pool ${poolId}`);
      await expectError(events(poolId, 'ann'), 'UserPoolAddOnNotEnabledException', off);
      await expectError(send(new DescribeRiskConfigurationCommand({ UserPoolId: poolId })), 'UserPoolAddOnNotEnabledException', off);
      await expectError(send(new SetRiskConfigurationCommand({ UserPoolId: poolId })), 'UserPoolAddOnNotEnabledException', off);
      await expectError(send(new AdminUpdateAuthEventFeedbackCommand({ UserPoolId: poolId, Username: 'ann', EventId: 'x', FeedbackValue: 'Valid' })), 'UserPoolAddOnNotEnabledException', off);
      // Turned on later: the sign-ins before were not recorded.
      await send(new UpdateUserPoolCommand({ UserPoolId: poolId, UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' }, AutoVerifiedAttributes: ['email'] }));
      assert.deepEqual((await events(poolId, 'ann')).AuthEvents, []);
      await signIn(clientId, 'ann');
      assert.equal((await events(poolId, 'ann')).AuthEvents.length, 1);
    });

    it('records sign-up, sign-ins passed and failed, password change, reset and resend, newest first, in Cognito\'s shape', async () => {
      const { poolId, clientId } = await makePool({ UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
      tick();
      await send(new SignUpCommand({ ClientId: clientId, Username: 'bob', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'bob@example.com' }] }));
      tick();
      await send(new ResendConfirmationCodeCommand({ ClientId: clientId, Username: 'bob' }));
      await makeUser(poolId, 'carol');
      tick();
      await expectError(signIn(clientId, 'carol', 'Wrong-Horse-9'), 'NotAuthorizedException', 'Incorrect username or password.');
      tick();
      const ok = await signIn(clientId, 'carol');
      tick();
      await send(new ChangePasswordCommand({ AccessToken: ok.AuthenticationResult.AccessToken, PreviousPassword: PASSWORD, ProposedPassword: 'Another-Horse-9' }));
      tick();
      await send(new ForgotPasswordCommand({ ClientId: clientId, Username: 'carol' }));

      const bob = (await events(poolId, 'bob')).AuthEvents;
      assert.deepEqual(bob.map((e: any) => [e.EventType, e.EventResponse]), [['ResendCode', 'Pass'], ['SignUp', 'Pass']]);

      const carol = (await events(poolId, 'carol')).AuthEvents;
      assert.deepEqual(carol.map((e: any) => [e.EventType, e.EventResponse]), [
        ['ForgotPassword', 'InProgress'],
        ['PasswordChange', 'Pass'],
        ['SignIn', 'Pass'],
        ['SignIn', 'Fail'],
      ]);
      const [, change, pass, fail] = carol;
      assert.deepEqual(fail.ChallengeResponses, [{ ChallengeName: 'Password', ChallengeResponse: 'Failure' }]);
      assert.deepEqual(pass.ChallengeResponses, [{ ChallengeName: 'Password', ChallengeResponse: 'Success' }]);
      assert.deepEqual(change.ChallengeResponses, [{ ChallengeName: 'Password', ChallengeResponse: 'Success' }]);
      assert.deepEqual(pass.EventRisk, { RiskDecision: 'NoRisk', CompromisedCredentialsDetected: false });
      assert.match(pass.EventId, /^[0-9a-f-]{36}$/);
      assert.equal(pass.CreationDate.getTime(), Date.UTC(2025, 0, 1) + 4000);
      assert.match(pass.EventContextData.IpAddress, /127\.0\.0\.1|::1/);
      // The SDK's User-Agent names it: aws-sdk-js, major version 3, on this machine's system.
      assert.match(pass.EventContextData.DeviceName, /^aws-sdk-js 3, /);
      assert.equal(pass.EventContextData.City, undefined);
      assert.equal(pass.EventContextData.Country, undefined);
      assert.equal(pass.EventFeedback, undefined);
    });

    it('the request\'s User-Agent and a server-side app\'s ContextData name the device and address', async () => {
      const { poolId, clientId } = await makePool({ UserPoolTier: 'PLUS' });
      await makeUser(poolId, 'dan');
      const r = await rawCall(t.url, 'AWSCognitoIdentityProviderService.InitiateAuth', JSON.stringify({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'dan', PASSWORD } }), {
        'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36',
      });
      assert.equal(r.status, 200, JSON.stringify(r.json));
      tick();
      await send(
        new AdminInitiateAuthCommand({
          UserPoolId: poolId,
          ClientId: clientId,
          AuthFlow: 'ADMIN_USER_PASSWORD_AUTH',
          AuthParameters: { USERNAME: 'dan', PASSWORD },
          ContextData: { IpAddress: '203.0.113.7', ServerName: 'app.example.com', ServerPath: '/login', HttpHeaders: [{ headerName: 'User-Agent', headerValue: 'Mozilla/5.0 (iPhone; CPU iPhone OS 17_5 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/17.5 Mobile/15E148 Safari/604.1' }] },
        }),
      );
      const [admin, browser] = (await events(poolId, 'dan')).AuthEvents;
      assert.equal(browser.EventContextData.DeviceName, 'Chrome 126, Windows 10');
      assert.deepEqual(admin.EventContextData, { IpAddress: '203.0.113.7', DeviceName: 'Safari 17, iOS' });
    });

    it('pages with MaxResults and NextToken, newest first; a user or token that is not there is refused', async () => {
      const { poolId, clientId } = await makePool({ UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' } });
      await makeUser(poolId, 'eve');
      for (let i = 0; i < 5; i++) {
        tick();
        await signIn(clientId, 'eve');
      }
      const all = (await events(poolId, 'eve')).AuthEvents.map((e: any) => e.EventId);
      assert.equal(all.length, 5);
      const seen: string[] = [];
      let token: string | undefined;
      do {
        const page = await events(poolId, 'eve', { MaxResults: 2, ...(token ? { NextToken: token } : {}) });
        assert.ok(page.AuthEvents.length <= 2);
        seen.push(...page.AuthEvents.map((e: any) => e.EventId));
        token = page.NextToken;
      } while (token);
      assert.deepEqual(seen, all);
      const dates = (await events(poolId, 'eve')).AuthEvents.map((e: any) => e.CreationDate.getTime());
      assert.deepEqual(dates, [...dates].sort((a, b) => b - a));
      await expectError(events(poolId, 'nobody'), 'UserNotFoundException', 'User does not exist.');
      await expectError(events(poolId, 'eve', { NextToken: 'bm90LWEtdG9rZW4' }), 'InvalidParameterException', /NextToken is not valid/);
      await expectError(events(poolId, 'eve', { MaxResults: 61 }), 'InvalidParameterException', /maxResults/);
    });

    it('feedback: an administrator\'s, and the user\'s with the event\'s FeedbackToken; a wrong token or event is refused', async () => {
      const { poolId, clientId } = await makePool({ UserPoolAddOns: { AdvancedSecurityMode: 'AUDIT' } });
      await makeUser(poolId, 'fay');
      await signIn(clientId, 'fay');
      tick();
      await signIn(clientId, 'fay');
      const [second, first] = (await events(poolId, 'fay')).AuthEvents;
      tick();
      await send(new AdminUpdateAuthEventFeedbackCommand({ UserPoolId: poolId, Username: 'fay', EventId: first.EventId, FeedbackValue: 'Invalid' }));
      const secrets = new Secrets(Buffer.from(t.config.masterKey!, 'base64'));
      const token = feedbackToken(secrets, poolId, 'fay', second.EventId);
      await send(new UpdateAuthEventFeedbackCommand({ UserPoolId: poolId, Username: 'fay', EventId: second.EventId, FeedbackToken: token, FeedbackValue: 'Valid' }));
      const [s, f] = (await events(poolId, 'fay')).AuthEvents;
      assert.equal(f.EventFeedback.FeedbackValue, 'Invalid');
      assert.equal(f.EventFeedback.Provider, 'Admin');
      assert.equal(f.EventFeedback.FeedbackDate.getTime(), clock.now());
      assert.deepEqual([s.EventFeedback.FeedbackValue, s.EventFeedback.Provider], ['Valid', 'User']);
      // Another event's token, or a made-up one, does not authorize feedback.
      await expectError(
        send(new UpdateAuthEventFeedbackCommand({ UserPoolId: poolId, Username: 'fay', EventId: first.EventId, FeedbackToken: token, FeedbackValue: 'Valid' })),
        'NotAuthorizedException',
        'The feedback token is not valid for this event and user.',
      );
      await expectError(
        send(new UpdateAuthEventFeedbackCommand({ UserPoolId: poolId, Username: 'fay', EventId: first.EventId, FeedbackToken: 'v1.abc.def', FeedbackValue: 'Valid' })),
        'NotAuthorizedException',
      );
      await expectError(
        send(new AdminUpdateAuthEventFeedbackCommand({ UserPoolId: poolId, Username: 'fay', EventId: 'no-such-event', FeedbackValue: 'Valid' })),
        'ResourceNotFoundException',
        'Auth event no-such-event does not exist for this user.',
      );
    });

    it('risk configurations: the pool\'s and a client\'s, stored and described; bad ranges and clients refused', async () => {
      const { poolId, clientId } = await makePool({ UserPoolAddOns: { AdvancedSecurityMode: 'ENFORCED' } });
      assert.deepEqual(strip((await send(new DescribeRiskConfigurationCommand({ UserPoolId: poolId }))).RiskConfiguration), { UserPoolId: poolId });
      const poolLevel = {
        CompromisedCredentialsRiskConfiguration: { EventFilter: ['SIGN_IN', 'SIGN_UP'], Actions: { EventAction: 'BLOCK' } },
        RiskExceptionConfiguration: { SkippedIPRangeList: ['192.0.2.0/24', '2001:db8::/32'] },
      } as any;
      const set = (await send(new SetRiskConfigurationCommand({ UserPoolId: poolId, ...poolLevel }))).RiskConfiguration;
      assert.equal(set.UserPoolId, poolId);
      assert.ok(set.LastModifiedDate instanceof Date);
      const described = (await send(new DescribeRiskConfigurationCommand({ UserPoolId: poolId }))).RiskConfiguration;
      assert.deepEqual(strip(described), { UserPoolId: poolId, ...poolLevel });
      // A client without its own: the pool's applies.
      assert.deepEqual(strip((await send(new DescribeRiskConfigurationCommand({ UserPoolId: poolId, ClientId: clientId }))).RiskConfiguration), { UserPoolId: poolId, ...poolLevel });
      const clientLevel = {
        AccountTakeoverRiskConfiguration: {
          NotifyConfiguration: { SourceArn: 'arn:aws:ses:us-east-1:123456789012:identity/no-reply@example.com', From: 'no-reply@example.com' },
          Actions: { HighAction: { Notify: true, EventAction: 'BLOCK' }, LowAction: { Notify: false, EventAction: 'NO_ACTION' } },
        },
      } as const;
      await send(new SetRiskConfigurationCommand({ UserPoolId: poolId, ClientId: clientId, ...(clientLevel as any) }));
      assert.deepEqual(strip((await send(new DescribeRiskConfigurationCommand({ UserPoolId: poolId, ClientId: clientId }))).RiskConfiguration), { UserPoolId: poolId, ClientId: clientId, ...clientLevel });
      assert.deepEqual(strip((await send(new DescribeRiskConfigurationCommand({ UserPoolId: poolId }))).RiskConfiguration), { UserPoolId: poolId, ...poolLevel });

      await expectError(
        send(new SetRiskConfigurationCommand({ UserPoolId: poolId, RiskExceptionConfiguration: { BlockedIPRangeList: ['10.0.0.0/33'] } })),
        'InvalidParameterException',
        'RiskExceptionConfiguration.BlockedIPRangeList: "10.0.0.0/33" is not an IP address range in CIDR notation (for example 192.0.2.0/24).',
      );
      await expectError(
        send(new SetRiskConfigurationCommand({ UserPoolId: poolId, AccountTakeoverRiskConfiguration: { Actions: { HighAction: { Notify: true, EventAction: 'BLOCK' } } } })),
        'InvalidParameterException',
        /NotifyConfiguration is required/,
      );
      await expectError(
        send(new SetRiskConfigurationCommand({ UserPoolId: poolId, CompromisedCredentialsRiskConfiguration: { Actions: { EventAction: 'MAYBE' as any } } })),
        'InvalidParameterException',
        /eventAction/,
      );
      await expectError(send(new DescribeRiskConfigurationCommand({ UserPoolId: poolId, ClientId: 'nosuchclient' })), 'ResourceNotFoundException', 'User pool client nosuchclient does not exist.');
      // Deleting the client deletes its configuration.
      await send(new DeleteUserPoolClientCommand({ UserPoolId: poolId, ClientId: clientId }));
      assert.equal(await t.server.store.authEvents.getRisk(poolId, clientId), undefined);
    });
  });
}

/** The configuration without its $metadata-free Date (compared apart). */
function strip(c: any): any {
  const { LastModifiedDate: _, ...rest } = c;
  return rest;
}
