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
import { askMfa } from './mfa.js';
import type { Pending } from './session.js';
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
}

/** A challenge to ask: its name, public parameters and what its session must remember. */
export interface Ask {
  name: ChallengeName;
  parameters: Record<string, string>;
  pending: Pending;
}

export interface Check {
  name: string;
  description: string;
  /** The challenge to ask, or undefined when the check is satisfied. May throw (e.g. an expired temporary password). */
  ask(s: SignInSoFar): Ask | undefined | Promise<Ask | undefined>;
}

export const policy: readonly Check[] = [
  {
    name: 'first_factor',
    description: 'The user proved the password (in the request, or by SRP).',
    ask(s) {
      if (s.proven.includes('PASSWORD') || s.proven.includes('SRP')) return undefined;
      throw new Error('sign-in policy: no first factor was proven');
    },
  },
  {
    name: 'temporary_password',
    description: 'A temporary password (FORCE_CHANGE_PASSWORD) must be replaced: NEW_PASSWORD_REQUIRED.',
    ask(s) {
      if (s.user.status !== 'FORCE_CHANGE_PASSWORD' || s.proven.includes('NEW_PASSWORD')) return undefined;
      return { name: 'NEW_PASSWORD_REQUIRED', parameters: newPasswordParameters(s.ctx, s.pool, s.user), pending: { challenge: 'NEW_PASSWORD_REQUIRED' } };
    },
  },
  {
    name: 'device',
    description:
      'A sign-in naming a DEVICE_KEY proves the device (DEVICE_SRP_AUTH) when it is confirmed; a key that is not ' +
      "the user's is ResourceNotFoundException 'Device does not exist.' (the SDKs then sign in again without it).",
    async ask(s) {
      if (s.deviceKey === undefined || s.proven.includes('DEVICE') || !tracksDevices(s.pool)) return undefined;
      const device = await s.ctx.store.devices.get(s.pool.id, s.user.usernameKey, s.deviceKey);
      if (!device) throw deviceNotFound();
      // Issued but never confirmed (ConfirmDevice): no secret to prove; the sign-in is bound to it all the same.
      if (!openDeviceVerifier(s.ctx.secrets, device)) return undefined;
      return { name: 'DEVICE_SRP_AUTH', parameters: {}, pending: { challenge: 'DEVICE_SRP_AUTH' } };
    },
  },
  {
    name: 'mfa',
    description:
      'MFA the pool requires (ON) or the user turned on (OPTIONAL): MFA_SETUP when the user has no factor yet, SELECT_MFA_TYPE with several and none preferred, ' +
      'else the factor (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP); none after the proof of a remembered device (provedRememberedDevice).',
    async ask(s) {
      if (await provedRememberedDevice(s)) return undefined;
      return askMfa(s);
    },
  },
];

/**
 * Whether this sign-in proved a remembered device in a way that lets it skip MFA, as Cognito does:
 * the device's SRP proof passed (DEVICE_PASSWORD_VERIFIER), the device is `remembered`, and the
 * pool's DeviceConfiguration.ChallengeRequiredOnNewDevice is true ("When true, a remembered device
 * can sign in with device authentication instead of SMS and TOTP factors for MFA. Whether or not
 * ChallengeRequiredOnNewDevice is true, users who sign in with devices that have not been confirmed
 * or remembered must still provide a second factor": API reference, DeviceConfigurationType).
 */
export async function provedRememberedDevice(s: SignInSoFar): Promise<boolean> {
  if (!s.proven.includes('DEVICE') || s.deviceKey === undefined) return false;
  if (s.pool.settings.DeviceConfiguration?.ChallengeRequiredOnNewDevice !== true) return false;
  const device = await s.ctx.store.devices.get(s.pool.id, s.user.usernameKey, s.deviceKey);
  return device?.status === 'remembered';
}

/** The first check not satisfied, or undefined when the sign-in may complete. */
export async function nextStep(s: SignInSoFar): Promise<Ask | undefined> {
  for (const check of policy) {
    const ask = await check.ask(s);
    if (ask) return ask;
  }
  return undefined;
}
