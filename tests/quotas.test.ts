/**
 * Request quotas (--quotas cognito): Cognito's default rate per operation category, through the AWS
 * SDK v3 (no retries) with the injected clock, so no test sleeps; off by default.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { CreateUserPoolCommand, DescribeUserPoolCommand, GetUserPoolMfaConfigCommand, ListUsersCommand } from '@aws-sdk/client-cognito-identity-provider';
import { categoryOf, DEFAULT_RATES, Quotas } from '../src/quotas.js';
import { loadConfig as parseConfig } from '../src/config.js';
import { backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';

describe('quota buckets', () => {
  it('a second\'s worth of requests, then refilled with time at the category\'s rate; regions and categories apart', () => {
    const q = new Quotas();
    const t0 = 1_000_000;
    for (let i = 0; i < DEFAULT_RATES.UserList; i++) q.take('UserList', 'us-east-1', t0);
    assert.throws(() => q.take('UserList', 'us-east-1', t0), (e: any) => e.name === 'TooManyRequestsException' && e.message === 'Too many requests');
    q.take('UserList', 'eu-west-1', t0);
    q.take('UserRead', 'us-east-1', t0);
    // 30 per second: one more every 1000/30 ms.
    assert.throws(() => q.take('UserList', 'us-east-1', t0 + 20));
    q.take('UserList', 'us-east-1', t0 + 34);
    assert.throws(() => q.take('UserList', 'us-east-1', t0 + 34));
  });

  it('maps operations to Cognito\'s categories', () => {
    assert.equal(categoryOf('InitiateAuth'), 'UserAuthentication');
    assert.equal(categoryOf('RespondToAuthChallenge'), 'UserAuthenticationChallenge');
    assert.equal(categoryOf('SignUp'), 'UserCreation');
    assert.equal(categoryOf('AdminGetUser'), 'UserRead');
    assert.equal(categoryOf('ListUsers'), 'UserList');
    assert.equal(categoryOf('AdminUpdateUserAttributes'), 'UserUpdate');
    assert.equal(categoryOf('GetTokensFromRefreshToken'), 'UserToken');
    assert.equal(categoryOf('ListDevices'), 'UserResourceRead');
    assert.equal(categoryOf('CreateUserPool'), undefined);
  });

  it('--quotas takes off or cognito, from the flag or INCOGNITO_QUOTAS', () => {
    assert.equal(parseConfig([], {}).quotas, 'off');
    assert.equal(parseConfig(['--quotas', 'cognito'], {}).quotas, 'cognito');
    assert.equal(parseConfig([], { INCOGNITO_QUOTAS: 'cognito' }).quotas, 'cognito');
    assert.throws(() => parseConfig(['--quotas', 'strict'], {}), /--quotas must be 'off' or 'cognito'/);
  });
});

for (const backend of await backends()) {
  describe(`request quotas over HTTP (${backend.name})`, () => {
    let on: TestServer;
    let off: TestServer;
    const clock = new TestClock(Date.UTC(2025, 0, 1));
    before(async () => {
      on = await startTestServer(backend, { quotas: 'cognito' }, { clock: clock.now });
      off = await startTestServer(backend, {}, { clock: clock.now });
    });
    after(async () => {
      await on?.close();
      await off?.close();
    });

    it('UserPoolRead allows 15 a second, then TooManyRequestsException "Too many requests" until time passes', async () => {
      const poolId = (await on.cognito.send(new CreateUserPoolCommand({ PoolName: 'q' }))).UserPool!.Id!;
      clock.advance(5000);
      for (let i = 0; i < 15; i++) {
        await (i % 2 ? on.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId })) : on.cognito.send(new GetUserPoolMfaConfigCommand({ UserPoolId: poolId })));
      }
      await expectError(on.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId })), 'TooManyRequestsException', 'Too many requests');
      // Another category is not affected.
      await on.cognito.send(new ListUsersCommand({ UserPoolId: poolId }));
      clock.advance(1000);
      await on.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    });

    it('off by default: no limit', async () => {
      const poolId = (await off.cognito.send(new CreateUserPoolCommand({ PoolName: 'q' }))).UserPool!.Id!;
      for (let i = 0; i < 40; i++) await off.cognito.send(new DescribeUserPoolCommand({ UserPoolId: poolId }));
    });
  });
}
