import type { AdminGetDeviceRequest } from '@aws-sdk/client-cognito-identity-provider';
import { deviceType, loadDevice } from '../../domain/devices.js';
import { loadPoolAndUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';

/** One confirmed device of the user, remembered or not. */
export async function AdminGetDevice(input: AdminGetDeviceRequest, ctx: Ctx) {
  const { pool, user } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  const d = await loadDevice(ctx.store, pool.id, user.usernameKey, input.DeviceKey!);
  return { Device: deviceType(d, user) };
}
