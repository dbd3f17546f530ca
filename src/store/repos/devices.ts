/**
 * devices: the remembered devices of device tracking, one row per device key a sign-in issued to a
 * user. The row goes with its user (foreign key, ON DELETE CASCADE) and so with its pool. Lists
 * read through the primary key (pool_id, username_key, device_key): in device-key order.
 */
import type { Db } from '../db.js';
import type { Database } from '../schema.js';

export type DeviceStatus = 'remembered' | 'not_remembered';

export interface DeviceRecord {
  poolId: string;
  usernameKey: string;
  /** `<region>_<uuid>`. */
  deviceKey: string;
  /** The user's device group (the same for every device of the user). */
  groupKey: string;
  /** Sealed {salt, verifier} of the device's SRP secret (domain/devices.ts); null until ConfirmDevice. */
  verifier: string | null;
  /** null until ConfirmDevice. */
  status: DeviceStatus | null;
  name: string | null;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  lastAuthenticatedAt: number | null;
}

function toDevice(r: Database['devices']): DeviceRecord {
  return {
    poolId: r.pool_id,
    usernameKey: r.username_key,
    deviceKey: r.device_key,
    groupKey: r.group_key,
    verifier: r.verifier,
    status: r.status as DeviceStatus | null,
    name: r.name,
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
    lastAuthenticatedAt: r.last_authenticated_at === null ? null : Number(r.last_authenticated_at),
  };
}

export class DeviceRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  async insert(d: DeviceRecord): Promise<void> {
    await this.db
      .insertInto('devices')
      .values({
        pool_id: d.poolId,
        username_key: d.usernameKey,
        device_key: d.deviceKey,
        group_key: d.groupKey,
        verifier: d.verifier,
        status: d.status,
        name: d.name,
        created_at: d.createdAt,
        updated_at: d.updatedAt,
        last_authenticated_at: d.lastAuthenticatedAt,
      })
      .execute();
  }

  /** The user's device. `forUpdate` locks the row (PostgreSQL). */
  async get(poolId: string, usernameKey: string, deviceKey: string, opts?: { forUpdate?: boolean }): Promise<DeviceRecord | undefined> {
    let q = this.db.selectFrom('devices').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey).where('device_key', '=', deviceKey);
    if (opts?.forUpdate && this.kind === 'postgres') q = q.forUpdate();
    const r = await q.executeTakeFirst();
    return r && toDevice(r);
  }

  /** The user's device group key, when a device was issued to the user before. */
  async groupKeyOf(poolId: string, usernameKey: string): Promise<string | undefined> {
    const r = await this.db.selectFrom('devices').select('group_key').where('pool_id', '=', poolId).where('username_key', '=', usernameKey).limit(1).executeTakeFirst();
    return r?.group_key;
  }

  /** Writes back everything but the keys and the creation time. False when the device is gone. */
  async update(d: DeviceRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('devices')
      .set({ verifier: d.verifier, status: d.status, name: d.name, updated_at: d.updatedAt, last_authenticated_at: d.lastAuthenticatedAt })
      .where('pool_id', '=', d.poolId)
      .where('username_key', '=', d.usernameKey)
      .where('device_key', '=', d.deviceKey)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  async delete(poolId: string, usernameKey: string, deviceKey: string): Promise<boolean> {
    const r = await this.db.deleteFrom('devices').where('pool_id', '=', poolId).where('username_key', '=', usernameKey).where('device_key', '=', deviceKey).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  /** Up to `limit` of the user's devices with one of `statuses`, by device key, after the key `after`. */
  async list(poolId: string, usernameKey: string, statuses: DeviceStatus[], after: string | undefined, limit: number): Promise<DeviceRecord[]> {
    let q = this.db.selectFrom('devices').selectAll().where('pool_id', '=', poolId).where('username_key', '=', usernameKey).where('status', 'in', statuses);
    if (after !== undefined) q = q.where('device_key', '>', after);
    const rows = await q.orderBy('device_key').limit(limit).execute();
    return rows.map(toDevice);
  }
}
