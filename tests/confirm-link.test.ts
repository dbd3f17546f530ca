/**
 * VerificationMessageTemplate.DefaultEmailOption CONFIRM_WITH_LINK: the sign-up email carries a link
 * to GET /confirmUser (EmailMessageByLink / EmailSubjectByLink, `{##text##}`), and opening it
 * confirms the user as ConfirmSignUp does. Through the SDK and fetch, on each backend.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  AdminGetUserCommand,
  ConfirmSignUpCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  ForgotPasswordCommand,
  InitiateAuthCommand,
  ResendConfirmationCodeCommand,
  SignUpCommand,
  type CreateUserPoolCommandInput,
} from '@aws-sdk/client-cognito-identity-provider';
import { createHmac } from 'node:crypto';
import { backends, expectError, startTestServer, type TestServer } from './harness.js';
import { issueCode } from '../src/domain/codes.js';
import { DEFAULT_VERIFICATION_LINK_MESSAGE, DEFAULT_VERIFICATION_LINK_SUBJECT, renderTemplate } from '../src/delivery/templates.js';

const PASSWORD = 'Correct-Horse-9';

describe('link templates', () => {
  it('renders {##text##} as a link to the URL, escaped, and leaves it without one', () => {
    const link = 'https://id.example.com/confirmUser?client_id=c&user_name=a"b&confirmation_code=1';
    assert.equal(
      renderTemplate('Hi {username}: {##Click here##}. Code {####}', { username: 'ann', code: '123456', link }),
      'Hi ann: <a href="https://id.example.com/confirmUser?client_id=c&amp;user_name=a&quot;b&amp;confirmation_code=1">Click here</a>. Code 123456',
    );
    assert.equal(renderTemplate('{##Click here##} {####}', { code: '1' }), '{##Click here##} 1');
    assert.equal(renderTemplate('{##a##}{##b##}', { link: 'x' }), '<a href="x">a</a><a href="x">b</a>');
  });

  it("has Cognito's default link texts", () => {
    assert.equal(DEFAULT_VERIFICATION_LINK_MESSAGE, 'Please click the link below to verify your email address. {##Verify Email##} ');
    assert.equal(DEFAULT_VERIFICATION_LINK_SUBJECT, 'Your verification link');
  });
});

for (const backend of await backends()) {
  describe(`confirmation links (${backend.name})`, () => {
    let t: TestServer;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      t = await startTestServer(backend);
    });
    after(() => t.close());

    async function pool(input: Partial<CreateUserPoolCommandInput> = {}) {
      const { UserPool } = await send(
        new CreateUserPoolCommand({ PoolName: 'links', AutoVerifiedAttributes: ['email'], VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_LINK' }, ...input }),
      );
      return UserPool.Id as string;
    }
    async function client(poolId: string, extra: Record<string, unknown> = {}) {
      const { UserPoolClient } = await send(
        new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: ['ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'], ...extra }),
      );
      return UserPoolClient as { ClientId: string; ClientSecret?: string };
    }
    async function lastMessage(poolId: string, username: string) {
      const [m] = await t.server.store.messages.list(poolId, { username, limit: 1 });
      assert.ok(m, `a message for ${username}`);
      return m;
    }
    /** The href of the message's link, as a browser would read it. */
    function linkOf(body: string): string {
      const m = /<a href="([^"]+)">/.exec(body);
      assert.ok(m, `a link in: ${body}`);
      return m[1]!.replace(/&quot;/g, '"').replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&');
    }
    async function open(link: string) {
      const res = await fetch(link);
      return { status: res.status, headers: res.headers, text: await res.text() };
    }
    const status = async (p: string, u: string) => (await send(new AdminGetUserCommand({ UserPoolId: p, Username: u }))).UserStatus;
    const linkFor = (clientId: string, user: string, code: string) =>
      `${t.url}/confirmUser?${new URLSearchParams({ client_id: clientId, user_name: user, confirmation_code: code })}`;

    it('SignUp sends the default link message; opening it confirms the user and verifies the email', async () => {
      const p = await pool();
      const c = await client(p);
      const r = await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'lena', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'lena@example.com' }] }));
      assert.equal(r.CodeDeliveryDetails.DeliveryMedium, 'EMAIL');
      const m = await lastMessage(p, 'lena');
      assert.equal(m.kind, 'SIGN_UP');
      assert.equal(m.subject, 'Your verification link');
      const link = linkOf(m.body);
      assert.equal(link, linkFor(c.ClientId, 'lena', m.code!));
      assert.equal(m.body, `Please click the link below to verify your email address. <a href="${link.replace(/&/g, '&amp;')}">Verify Email</a> `);

      const page = await open(link);
      assert.equal(page.status, 200);
      assert.match(page.headers.get('content-type')!, /^text\/html; charset=utf-8/);
      assert.equal(page.headers.get('cache-control'), 'no-store');
      assert.equal(page.headers.get('referrer-policy'), 'no-referrer');
      assert.match(page.headers.get('content-security-policy')!, /default-src 'none'/);
      assert.match(page.text, /Your registration has been confirmed/);
      assert.doesNotMatch(page.text, /<(script|link|img)\b/i, 'no scripts or external assets');
      assert.equal(await status(p, 'lena'), 'CONFIRMED');
      const g = await send(new AdminGetUserCommand({ UserPoolId: p, Username: 'lena' }));
      assert.equal(g.UserAttributes.find((a: any) => a.Name === 'email_verified')?.Value, 'true');
      assert.ok((await send(new InitiateAuthCommand({ ClientId: c.ClientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'lena', PASSWORD } }))).AuthenticationResult);

      const again = await open(link);
      assert.equal(again.status, 400);
      assert.match(again.text, /This account cannot be confirmed/);
      assert.match(again.text, /Current status is CONFIRMED/);
    });

    it('custom EmailMessageByLink and EmailSubjectByLink; a resent link replaces the old one; wrong codes lock the code', async () => {
      const p = await pool({
        VerificationMessageTemplate: {
          DefaultEmailOption: 'CONFIRM_WITH_LINK',
          EmailMessageByLink: 'Hello {username}, <b>{##Confirm my account##}</b>',
          EmailSubjectByLink: 'Confirm your account',
          EmailMessage: 'Code {####}',
        },
      });
      const c = await client(p);
      await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'mo', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'mo@example.com' }] }));
      const first = await lastMessage(p, 'mo');
      assert.equal(first.subject, 'Confirm your account');
      // {username} is not a placeholder of verification messages (invitations only): it stays as written.
      assert.match(first.body, /^Hello \{username\}, <b><a href="[^"]+">Confirm my account<\/a><\/b>$/);

      await send(new ResendConfirmationCodeCommand({ ClientId: c.ClientId, Username: 'mo' }));
      const second = await lastMessage(p, 'mo');
      assert.equal(second.kind, 'RESEND_CODE');
      assert.equal(linkOf(second.body), linkFor(c.ClientId, 'mo', second.code!));
      if (first.code !== second.code) {
        const old = await open(linkOf(first.body));
        assert.equal(old.status, 400);
        assert.match(old.text, /Invalid verification code provided/);
      }
      const wrong = second.code === '000000' ? '000001' : '000000';
      for (let i = first.code !== second.code ? 1 : 0; i < 5; i++) {
        const r = await open(linkFor(c.ClientId, 'mo', wrong));
        assert.equal(r.status, 400);
        assert.match(r.text, /This confirmation link is not valid/);
      }
      const locked = await open(linkOf(second.body));
      assert.equal(locked.status, 400);
      assert.match(locked.text, /Too many attempts/);
      assert.match(locked.text, /Attempt limit exceeded, please try after some time\./);
      assert.equal(await status(p, 'mo'), 'UNCONFIRMED');

      await send(new ResendConfirmationCodeCommand({ ClientId: c.ClientId, Username: 'mo' }));
      assert.equal((await open(linkOf((await lastMessage(p, 'mo')).body))).status, 200);
      assert.equal(await status(p, 'mo'), 'CONFIRMED');
    });

    it('an expired code, an unknown client or user, a missing or malformed parameter: a clear page, nothing confirmed', async () => {
      const p = await pool();
      const c = await client(p);
      await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'ned', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'ned@example.com' }] }));
      const old = await issueCode(t.server.store, p, 'ned', 'SIGN_UP', Date.now() - 25 * 3600_000);
      const expired = await open(linkFor(c.ClientId, 'ned', old));
      assert.equal(expired.status, 400);
      assert.match(expired.text, /has expired or was already used/);

      const noClient = await open(linkFor('nosuchclient0000000000000a', 'ned', '123456'));
      assert.equal(noClient.status, 400);
      assert.match(noClient.text, /User pool client nosuchclient0000000000000a does not exist\./);
      const noUser = await open(linkFor(c.ClientId, 'nobody', '123456'));
      assert.equal(noUser.status, 400);
      assert.match(noUser.text, /Username\/client id combination not found\./);
      const incomplete = await open(`${t.url}/confirmUser?client_id=${c.ClientId}&user_name=ned`);
      assert.equal(incomplete.status, 400);
      assert.match(incomplete.text, /incomplete/);
      const bad = await open(linkFor(c.ClientId, 'ned', 'has space'));
      assert.equal(bad.status, 400);
      assert.match(bad.text, /1 validation error detected: Value &#39;has space&#39; at &#39;confirmationCode&#39;/);
      const nul = await open(`${t.url}/confirmUser?client_id=${c.ClientId}&user_name=ne%00d&confirmation_code=123456`);
      assert.equal(nul.status, 400);
      const injected = await open(linkFor(c.ClientId, '<script>x</script>', '123456'));
      assert.equal(injected.status, 400);
      assert.doesNotMatch(injected.text, /<script>/);
      assert.equal((await fetch(`${t.url}/confirmUser`, { method: 'POST' })).status, 404);
      assert.equal(await status(p, 'ned'), 'UNCONFIRMED');
    });

    it('works for clients with a secret (no SECRET_HASH in a link) and pools whose username is the email', async () => {
      const p = await pool({ UsernameAttributes: ['email'] });
      const c = await client(p, { GenerateSecret: true });
      const secretHash = createHmac('sha256', c.ClientSecret!).update(`ola@example.com${c.ClientId}`).digest('base64');
      const r = await send(new SignUpCommand({ ClientId: c.ClientId, SecretHash: secretHash, Username: 'ola@example.com', Password: PASSWORD }));
      const m = await lastMessage(p, r.UserSub);
      const link = linkOf(m.body);
      assert.equal(new URL(link).searchParams.get('user_name'), r.UserSub, 'the username, as Cognito puts it in the link');
      assert.equal((await open(link)).status, 200);
      assert.equal(await status(p, 'ola@example.com'), 'CONFIRMED');
    });

    it('ConfirmSignUp still takes the code of a link message; codes stay codes for SMS, password reset, and pools without the link option', async () => {
      const p = await pool();
      const c = await client(p);
      await send(new SignUpCommand({ ClientId: c.ClientId, Username: 'pia', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'pia@example.com' }] }));
      await send(new ConfirmSignUpCommand({ ClientId: c.ClientId, Username: 'pia', ConfirmationCode: (await lastMessage(p, 'pia')).code! }));
      assert.equal(await status(p, 'pia'), 'CONFIRMED');
      await send(new ForgotPasswordCommand({ ClientId: c.ClientId, Username: 'pia' }));
      const reset = await lastMessage(p, 'pia');
      assert.equal(reset.kind, 'FORGOT_PASSWORD');
      assert.doesNotMatch(reset.body, /<a href=/);
      assert.ok(reset.body.includes(reset.code!));

      const sms = await pool({ AutoVerifiedAttributes: ['phone_number'] });
      const sc = await client(sms);
      await send(new SignUpCommand({ ClientId: sc.ClientId, Username: 'quin', Password: PASSWORD, UserAttributes: [{ Name: 'phone_number', Value: '+15555550100' }] }));
      const text = await lastMessage(sms, 'quin');
      assert.equal(text.medium, 'SMS');
      assert.equal(text.body, `Your verification code is ${text.code}. `);

      const codes = await pool({ VerificationMessageTemplate: { DefaultEmailOption: 'CONFIRM_WITH_CODE', EmailMessageByLink: 'Go {##here##}' } });
      const cc = await client(codes);
      await send(new SignUpCommand({ ClientId: cc.ClientId, Username: 'rex', Password: PASSWORD, UserAttributes: [{ Name: 'email', Value: 'rex@example.com' }] }));
      const code = await lastMessage(codes, 'rex');
      assert.equal(code.subject, 'Your verification code');
      assert.equal(code.body, `Your verification code is ${code.code}. `);
      await expectError(send(new ConfirmSignUpCommand({ ClientId: cc.ClientId, Username: 'rex', ConfirmationCode: '000000' === code.code ? '000001' : '000000' })), 'CodeMismatchException');
    });
  });
}
