import type { UpdateDeviceStatusRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadDevice } from '../../domain/devices.js';
import type { Ctx } from '../context.js';
import { authorize } from '../self/shared.js';

/** Remembers a confirmed device of the token's user, or stops remembering it. */
export async function UpdateDeviceStatus(input: UpdateDeviceStatusRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  await ctx.store.transaction(async (tx) => {
    const d = await loadDevice(tx, pool.id, user.usernameKey, input.DeviceKey!, { forUpdate: true });
    await tx.devices.update({ ...d, status: input.DeviceRememberedStatus ?? d.status, updatedAt: ctx.now });
  });
  return {};
}
