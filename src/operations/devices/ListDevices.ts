import type { ListDevicesRequest } from '@aws-sdk/client-cognito-identity-provider';
import type { Ctx } from '../context.js';
import { authorize } from '../self/shared.js';
import { listDevices } from './shared.js';

/** The token's user's remembered devices, by device key, Limit (default 60) a page. */
export async function ListDevices(input: ListDevicesRequest, ctx: Ctx) {
  const { pool, user } = await authorize(ctx, input.AccessToken!);
  return listDevices(ctx, pool, user, ['remembered'], input);
}
