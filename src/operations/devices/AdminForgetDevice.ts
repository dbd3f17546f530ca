import type { AdminForgetDeviceRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadPoolAndUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';
import { forgetDevice } from './shared.js';

export async function AdminForgetDevice(input: AdminForgetDeviceRequest, ctx: Ctx) {
  const { pool, user } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  await forgetDevice(ctx, pool, user, input.DeviceKey!);
  return {};
}
