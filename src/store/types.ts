/**
 * The one storage interface. Operations talk to this and nothing else; SQLite and PostgreSQL
 * implement it through the same Kysely code (kysely-store.ts), each with its own dialect.
 */
import type { PoolSettings } from '../domain/pool-settings.js';
import type { ClientSettings } from '../domain/client-settings.js';

export interface PoolRecord {
  id: string;
  region: string;
  name: string;
  /** Epoch milliseconds. */
  createdAt: number;
  updatedAt: number;
  settings: PoolSettings;
  tags: Record<string, string>;
}

export interface ClientRecord {
  id: string;
  poolId: string;
  name: string;
  secret: string | null;
  createdAt: number;
  updatedAt: number;
  settings: ClientSettings;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Runs fn in one transaction: all of its writes land, or none do. Inside fn, use only the store
   * handed to it, and do no other slow I/O (SQLite serialises transactions on one connection).
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  ping(): Promise<void>;
  close(): Promise<void>;

  insertPool(pool: PoolRecord): Promise<void>;
  /**
   * `forUpdate`: inside a transaction, lock the row until it ends (PostgreSQL `FOR UPDATE`; SQLite
   * transactions are serialised anyway), so a read-modify-write cannot lose a concurrent write.
   */
  getPool(id: string, opts?: { forUpdate?: boolean }): Promise<PoolRecord | undefined>;
  /** Replaces name, settings, tags and updatedAt. Returns false when the pool is gone. */
  updatePool(pool: PoolRecord): Promise<boolean>;
  /** Deletes the pool and everything in it. Returns false when it did not exist. */
  deletePool(id: string): Promise<boolean>;
  /** Pools of a region ordered by id, starting after `afterId`. */
  listPools(region: string, afterId: string | undefined, limit: number): Promise<PoolRecord[]>;

  insertClient(client: ClientRecord): Promise<void>;
  getClient(clientId: string, opts?: { forUpdate?: boolean }): Promise<ClientRecord | undefined>;
  /** Replaces name, settings and updatedAt. Returns false when the client is gone. */
  updateClient(client: ClientRecord): Promise<boolean>;
  deleteClient(poolId: string, clientId: string): Promise<boolean>;
  /** Clients of a pool ordered by id, starting after `afterId`. */
  listClients(poolId: string, afterId: string | undefined, limit: number): Promise<ClientRecord[]>;
}
