import type { AdminListDevicesRequest } from '@aws-sdk/client-cognito-identity-provider';
import { loadPoolAndUser } from '../../domain/users.js';
import type { Ctx } from '../context.js';
import { listDevices } from './shared.js';

/** The user's confirmed devices, remembered or not, by device key, Limit (default 60) a page. */
export async function AdminListDevices(input: AdminListDevicesRequest, ctx: Ctx) {
  const { pool, user } = await loadPoolAndUser(ctx.store, input.UserPoolId!, input.Username!);
  return listDevices(ctx, pool, user, ['remembered', 'not_remembered'], input);
}
