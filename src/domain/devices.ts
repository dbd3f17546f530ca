/**
 * Remembered devices (device tracking): which pools track them, the keys a sign-in issues, the
 * device's SRP verifier sealed at rest, and the DeviceType the operations answer with. Facts and
 * evidence: shared/reference/signin-extensions.md "Remembered devices", docs/decisions.md
 * "Remembered devices".
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { errors } from '../protocol/errors.js';
import type { Secrets } from './secrets.js';
import type { DeviceRecord } from '../store/repos/devices.js';
import type { PoolRecord, Store, UserProfile } from '../store/types.js';
import type { SrpVerifier } from './srp.js';

/** A pool tracks devices when it has a DeviceConfiguration (any value of it turns tracking on). */
export const tracksDevices = (pool: Pick<PoolRecord, 'settings'>): boolean => pool.settings.DeviceConfiguration != null;

/** A new device key: `<region>_<uuid>`, as Cognito's (DeviceKeyType pattern [\w-]+_[0-9a-f-]+). */
export const newDeviceKey = (region: string): string => `${region}_${randomUUID()}`;

/** A new device group key: a dash and 9 random URL-safe characters, as the keys Cognito hands out. */
export const newGroupKey = (): string => `-${randomBytes(9).toString('base64url').slice(0, 9)}`;

const context = (d: Pick<DeviceRecord, 'poolId' | 'usernameKey' | 'deviceKey'>) => `device-srp:${d.poolId}:${d.usernameKey}:${d.deviceKey}`;

/**
 * ConfirmDevice's DeviceSecretVerifierConfig (base64 of the verifier's and the salt's bytes, as
 * amazon-cognito-identity-js sends them) as stored: lower-case hex, sealed for this device only.
 * InvalidParameterException when either is not base64 of a non-empty number.
 */
export function sealDeviceVerifier(secrets: Secrets, d: Pick<DeviceRecord, 'poolId' | 'usernameKey' | 'deviceKey'>, config: { PasswordVerifier?: string; Salt?: string }): string {
  const hex = (v: string | undefined, name: string): string => {
    const text = typeof v === 'string' ? v.trim() : '';
    const bytes = /^[A-Za-z0-9+/]+={0,2}$/.test(text) ? Buffer.from(text, 'base64') : Buffer.alloc(0);
    // A verifier is below N (384 bytes); a salt is 16 bytes in the SDKs. Bounded so a request cannot store megabytes.
    if (bytes.length === 0 || bytes.length > 1024 || bytes.every((b) => b === 0)) throw errors.invalidParameter(`DeviceSecretVerifierConfig.${name} is not valid.`);
    return bytes.toString('hex');
  };
  const v: SrpVerifier = { verifier: hex(config.PasswordVerifier, 'PasswordVerifier'), salt: hex(config.Salt, 'Salt') };
  return secrets.seal(JSON.stringify(v), context(d));
}

/** The device's SRP salt and verifier, or undefined when it was never confirmed. */
export function openDeviceVerifier(secrets: Secrets, d: DeviceRecord): SrpVerifier | undefined {
  if (!d.verifier) return undefined;
  return JSON.parse(secrets.open(d.verifier, context(d)).toString('utf8')) as SrpVerifier;
}

/**
 * A device as DeviceType: its attributes as Cognito lists them (device_status, device_name,
 * dev:device_remembered_status; Cognito also lists last_ip_used and dev:device_sdk, which incognito
 * does not record), dates in epoch seconds.
 */
export function deviceType(d: DeviceRecord, user: Pick<UserProfile, 'username'>) {
  const attrs: { Name: string; Value: string }[] = [{ Name: 'device_status', Value: 'valid' }];
  if (d.name !== null) attrs.push({ Name: 'device_name', Value: d.name });
  attrs.push({ Name: 'dev:device_owner', Value: `${user.username}.${d.poolId}` });
  if (d.status !== null) attrs.push({ Name: 'dev:device_remembered_status', Value: d.status });
  return {
    DeviceKey: d.deviceKey,
    DeviceAttributes: attrs,
    DeviceCreateDate: d.createdAt / 1000,
    DeviceLastModifiedDate: d.updatedAt / 1000,
    ...(d.lastAuthenticatedAt !== null ? { DeviceLastAuthenticatedDate: d.lastAuthenticatedAt / 1000 } : {}),
  };
}

export const deviceNotFound = () => errors.resourceNotFound('Device does not exist.');

/**
 * The user's confirmed device, for the operations: ResourceNotFoundException "Device does not
 * exist." for a key that is not the user's, was never confirmed, or (for the user's own
 * operations, `rememberedOnly`) is not remembered.
 */
export async function loadDevice(store: Store, poolId: string, usernameKey: string, deviceKey: string, opts?: { rememberedOnly?: boolean; forUpdate?: boolean }): Promise<DeviceRecord> {
  const d = await store.devices.get(poolId, usernameKey, deviceKey, opts?.forUpdate ? { forUpdate: true } : undefined);
  if (!d || d.status === null || (opts?.rememberedOnly && d.status !== 'remembered')) throw deviceNotFound();
  return d;
}
