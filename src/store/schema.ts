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
  /** JSON [{id, value, createdAt}] of every secret, oldest first; null: the one `secret` (0011). */
  secrets: string | null;
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
  /** Sealed SRP salt and verifier (null: no password, or set before SRP existed). */
  srp_verifier: string | null;
  /** JSON of the user's MFA settings (UserMfa), null when the user has none (most users). */
  mfa: string | null;
  /**
   * Copies of the attributes ListUsers filters on (null when absent or empty), each indexed with
   * username_key for the filter's order. Written with the attributes, never read back as the user.
   */
  email: string | null;
  phone_number: string | null;
  name: string | null;
  given_name: string | null;
  family_name: string | null;
  preferred_username: string | null;
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

export interface MetaTable {
  key: string;
  value: string;
}

export interface SigningKeysTable {
  pool_id: string;
  use: string;
  kid: string;
  public_jwk: string;
  /** Sealed PKCS#8 DER, base64. */
  private_key: string;
  created_at: number;
}

export interface TokenFamiliesTable {
  origin_jti: string;
  pool_id: string;
  client_id: string;
  username_key: string;
  /** Epoch seconds of the authentication that began the family. */
  auth_time: number;
  created_at: number;
  expires_at: number;
  revoked_at: number | null;
  /** The scopes a hosted (OAuth) sign-in granted, space-separated; null for the API flows' sign-ins. */
  scopes: string | null;
  /** The remembered-device key the sign-in was bound to (device tracking), else null. */
  device_key: string | null;
}

export interface DevicesTable {
  pool_id: string;
  username_key: string;
  device_key: string;
  group_key: string;
  /** Sealed JSON {salt, verifier} (hex) of the device's SRP secret; null until ConfirmDevice. */
  verifier: string | null;
  status: string | null;
  name: string | null;
  created_at: number;
  updated_at: number;
  last_authenticated_at: number | null;
}

export interface RefreshTokensTable {
  token_hash: string;
  origin_jti: string;
  created_at: number;
  expires_at: number;
  /** When rotation replaced this token (it stays usable for the grace period). */
  replaced_at: number | null;
}

export interface AuthSessionsTable {
  id: string;
  pool_id: string;
  client_id: string;
  state: string;
  expires_at: number;
  /** An authorization code's user (migration 0016); null for every other session. */
  username_key: string | null;
}

export interface ImportJobsTable {
  job_id: string;
  pool_id: string;
  job_name: string;
  role_arn: string;
  status: string;
  created_at: number;
  started_at: number | null;
  completed_at: number | null;
  imported: number;
  skipped: number;
  failed: number;
  completion_message: string | null;
  upload_bytes: number | null;
  lines_done: number;
  runner: string | null;
  lease_until: number | null;
}

export interface ImportFilesTable {
  job_id: string;
  seq: number;
  data: Buffer;
}

export interface ImportLogTable {
  job_id: string;
  line: number;
  message: string;
}

export interface ResourceServersTable {
  pool_id: string;
  identifier: string;
  name: string;
  /** JSON array of {ScopeName, ScopeDescription}, in the order given. */
  scopes: string;
  created_at: number;
  updated_at: number;
}

export interface UserPoolDomainsTable {
  /** The prefix (`myapp`) or the custom domain name (`auth.example.com`), as given (lower case). */
  domain: string;
  pool_id: string;
  /** 'prefix' or 'custom'. */
  kind: string;
  /** The ACM certificate of a custom domain (null for a prefix). */
  certificate_arn: string | null;
  managed_login_version: number;
  created_at: number;
  updated_at: number;
}

/** Log lines of rows committed ahead of the lines before them (JSON [[line, message], ...]), one row a batch. */
export interface ImportPendingTable {
  job_id: string;
  /** The batch's first line. */
  line: number;
  lines: string;
}

export interface PoolCertificatesTable {
  pool_id: string;
  /** PEM. */
  certificate: string;
  /** Sealed PKCS#8 PEM. */
  private_key: string;
  created_at: number;
}

export interface AuthEventsTable {
  pool_id: string;
  username_key: string;
  event_id: string;
  created_at: number;
  /** JSON of the AuthEvent (store/repos/auth-events.ts), without its feedback. */
  event: string;
  /** JSON {value, provider, at}, null until feedback is given. */
  feedback: string | null;
}

export interface RiskConfigurationsTable {
  pool_id: string;
  /** '' for the pool's own configuration. */
  client_id: string;
  config: string;
  updated_at: number;
}

/** One identity provider of a pool (CreateIdentityProvider; 0012 federation). */
export interface IdentityProvidersTable {
  pool_id: string;
  /** ProviderName, unique in the pool (case-sensitive). */
  name: string;
  /** ProviderType: OIDC, SAML, Google, Facebook, SignInWithApple, LoginWithAmazon. */
  type: string;
  /** JSON of ProviderDetails as given (secrets sealed: domain/identity-providers.ts). */
  details: string;
  /** JSON of AttributeMapping (user pool attribute -> provider attribute). */
  attribute_mapping: string;
  /** JSON array of IdpIdentifiers (each unique in the pool, case-insensitive). */
  idp_identifiers: string;
  created_at: number;
  updated_at: number;
}

/** A provider's user linked to a native user (AdminLinkProviderForUser; 0012 federation). */
export interface FederationLinksTable {
  pool_id: string;
  provider_name: string;
  /** The attribute the provider's user is matched on (Cognito_Subject, or a SAML attribute). */
  attribute_name: string;
  attribute_value: string;
  /** The native (destination) user's username key. */
  username_key: string;
  created_at: number;
}

export interface TermsTable {
  terms_id: string;
  pool_id: string;
  client_id: string;
  terms_name: string;
  terms_source: string;
  enforcement: string;
  links: string;
  created_at: number;
  updated_at: number;
}

export interface LogDeliveryConfigurationsTable {
  pool_id: string;
  config: string;
  updated_at: number;
}

export interface UiCustomizationsTable {
  pool_id: string;
  /** 'ALL' for the pool's own. */
  client_id: string;
  css: string | null;
  image: string | null;
  created_at: number;
  updated_at: number;
}

export interface ManagedLoginBrandingsTable {
  branding_id: string;
  pool_id: string;
  client_id: string;
  use_cognito_provided_values: number;
  settings: string | null;
  assets: string;
  created_at: number;
  updated_at: number;
}

/** A passkey of a user (CompleteWebAuthnRegistration; 0014). */
export interface WebauthnCredentialsTable {
  pool_id: string;
  username_key: string;
  /** base64url credential ID. */
  credential_id: string;
  /** base64url COSE public key. */
  public_key: string;
  /** The last signature counter accepted (0: the authenticator keeps none). */
  sign_count: number;
  /** JSON array of AuthenticatorTransport names. */
  transports: string;
  friendly_name: string;
  /** 'platform' | 'cross-platform', when the browser said. */
  attachment: string | null;
  rp_id: string;
  /** 1 when the registration verified the user. */
  user_verified: number;
  created_at: number;
  last_used_at: number | null;
}

export interface Database {
  user_pools: UserPoolsTable;
  user_pool_clients: UserPoolClientsTable;
  users: UsersTable;
  user_aliases: UserAliasesTable;
  codes: CodesTable;
  groups: GroupsTable;
  group_members: GroupMembersTable;
  messages: MessagesTable;
  meta: MetaTable;
  signing_keys: SigningKeysTable;
  token_families: TokenFamiliesTable;
  refresh_tokens: RefreshTokensTable;
  auth_sessions: AuthSessionsTable;
  import_jobs: ImportJobsTable;
  import_files: ImportFilesTable;
  import_log: ImportLogTable;
  resource_servers: ResourceServersTable;
  user_pool_domains: UserPoolDomainsTable;
  import_pending: ImportPendingTable;
  devices: DevicesTable;
  pool_certificates: PoolCertificatesTable;
  auth_events: AuthEventsTable;
  risk_configurations: RiskConfigurationsTable;
  identity_providers: IdentityProvidersTable;
  federation_links: FederationLinksTable;
  terms: TermsTable;
  log_delivery_configurations: LogDeliveryConfigurationsTable;
  ui_customizations: UiCustomizationsTable;
  managed_login_brandings: ManagedLoginBrandingsTable;
  webauthn_credentials: WebauthnCredentialsTable;
}
