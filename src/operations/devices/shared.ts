/**
 * What the device operations share: the list of a user's devices, page by page, and forgetting one.
 * The user's own operations (access token) see its remembered devices only; the administrator's
 * see every confirmed device (docs/decisions.md, Remembered devices).
 */
import { deviceNotFound, deviceType } from '../../domain/devices.js';
import type { DeviceStatus } from '../../store/repos/devices.js';
import type { PoolRecord, UserProfile } from '../../store/types.js';
import type { Ctx } from '../context.js';
import { decodeToken, page } from '../pagination.js';

/** ListDevices' and AdminListDevices' Limit when none is given (QueryLimitType's maximum). */
const DEFAULT_LIMIT = 60;

export async function listDevices(
  ctx: Ctx,
  pool: PoolRecord,
  user: Pick<UserProfile, 'username' | 'usernameKey'>,
  statuses: DeviceStatus[],
  input: { Limit?: number; PaginationToken?: string },
) {
  const after = decodeToken('devices', input.PaginationToken, 'PaginationToken');
  const limit = input.Limit ? input.Limit : DEFAULT_LIMIT;
  const { items, next } = await page(
    'devices',
    limit,
    (n) => ctx.store.devices.list(pool.id, user.usernameKey, statuses, after, n),
    (d) => d.deviceKey,
  );
  return { Devices: items.map((d) => deviceType(d, user)), ...(next ? { PaginationToken: next } : {}) };
}

/**
 * Forgets one of the user's devices (confirmed or not). The device's sign-ins can no longer
 * refresh (signin/refresh.ts: a device-bound refresh token needs its device); their access tokens
 * stay valid until they expire.
 */
export async function forgetDevice(ctx: Ctx, pool: PoolRecord, user: Pick<UserProfile, 'usernameKey'>, deviceKey: string): Promise<void> {
  if (!(await ctx.store.devices.delete(pool.id, user.usernameKey, deviceKey))) throw deviceNotFound();
}
