import type { GetDeviceRequest } from '@aws-sdk/client-cognito-identity-provider';
import { deviceType, loadDevice } from '../../domain/devices.js';
import type { Ctx } from '../context.js';
import { authorize } from '../self/shared.js';

/** One remembered device of the token's user. */
export async function GetDevice(input: GetDeviceRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  const d = await loadDevice(ctx.store, pool.id, user.usernameKey, input.DeviceKey!, { rememberedOnly: true });
  return { Device: deviceType(d, user) };
}
