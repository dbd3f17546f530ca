import type { ConfirmDeviceRequest } from '@aws-sdk/client-cognito-identity-provider';
import { deviceNotFound, sealDeviceVerifier } from '../../domain/devices.js';
import type { Ctx } from '../context.js';
import { authorize } from '../self/shared.js';

/**
 * Confirms a device a sign-in issued to the token's user (NewDeviceMetadata): its SRP verifier and
 * salt (DeviceSecretVerifierConfig) and name are stored. The device is remembered at once, unless
 * the pool's DeviceOnlyRememberedOnUserPrompt asks the user first: then it is not_remembered and
 * UserConfirmationNecessary is true (UpdateDeviceStatus remembers it).
 */
export async function ConfirmDevice(input: ConfirmDeviceRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  const deviceKey = input.DeviceKey!;
  const prompt = pool.settings.DeviceConfiguration?.DeviceOnlyRememberedOnUserPrompt === true;
  const verifier = input.DeviceSecretVerifierConfig ? sealDeviceVerifier(ctx.secrets, { poolId: pool.id, usernameKey: user.usernameKey, deviceKey }, input.DeviceSecretVerifierConfig) : null;
  const status = await ctx.store.transaction(async (tx) => {
    const d = await tx.devices.get(pool.id, user.usernameKey, deviceKey, { forUpdate: true });
    if (!d) throw deviceNotFound();
    // Confirming again keeps the status the user chose.
    const next = { ...d, verifier: verifier ?? d.verifier, status: d.status ?? (prompt ? 'not_remembered' : 'remembered'), name: input.DeviceName ?? d.name, updatedAt: ctx.now } as const;
    await tx.devices.update(next);
    return next.status;
  });
  return { UserConfirmationNecessary: prompt && status !== 'remembered' };
}
