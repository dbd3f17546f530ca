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

export interface UsersTable {
  pool_id: string;
  /** The username as compared: lower-cased in pools whose usernames are case-insensitive. */
  username_key: string;
  username: string;
  sub: string;
  status: string;
  enabled: number;
  /** JSON object: attribute name → value (strings, as Cognito returns them). */
  attributes: string;
  password_hash: string | null;
  password_updated_at: number | null;
  /** JSON object of per-user state that is not an attribute (MFA settings, sign-in failures...). */
  extra: string;
  created_at: number;
  updated_at: number;
}

export interface UserIndexTable {
  pool_id: string;
  attr: string;
  value: string;
  username_key: string;
}

export interface UserAliasesTable {
  pool_id: string;
  kind: string;
  value_key: string;
  username_key: string;
}

export interface CodesTable {
  pool_id: string;
  username_key: string;
  purpose: string;
  code_hash: string;
  expires_at: number;
  attempts: number;
  created_at: number;
}

export interface GroupsTable {
  pool_id: string;
  name: string;
  description: string | null;
  role_arn: string | null;
  precedence: number | null;
  created_at: number;
  updated_at: number;
}

export interface GroupMembersTable {
  pool_id: string;
  group_name: string;
  username_key: string;
}

export interface MessagesTable {
  id: string;
  pool_id: string;
  username: string;
  medium: string;
  destination: string;
  kind: string;
  subject: string | null;
  body: string;
  code: string | null;
  created_at: number;
}

export interface Database {
  user_pools: UserPoolsTable;
  user_pool_clients: UserPoolClientsTable;
  users: UsersTable;
  user_index: UserIndexTable;
  user_aliases: UserAliasesTable;
  codes: CodesTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  messages: MessagesTable;
}
