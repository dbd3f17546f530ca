import type { AdminUpdateDeviceStatusRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadDevice } from '../../domain/devices.js';
import { loadPoolAndUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';

export async function AdminUpdateDeviceStatus(input: AdminUpdateDeviceStatusRequest, ctx: Ctx) {
  const { pool, user } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  await ctx.store.transaction(async (tx) => {
    const d = await loadDevice(tx, pool.id, user.usernameKey, input.DeviceKey!, { forUpdate: true });
    await tx.devices.update({ ...d, status: input.DeviceRememberedStatus ?? d.status, updatedAt: ctx.now });
  });
  return {};
}
