import type { ForgetDeviceRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { authorize } from '../self/shared.js';
import { forgetDevice } from './shared.js';

/** Forgets a device of the token's user. The model makes DeviceKey optional; without it there is no device. */
export async function ForgetDevice(input: ForgetDeviceRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  await forgetDevice(ctx, pool, user, input.DeviceKey ?? '');
  return {};
}
