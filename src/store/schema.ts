/** Table types as Kysely sees them. Times are epoch milliseconds; JSON columns are text. */
export interface UserPoolsTable {
  id: string;
  region: string;
  name: string;
  created_at: number;
  updated_at: number;
  settings: string;
  tags: string;
}

export interface UserPoolClientsTable {
  id: string;
  pool_id: string;
  name: string;
  secret: string | null;
  created_at: number;
  updated_at: number;
  settings: string;
}

export interface Database {
  user_pools: UserPoolsTable;
  user_pool_clients: UserPoolClientsTable;
}
