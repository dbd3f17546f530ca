/**
 * Unit tests of the MFA rules that need no server: TOTP codes (RFC 6238 vectors), the accepted
 * window and reuse at fixed times, sealing, the SMS/email code hash, and which factors a user can be
 * challenged with (mfaState) for each pool configuration.
 */
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { TOTP, Secret } from 'otpauth';
import { checkTotp, newTotpSecret, openTotpSecret, sealTotpSecret, totpCode, totpStep, totpUri } from '../src/domain/totp.js';
import { checkMfaCode, mfaState, userMfaFields, type UserMfa } from '../src/domain/mfa.js';
import { Secrets } from '../src/domain/secrets.js';
import type { PoolSettings } from '../src/domain/pool-settings.js';

/** RFC 6238 appendix B: the SHA-1 seed "12345678901234567890", in base32. */
const RFC_SECRET = 'GEZDGNBVGY3TQOJQGEZDGNBVGY3TQOJQ';

describe('TOTP (domain/totp.ts)', () => {
  it('computes the RFC 6238 SHA-1 test vectors (their last 6 digits)', () => {
    const vectors: [number, string][] = [
      [59, '94287082'],
      [1111111109, '07081804'],
      [1111111111, '14050471'],
      [1234567890, '89005924'],
      [2000000000, '69279037'],
      [20000000000, '65353130'],
    ];
    for (const [seconds, eight] of vectors) {
      assert.equal(totpCode(RFC_SECRET, seconds * 1000), eight.slice(-6), `T = ${seconds}`);
      assert.equal(checkTotp(RFC_SECRET, eight.slice(-6), seconds * 1000), totpStep(seconds * 1000));
    }
  });

  it('new secrets are 52 base32 characters (32 random bytes), each different, and work with an authenticator', () => {
    const a = newTotpSecret();
    const b = newTotpSecret();
    assert.match(a, /^[A-Z2-7]{52}$/);
    assert.notEqual(a, b);
    assert.equal(Secret.fromBase32(a).bytes.length, 32);
    const now = Date.UTC(2030, 0, 1, 12, 0, 10);
    // What an authenticator app shows, computed by otpauth itself.
    const shown = new TOTP({ secret: Secret.fromBase32(a), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp: now });
    assert.equal(checkTotp(a, shown, now), totpStep(now));
  });

  it('accepts the current step and one step of drift either way, not two', () => {
    const s = newTotpSecret();
    const now = Date.UTC(2030, 0, 1, 12, 0, 15);
    const step = totpStep(now);
    assert.equal(checkTotp(s, totpCode(s, now), now), step);
    assert.equal(checkTotp(s, totpCode(s, now - 30_000), now), step - 1, 'the previous code');
    assert.equal(checkTotp(s, totpCode(s, now + 30_000), now), step + 1, 'the next code');
    assert.equal(checkTotp(s, totpCode(s, now - 60_000), now), undefined, 'two steps old');
    assert.equal(checkTotp(s, totpCode(s, now + 60_000), now), undefined, 'two steps ahead');
    // The edges of the current step: its first and last millisecond.
    const first = step * 30_000;
    assert.equal(checkTotp(s, totpCode(s, first - 1), first), step - 1);
    assert.equal(checkTotp(s, totpCode(s, first - 30_001), first), undefined);
    assert.equal(checkTotp(s, totpCode(s, first + 59_999), first + 29_999), step + 1);
  });

  it('refuses a code whose step was already accepted, and older ones', () => {
    const s = newTotpSecret();
    const now = Date.UTC(2030, 0, 1, 12, 0, 15);
    const step = totpStep(now);
    const code = totpCode(s, now);
    assert.equal(checkTotp(s, code, now, step), undefined, 'the same code again');
    assert.equal(checkTotp(s, code, now + 25_000, step), undefined, 'the same code, still in the window');
    assert.equal(checkTotp(s, totpCode(s, now - 30_000), now, step), undefined, 'an older code');
    assert.equal(checkTotp(s, totpCode(s, now + 30_000), now, step), step + 1, 'the next code is good');
    assert.equal(checkTotp(s, code, now, step - 1), step, 'lastStep before it: good');
  });

  it('never accepts a malformed code or secret, and never throws for one', () => {
    const s = newTotpSecret();
    const now = Date.UTC(2030, 0, 1);
    const code = totpCode(s, now);
    for (const bad of ['', '12345', '1234567', `${code} `, ` ${code}`, 'abcdef', '12 456', '１２３４５６']) {
      assert.equal(checkTotp(s, bad, now), undefined, JSON.stringify(bad));
    }
    assert.equal(checkTotp(s, undefined as unknown as string, now), undefined);
    assert.equal(checkTotp('not base32!', code, now), undefined);
    assert.equal(checkTotp(newTotpSecret(), code, now), undefined, "another secret's code");
  });

  it('seals the secret for one pool and user only', () => {
    const secrets = new Secrets(randomBytes(32));
    const s = newTotpSecret();
    const alice = { poolId: 'us-east-1_a', username: 'alice' };
    const sealed = sealTotpSecret(secrets, alice, s);
    assert.ok(!sealed.includes(s));
    assert.equal(openTotpSecret(secrets, alice, sealed), s);
    assert.throws(() => openTotpSecret(secrets, { ...alice, username: 'bob' }, sealed));
    assert.throws(() => openTotpSecret(new Secrets(randomBytes(32)), alice, sealed));
  });

  it('writes the otpauth URI an authenticator reads', () => {
    const uri = totpUri(RFC_SECRET, 'alice', 'My App');
    assert.match(uri, /^otpauth:\/\/totp\/My%20App:alice\?/);
    const parsed = new URL(uri);
    assert.equal(parsed.searchParams.get('secret'), RFC_SECRET);
    assert.equal(parsed.searchParams.get('issuer'), 'My App');
  });
});

describe('SMS and email MFA codes (checkMfaCode)', () => {
  const secrets = new Secrets(randomBytes(32));
  const user = { poolId: 'us-east-1_a', usernameKey: 'alice' };
  // The hash as sendMfaCode makes it: `<salt>.<HMAC>`, here built the same way through a sent code.
  it('accepts the code sent until it expires, nothing else', async () => {
    const { sendMfaCode } = await import('../src/domain/mfa.js');
    const sent: { code?: string }[] = [];
    const delivery = { deliver: async (m: { code?: string }) => void sent.push(m), close: async () => {} };
    const pool = { id: 'us-east-1_a', settings: {} as PoolSettings };
    const now = 1_000_000;
    const r = await sendMfaCode({ secrets, now, delivery }, pool, { ...user, username: 'alice', attributes: { phone_number: '+15555550100' } }, 'SMS');
    const code = sent[0]!.code!;
    assert.match(code, /^\d{6}$/);
    assert.ok(!r.codeHash.includes(code));
    assert.deepEqual(r.deliveryDetails, { Destination: '+*******0100', DeliveryMedium: 'SMS', AttributeName: 'phone_number' });
    assert.equal(checkMfaCode({ secrets, now }, user, r, code), true);
    assert.equal(checkMfaCode({ secrets, now: r.expiresAt }, user, r, code), true, 'good to its last millisecond');
    assert.equal(checkMfaCode({ secrets, now: r.expiresAt + 1 }, user, r, code), false, 'expired');
    const wrong = String((Number(code) + 1) % 1_000_000).padStart(6, '0');
    assert.equal(checkMfaCode({ secrets, now }, user, r, wrong), false);
    assert.equal(checkMfaCode({ secrets, now }, { ...user, usernameKey: 'bob' }, r, code), false, "another user's session");
    assert.equal(checkMfaCode({ secrets: new Secrets(randomBytes(32)), now }, user, r, code), false, 'another master key');
    assert.equal(checkMfaCode({ secrets, now }, user, { ...r, codeHash: 'garbage' }, code), false);
  });
});

describe('which factors a sign-in must pass (mfaState)', () => {
  const pool = (MfaConfiguration: 'OFF' | 'ON' | 'OPTIONAL', f: { sms?: boolean; totp?: boolean; email?: boolean } = {}) => ({
    settings: {
      MfaConfiguration,
      MfaFactors: { sms: !!f.sms, softwareToken: !!f.totp, ...(f.email ? { email: {} } : {}) },
    } as PoolSettings,
  });
  const all = { sms: true, totp: true, email: true };
  const totp = { secret: 'sealed', verifiedAt: 1 };
  const phone = { phone_number: '+15555550100' };
  const email = { email: 'a@example.com' };
  const user = (mfa: UserMfa, attributes: Record<string, string> = {}) => ({ mfa, attributes });

  it('OFF: nothing, whatever the user set', () => {
    assert.deepEqual(mfaState(pool('OFF'), user({ totp, enabled: ['SOFTWARE_TOKEN_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' }, phone)), {
      configuration: 'OFF',
      required: false,
      enabled: [],
      canSetUp: [],
    });
  });

  it('OPTIONAL: only the factors the user turned on, offered by the pool, with a destination', () => {
    assert.deepEqual(mfaState(pool('OPTIONAL', all), user({})), { configuration: 'OPTIONAL', required: false, enabled: [], canSetUp: [] });
    const s = mfaState(pool('OPTIONAL', all), user({ totp, enabled: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'], preferred: 'EMAIL_OTP' }, { ...phone, ...email }));
    assert.deepEqual(s, { configuration: 'OPTIONAL', required: true, enabled: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'], preferred: 'EMAIL_OTP', canSetUp: [] });
    // A verified token not turned on does not count in an OPTIONAL pool.
    assert.deepEqual(mfaState(pool('OPTIONAL', all), user({ totp })).enabled, []);
    // The pool no longer offers TOTP: the user's TOTP does not count, nor its preference.
    const noTotp = mfaState(pool('OPTIONAL', { sms: true }), user({ totp, enabled: ['SMS_MFA', 'SOFTWARE_TOKEN_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' }, phone));
    assert.deepEqual(noTotp.enabled, ['SMS_MFA']);
    assert.equal(noTotp.preferred, undefined);
    // SMS turned on but the phone number gone; email on without an email.
    assert.deepEqual(mfaState(pool('OPTIONAL', all), user({ enabled: ['SMS_MFA', 'EMAIL_OTP'] })).enabled, []);
    // The legacy MFAOptions turn SMS MFA on too.
    assert.deepEqual(mfaState(pool('OPTIONAL', all), user({ mfaOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] }, phone)).enabled, ['SMS_MFA']);
  });

  it('ON: always required; a verified token counts; a phone number gets SMS; else set-up of what the pool offers', () => {
    assert.deepEqual(mfaState(pool('ON', { totp: true }), user({ totp })), { configuration: 'ON', required: true, enabled: ['SOFTWARE_TOKEN_MFA'], canSetUp: [] });
    assert.deepEqual(mfaState(pool('ON', all), user({}, phone)).enabled, ['SMS_MFA']);
    assert.deepEqual(mfaState(pool('ON', { totp: true }), user({}, phone)), { configuration: 'ON', required: true, enabled: [], canSetUp: ['SOFTWARE_TOKEN_MFA'] });
    assert.deepEqual(mfaState(pool('ON', all), user({})).canSetUp, ['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP']);
    // Pools stored before MfaFactors existed: SMS when MFA is on and SMS is configured.
    const legacy = { settings: { MfaConfiguration: 'ON', SmsConfiguration: { SnsCallerArn: 'arn:aws:iam::123456789012:role/sms' } } as PoolSettings };
    assert.deepEqual(mfaState(legacy, user({}, phone)).enabled, ['SMS_MFA']);
  });

  it('shows a user as GetUser does: each member absent when empty', () => {
    assert.deepEqual(userMfaFields({}), {});
    assert.deepEqual(userMfaFields({ totp }), {});
    assert.deepEqual(userMfaFields({ totp, enabled: ['SOFTWARE_TOKEN_MFA'], preferred: 'SOFTWARE_TOKEN_MFA' }), {
      UserMFASettingList: ['SOFTWARE_TOKEN_MFA'],
      PreferredMfaSetting: 'SOFTWARE_TOKEN_MFA',
    });
    assert.deepEqual(userMfaFields({ enabled: ['SMS_MFA'] }), { MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }], UserMFASettingList: ['SMS_MFA'] });
    assert.deepEqual(userMfaFields({ mfaOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }] }), {
      MFAOptions: [{ DeliveryMedium: 'SMS', AttributeName: 'phone_number' }],
    });
  });
});
