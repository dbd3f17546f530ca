/**
 * The next-step policy: what a sign-in must still do once a factor has passed, as an ordered list of
 * named checks (after node-oidc-provider's interaction policy). Each check looks at the sign-in and
 * either is satisfied or names the challenge to ask; the first one not satisfied wins. When all are
 * satisfied the sign-in completes (complete.ts). Every reason a user is stopped is in this list:
 * MFA and remembered devices are added here as checks, not in the transports.
 */
import { deviceNotFound, openDeviceVerifier, tracksDevices } from '../domain/devices.js';
import type { Ctx } from '../operations/context.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';
import { newPasswordParameters } from './factors.js';
import { customAsk } from './custom.js';
import { askMfa } from './mfa.js';
import type { CustomFlow, Pending } from './session.js';
import type { ChallengeName, Channel, Factor } from './types.js';

export interface SignInSoFar {
  ctx: Ctx;
  pool: PoolRecord;
  client: ClientRecord;
  channel: Channel;
  user: UserRecord;
  proven: Factor[];
  /** The remembered device the client named (DEVICE_KEY), in a pool that tracks devices. */
  deviceKey?: string;
  /** A custom sign-in (CUSTOM_AUTH): its session history for DefineAuthChallenge. */
  custom?: CustomFlow;
}

/** A challenge to ask: its name, public parameters and what its session must remember. */
export interface Ask {
  name: ChallengeName;
  parameters: Record<string, string>;
  pending: Pending;
  /** The session's value when the challenge fixes it (a PASSWORD_VERIFIER's SECRET_BLOCK); else a new random one. */
  session?: string;
}

const PASSWORDLESS = new Set<Factor>(['FIRST_EMAIL_OTP', 'FIRST_SMS_OTP', 'WEB_AUTHN', 'SIGN_UP_CODE']);

/** The password passed in this sign-in (in the request, or by SRP). */
const passwordProven = (s: SignInSoFar): boolean => s.proven.includes('PASSWORD') || s.proven.includes('SRP');

export interface Check {
  name: string;
  description: string;
  /** The challenge to ask, or undefined when the check is satisfied. May throw (e.g. an expired temporary password). */
  ask(s: SignInSoFar): Ask | undefined | Promise<Ask | undefined>;
}

export const policy: readonly Check[] = [
  {
    name: 'first_factor',
    description:
      'The user proved the password (in the request, or by SRP), or a passwordless first factor of USER_AUTH (a code by email or SMS, a passkey, ' +
      'the sign-up code), or the sign-in is a custom one (custom_challenge decides it). MFA follows only the password (the mfa check).',
    ask(s) {
      if (passwordProven(s) || s.custom || s.proven.includes('CUSTOM_CHALLENGE') || s.proven.some((f) => PASSWORDLESS.has(f))) return undefined;
      throw new Error('sign-in policy: no first factor was proven');
    },
  },
  {
    name: 'temporary_password',
    description:
      'A temporary password (FORCE_CHANGE_PASSWORD) the user just proved must be replaced: NEW_PASSWORD_REQUIRED. A custom sign-in ' +
      'without the password does not ask it (the password is not part of it).',
    ask(s) {
      if (s.user.status !== 'FORCE_CHANGE_PASSWORD' || s.proven.includes('NEW_PASSWORD') || !passwordProven(s)) return undefined;
      return { name: 'NEW_PASSWORD_REQUIRED', parameters: newPasswordParameters(s.ctx, s.pool, s.user), pending: { challenge: 'NEW_PASSWORD_REQUIRED' } };
    },
  },
  {
    name: 'known_device',
    description:
      "A DEVICE_KEY that is not the user's (never issued, forgotten, another user's) is ResourceNotFoundException " +
      "'Device does not exist.' right after the first factor, before any MFA code is sent: the SDKs catch it there " +
      'and sign in again without the device.',
    async ask(s) {
      if (s.deviceKey === undefined || !tracksDevices(s.pool)) return undefined;
      if (!(await s.ctx.store.devices.get(s.pool.id, s.user.usernameKey, s.deviceKey))) throw deviceNotFound();
      return undefined;
    },
  },
  {
    name: 'mfa',
    description:
      'MFA the pool requires (ON) or the user turned on (OPTIONAL): MFA_SETUP when the user has no factor yet, SELECT_MFA_TYPE with several and none preferred, ' +
      'else the factor (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP); none when a remembered device stands in for it (deviceStandsInForMfa). ' +
      'Before the device check, as Cognito orders them: the SDKs answer DEVICE_SRP_AUTH after an MFA answer, and expect tokens after DEVICE_PASSWORD_VERIFIER. ' +
      'A passkey that verified the user where passkeys count as MFA (PASSKEY_MFA: FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION) satisfies it.',
    async ask(s) {
      if (s.proven.includes('PASSKEY_MFA')) return undefined;
      // MFA follows the password: a custom sign-in without PASSWORD_VERIFIER asks none (Cognito:
      // "MFA generation is dependent on the password verifier challenge", docs/decisions.md).
      if (!passwordProven(s)) return undefined;
      if (await deviceStandsInForMfa(s)) return undefined;
      return askMfa(s);
    },
  },
  {
    name: 'custom_challenge',
    description:
      "A custom sign-in (CUSTOM_AUTH): DefineAuthChallenge's decision on the session history, once the password and MFA (when they are " +
      'part of it) have passed: a CUSTOM_CHALLENGE (CreateAuthChallenge), PASSWORD_VERIFIER, failure, or issueTokens, which the ' +
      'sign-in records as CUSTOM_CHALLENGE proven so that later steps (the device) do not ask Define again.',
    async ask(s) {
      if (!s.custom || s.proven.includes('CUSTOM_CHALLENGE')) return undefined;
      const next = await customAsk(s.ctx, s.pool, s.client, s.user, s.custom);
      if (next !== 'issueTokens') return next;
      s.proven.push('CUSTOM_CHALLENGE');
      return undefined;
    },
  },
  {
    name: 'device',
    description:
      'A sign-in naming a DEVICE_KEY proves the device (DEVICE_SRP_AUTH) when it is confirmed (has a verifier), after MFA ' +
      '(or instead of it, see deviceStandsInForMfa); an issued but unconfirmed device has no secret to prove.',
    async ask(s) {
      if (s.deviceKey === undefined || s.proven.includes('DEVICE') || !tracksDevices(s.pool)) return undefined;
      const device = await s.ctx.store.devices.get(s.pool.id, s.user.usernameKey, s.deviceKey);
      if (!device) throw deviceNotFound();
      if (!openDeviceVerifier(s.ctx.secrets, device)) return undefined;
      return { name: 'DEVICE_SRP_AUTH', parameters: {}, pending: { challenge: 'DEVICE_SRP_AUTH' } };
    },
  },
];

/**
 * Whether a remembered device stands in for MFA in this sign-in, as Cognito lets it: the pool's
 * DeviceConfiguration.ChallengeRequiredOnNewDevice is true ("When true, a remembered device can
 * sign in with device authentication instead of SMS and TOTP factors for MFA. Whether or not
 * ChallengeRequiredOnNewDevice is true, users who sign in with devices that have not been confirmed
 * or remembered must still provide a second factor": API reference, DeviceConfigurationType), the
 * named device is `remembered`, and its SRP proof either passed (DEVICE_PASSWORD_VERIFIER) or is
 * what the `device` check asks next (the device has a verifier). The sign-in cannot complete
 * without that proof: the `device` check asks for it under the same conditions.
 */
export async function deviceStandsInForMfa(s: SignInSoFar): Promise<boolean> {
  if (s.deviceKey === undefined || s.pool.settings.DeviceConfiguration?.ChallengeRequiredOnNewDevice !== true) return false;
  const device = await s.ctx.store.devices.get(s.pool.id, s.user.usernameKey, s.deviceKey);
  if (device?.status !== 'remembered') return false;
  return s.proven.includes('DEVICE') || openDeviceVerifier(s.ctx.secrets, device) !== undefined;
}

/** The first check not satisfied, or undefined when the sign-in may complete. */
export async function nextStep(s: SignInSoFar): Promise<Ask | undefined> {
  for (const check of policy) {
    const ask = await check.ask(s);
    if (ask) return ask;
  }
  return undefined;
}
