/**
 * groups and group_members. Memberships go with their group or their user (ON DELETE CASCADE on
 * both foreign keys), and everything goes with the pool. Every list reads through an index in a
 * stable order: groups by name (groups_pk), a group's members by username_key (group_members_pk),
 * a user's groups by group name (group_members_user).
 */
import type { Db } from '../db.js';
import { toUser } from './users.js';
import type { Database } from '../schema.js';
import { ConflictError, isUniqueViolation } from '../errors.js';
import type { GroupRecord, UserRecord } from '../types.js';

export function toGroup(r: Database['groups']): GroupRecord {
  return {
    poolId: r.pool_id,
    name: r.name,
    description: r.description,
    roleArn: r.role_arn,
    precedence: r.precedence === null ? null : Number(r.precedence),
    createdAt: Number(r.created_at),
    updatedAt: Number(r.updated_at),
  };
}

function toRow(g: GroupRecord): Database['groups'] {
  return {
    pool_id: g.poolId,
    name: g.name,
    description: g.description,
    role_arn: g.roleArn,
    precedence: g.precedence,
    created_at: g.createdAt,
    updated_at: g.updatedAt,
  };
}


export class GroupRepo {
  constructor(private readonly db: Db, private readonly kind: 'sqlite' | 'postgres') {}

  /** Inserts the group. ConflictError('group') when the pool has a group of that name (primary key). */
  async insert(g: GroupRecord): Promise<void> {
    try {
      await this.db.insertInto('groups').values(toRow(g)).execute();
    } catch (e) {
      if (isUniqueViolation(e)) throw new ConflictError('group');
      throw e;
    }
  }

  /**
   * The group (names are case-sensitive). `forUpdate` locks the row for a read-then-write;
   * `forShare` keeps it from being deleted or changed until the transaction ends (PostgreSQL;
   * SQLite serialises transactions anyway).
   */
  async get(poolId: string, name: string, opts?: { forUpdate?: boolean; forShare?: boolean }): Promise<GroupRecord | undefined> {
    let q = this.db.selectFrom('groups').selectAll().where('pool_id', '=', poolId).where('name', '=', name);
    if (this.kind === 'postgres') {
      if (opts?.forUpdate) q = q.forUpdate();
      else if (opts?.forShare) q = q.forShare();
    }
    const r = await q.executeTakeFirst();
    return r && toGroup(r);
  }

  /** Writes back description, role, precedence and the modification time. False when the group is gone. */
  async update(g: GroupRecord): Promise<boolean> {
    const r = await this.db
      .updateTable('groups')
      .set({ description: g.description, role_arn: g.roleArn, precedence: g.precedence, updated_at: g.updatedAt })
      .where('pool_id', '=', g.poolId)
      .where('name', '=', g.name)
      .executeTakeFirst();
    return Number(r.numUpdatedRows) > 0;
  }

  /** Deletes the group; its memberships go by ON DELETE CASCADE. */
  async delete(poolId: string, name: string): Promise<boolean> {
    const r = await this.db.deleteFrom('groups').where('pool_id', '=', poolId).where('name', '=', name).executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async count(poolId: string): Promise<number> {
    const r = await this.db.selectFrom('groups').select((eb) => eb.fn.countAll<number>().as('n')).where('pool_id', '=', poolId).executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Up to `limit` groups of the pool by name, after the name `after`. */
  async list(poolId: string, after: string | undefined, limit: number): Promise<GroupRecord[]> {
    let q = this.db.selectFrom('groups').selectAll().where('pool_id', '=', poolId);
    if (after !== undefined) q = q.where('name', '>', after);
    const rows = await q.orderBy('name').limit(limit).execute();
    return rows.map(toGroup);
  }

  /** Adds the user to the group; false when it was a member already. */
  async addMember(poolId: string, groupName: string, usernameKey: string): Promise<boolean> {
    const r = await this.db
      .insertInto('group_members')
      .values({ pool_id: poolId, group_name: groupName, username_key: usernameKey })
      .onConflict((oc) => oc.columns(['pool_id', 'group_name', 'username_key']).doNothing())
      .executeTakeFirst();
    return Number(r.numInsertedOrUpdatedRows ?? 0) > 0;
  }

  /** Removes the user from the group; false when it was not a member. */
  async removeMember(poolId: string, groupName: string, usernameKey: string): Promise<boolean> {
    const r = await this.db
      .deleteFrom('group_members')
      .where('pool_id', '=', poolId)
      .where('group_name', '=', groupName)
      .where('username_key', '=', usernameKey)
      .executeTakeFirst();
    return Number(r.numDeletedRows) > 0;
  }

  async isMember(poolId: string, groupName: string, usernameKey: string): Promise<boolean> {
    const r = await this.db
      .selectFrom('group_members')
      .select('username_key')
      .where('pool_id', '=', poolId)
      .where('group_name', '=', groupName)
      .where('username_key', '=', usernameKey)
      .executeTakeFirst();
    return r !== undefined;
  }

  /** How many groups the user belongs to (through group_members_user). */
  async countForUser(poolId: string, usernameKey: string): Promise<number> {
    const r = await this.db
      .selectFrom('group_members')
      .select((eb) => eb.fn.countAll<number>().as('n'))
      .where('pool_id', '=', poolId)
      .where('username_key', '=', usernameKey)
      .executeTakeFirst();
    return Number(r?.n ?? 0);
  }

  /** Up to `limit` members of the group by username_key, after the key `after`. */
  async listMembers(poolId: string, groupName: string, after: string | undefined, limit: number): Promise<UserRecord[]> {
    let q = this.db
      .selectFrom('group_members')
      .innerJoin('users', (j) => j.onRef('users.pool_id', '=', 'group_members.pool_id').onRef('users.username_key', '=', 'group_members.username_key'))
      .selectAll('users')
      .where('group_members.pool_id', '=', poolId)
      .where('group_members.group_name', '=', groupName);
    if (after !== undefined) q = q.where('group_members.username_key', '>', after);
    const rows = await q.orderBy('group_members.username_key').limit(limit).execute();
    return rows.map((r) => toUser(r as Database['users']));
  }

  /** Up to `limit` groups the user belongs to by name, after the name `after`. */
  async listForUser(poolId: string, usernameKey: string, after: string | undefined, limit: number): Promise<GroupRecord[]> {
    let q = this.db
      .selectFrom('group_members')
      .innerJoin('groups', (j) => j.onRef('groups.pool_id', '=', 'group_members.pool_id').onRef('groups.name', '=', 'group_members.group_name'))
      .selectAll('groups')
      .where('group_members.pool_id', '=', poolId)
      .where('group_members.username_key', '=', usernameKey);
    if (after !== undefined) q = q.where('group_members.group_name', '>', after);
    const rows = await q.orderBy('group_members.group_name').limit(limit).execute();
    return rows.map((r) => toGroup(r as Database['groups']));
  }
}
