/**
 * The one storage interface. Operations talk to this and nothing else; SQLite and PostgreSQL
 * implement it through the same Kysely code (kysely-store.ts), each with its own dialect.
 */
import type { PoolSettings } from '../domain/pool-settings.js';
import type { ClientSettings } from '../domain/client-settings.js';
import type { ClientSecretEntry } from '../domain/client-secrets.js';
import type { PoolRepo } from './repos/pools.js';
import type { ClientRepo } from './repos/clients.js';
import type { UserRepo } from './repos/users.js';
import type { MessageRepo } from './repos/messages.js';
import type { CodeRepo } from './repos/codes.js';
import type { GroupRepo } from './repos/groups.js';
import type { MetaRepo } from './repos/meta.js';
import type { KeyRepo } from './repos/keys.js';
import type { TokenRepo } from './repos/tokens.js';
import type { SessionRepo } from './repos/sessions.js';
import type { ImportRepo } from './repos/imports.js';
import type { ResourceServerRepo } from './repos/resource-servers.js';
import type { ConfigRepo } from './repos/config.js';
import type { DomainRepo } from './repos/domains.js';
import type { ReadRepo } from './repos/reads.js';
import type { UserMfa } from '../domain/mfa.js';
import type { DeviceRepo } from './repos/devices.js';
import type { CertificateRepo } from './repos/certificates.js';
import type { AuthEventRepo } from './repos/auth-events.js';
import type { IdentityProviderRepo } from './repos/identity-providers.js';
import type { WebAuthnRepo } from './repos/webauthn.js';

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
  /** The current secret (the oldest of `secrets`), null for a public client. */
  secret: string | null;
  /** Every secret the client holds, oldest first: one, or two during a rotation (domain/client-secrets.ts). */
  secrets: ClientSecretEntry[];
  createdAt: number;
  updatedAt: number;
  settings: ClientSettings;
}

export type UserStatus = 'UNCONFIRMED' | 'CONFIRMED' | 'FORCE_CHANGE_PASSWORD' | 'RESET_REQUIRED' | 'EXTERNAL_PROVIDER';

/** Per-user state kept as JSON in users.extra; every member optional, `{}` for most users. */
export interface UserExtra {
  /** Wrong passwords and codes toward the lockout (signin/gate.ts). Epoch milliseconds. */
  signInFailures?: { count: number; lastAt: number; lockedUntil?: number };
  /**
   * New values of attributes that wait for their verification code before they replace the current
   * ones (AttributesRequireVerificationBeforeUpdate; domain/attribute-updates.ts).
   */
  pendingAttributes?: Record<string, string>;
  /**
   * When AdminDisableProviderForUser disabled the user's own (Cognito) sign-in, epoch milliseconds:
   * the password no longer signs the user in; linked providers still do.
   */
  passwordSignInDisabledAt?: number;
  /**
   * The password a seed file last gave the user (src/seed/apply.ts), as a keyed hash (HMAC with the
   * master key, base64url) of its kind and value: the file's password is applied again only when it changed.
   */
  seededPassword?: string;
}

export interface UserRecord {
  poolId: string;
  /** As created (case preserved). Immutable. */
  username: string;
  /** As compared: lower-cased in pools whose usernames are case-insensitive. */
  usernameKey: string;
  sub: string;
  status: UserStatus;
  enabled: boolean;
  /** Attribute name → value, every value a string as Cognito returns them. `sub` is not in here. */
  attributes: Record<string, string>;
  /** argon2id PHC string, or null for users without a password (imported users). */
  passwordHash: string | null;
  passwordUpdatedAt: number | null;
  /** The SRP salt and verifier of the password, sealed with the master key (domain/credentials.ts). */
  srpVerifier: string | null;
  /**
   * The user's MFA settings (domain/mfa.ts): the software token (its secret sealed), the
   * factors enabled and the preferred one, the legacy MFAOptions. `{}` for a user without any.
   */
  mfa: UserMfa;
  /** Per-user state that is not an attribute (users.extra, JSON): the lockout count, pending attribute values. */
  extra: UserExtra;
  createdAt: number;
  updatedAt: number;
}

/**
 * A user without its credentials (password hash, SRP verifier): what the reads that only show a user
 * (AdminGetUser) take from the database. A UserRecord is one.
 */
export type UserProfile = Omit<UserRecord, 'passwordHash' | 'passwordUpdatedAt' | 'srpVerifier'>;

/** A sign-in identifier that must be unique in the pool: `kind` is e.g. `email` or `preferred_username`. */
export interface AliasClaim {
  kind: string;
  valueKey: string;
}

/** ListUsers filter: `attr = "value"` or, with prefix, `attr ^= "value"`. */
export interface UserFilter {
  attr: string;
  value: string;
  prefix: boolean;
}

export interface GroupRecord {
  poolId: string;
  name: string;
  description: string | null;
  roleArn: string | null;
  precedence: number | null;
  createdAt: number;
  updatedAt: number;
}

/** One custom scope of a resource server, as the API names its members. */
export interface ResourceServerScope {
  ScopeName: string;
  ScopeDescription: string;
}

export interface ResourceServerRecord {
  poolId: string;
  /** Unique in the pool, case-sensitive. Scopes are written `<identifier>/<ScopeName>`. */
  identifier: string;
  name: string;
  /** In the order the request gave them; names unique in the server. */
  scopes: ResourceServerScope[];
  createdAt: number;
  updatedAt: number;
}

/** A terms document of an app client (CreateTerms). */
export interface TermsRecord {
  termsId: string;
  poolId: string;
  clientId: string;
  /** terms-of-use or privacy-policy: one of each per client. */
  termsName: string;
  termsSource: string;
  enforcement: string;
  /** Language id (cognito:default, cognito:spanish, ...) to URL. */
  links: Record<string, string>;
  createdAt: number;
  updatedAt: number;
}

/** The UI customization (classic hosted UI) of a pool (clientId 'ALL') or of one client. */
export interface UiCustomizationRecord {
  poolId: string;
  clientId: string;
  css: string | null;
  /** The logo, base64. */
  image: string | null;
  createdAt: number;
  updatedAt: number;
}

/** A managed login branding style of an app client. Settings and assets as the API gives them. */
export interface ManagedLoginBrandingRecord {
  brandingId: string;
  poolId: string;
  clientId: string;
  useCognitoProvidedValues: boolean;
  settings: unknown;
  /** AssetType list, Bytes as base64. */
  assets: { Category: string; ColorMode: string; Extension: string; Bytes?: string; ResourceId?: string }[];
  createdAt: number;
  updatedAt: number;
}

export type DomainKind = 'prefix' | 'custom';

/**
 * A user pool domain. `domain` is the prefix alone for a prefix domain (`myapp`, served as
 * `myapp.auth.<region>.amazoncognito.com`) or the full name of a custom domain
 * (`auth.example.com`); it is unique across the installation and always lower case.
 */
export interface DomainRecord {
  domain: string;
  poolId: string;
  kind: DomainKind;
  /** The ACM certificate ARN of a custom domain; null for a prefix domain. */
  certificateArn: string | null;
  /** 1: hosted UI (classic), 2: managed login. */
  managedLoginVersion: number;
  createdAt: number;
  updatedAt: number;
}

export type IdentityProviderType = 'OIDC' | 'SAML' | 'Google' | 'Facebook' | 'SignInWithApple' | 'LoginWithAmazon';

/**
 * An identity provider of a pool. `details` holds ProviderDetails as given (client_secret and
 * private_key sealed with the master key; domain/identity-providers.ts opens them).
 */
export interface IdentityProviderRecord {
  poolId: string;
  name: string;
  type: IdentityProviderType;
  details: Record<string, string>;
  /** User pool attribute -> provider attribute. */
  attributeMapping: Record<string, string>;
  idpIdentifiers: string[];
  createdAt: number;
  updatedAt: number;
}

/** A provider's user linked to a native user (AdminLinkProviderForUser). */
export interface FederationLinkRecord {
  poolId: string;
  providerName: string;
  /** Cognito_Subject (the provider's sub / NameID), or a SAML attribute name. */
  attributeName: string;
  attributeValue: string;
  /** The native user's username key. */
  usernameKey: string;
  createdAt: number;
}

export interface MessageRecord {
  id: string;
  poolId: string;
  username: string;
  medium: 'EMAIL' | 'SMS';
  destination: string;
  /** What the message is for: SIGN_UP, FORGOT_PASSWORD, VERIFY_ATTRIBUTE, INVITATION, ... */
  kind: string;
  subject: string | null;
  body: string;
  /** The code or temporary password the message carries, so tests can read it. */
  code: string | null;
  createdAt: number;
}

/** What the database connections are doing now. */
export interface DbStats {
  /** PostgreSQL: the pool's connections open, idle, and the queries waiting for one. */
  total?: number;
  idle?: number;
  waiting?: number;
  /** Reads queued for the next batch (store/prepared.ts). */
  queuedReads: number;
}

export interface Store {
  readonly kind: 'sqlite' | 'postgres';
  /**
   * Runs fn in one transaction: all of its writes land, or none do. Inside fn, use only the store
   * handed to it, and do no other slow I/O (SQLite serialises transactions on one connection).
   * Reads that will be written back take `forUpdate` (PostgreSQL row lock).
   */
  transaction<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /**
   * SQLite only (absent on PostgreSQL and inside a transaction): a transaction for a user import's
   * bulk writes, on a connection of its own, that may stay open across turns of the event loop.
   * Meanwhile the hot reads (store/prepared.ts) go on answering on the main connection from what is
   * committed (WAL), and everything else on the main connection (writes, transactions, other reads)
   * waits for it to commit, as it waits for a transaction. Same contract as `transaction` otherwise.
   */
  importTransaction?<T>(fn: (tx: Store) => Promise<T>): Promise<T>;
  /** SQLite, during an import transaction: true when other uses of the main connection wait for it to end. */
  importWaited?(): boolean;
  ping(): Promise<void>;
  close(): Promise<void>;
  /** The connections' state, for the metrics (src/metrics.ts); undefined inside a transaction. */
  dbStats?(): DbStats;

  readonly pools: PoolRepo;
  readonly clients: ClientRepo;
  readonly users: UserRepo;
  readonly messages: MessageRepo;
  readonly codes: CodeRepo;
  readonly groups: GroupRepo;
  readonly meta: MetaRepo;
  readonly keys: KeyRepo;
  readonly tokens: TokenRepo;
  readonly sessions: SessionRepo;
  readonly imports: ImportRepo;
  readonly resourceServers: ResourceServerRepo;
  readonly domains: DomainRepo;
  readonly devices: DeviceRepo;
  readonly certificates: CertificateRepo;
  /** Auth events and risk configurations (advanced security). */
  readonly authEvents: AuthEventRepo;
  /** Identity providers and the provider users linked to native users (federation). */
  readonly identityProviders: IdentityProviderRepo;
  /** Passkeys (WebAuthn credentials) of users. */
  readonly webauthn: WebAuthnRepo;
  /** Terms, log delivery, UI customization and managed login branding (repos/config.ts). */
  readonly config: ConfigRepo;
  /** The hot reads as prepared statements: one statement each (repos/reads.ts). */
  readonly reads: ReadRepo;
}
