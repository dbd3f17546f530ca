/**
 * Configuration: every setting, its default, and where it comes from.
 * Precedence: command-line flag > environment variable > default.
 */
import path from 'node:path';

export interface Config {
  /** Interface to listen on. */
  host: string;
  /** TCP port; 0 picks a free one (tests). */
  port: number;
  /** Directory for the embedded SQLite database (and later uploads). */
  dataDir: string;
  /** postgres://... to use PostgreSQL instead of SQLite. */
  databaseUrl: string | undefined;
  /** PostgreSQL schema to use (tests isolate runs with one schema each). */
  databaseSchema: string | undefined;
  /** Region used when a request names none (unsigned requests that create things). */
  region: string;
  /** AWS account id shown in ARNs. */
  accountId: string;
  /** Public base URL of this server (used in issuers and links); defaults to http://host:port. */
  publicUrl: string | undefined;
  /** One JSON log line per request on stdout. */
  logRequests: boolean;
  /** Largest accepted JSON request body, in bytes. */
  maxBodyBytes: number;
  /** Print every delivered message (code included) on stderr: a development convenience. */
  consoleMessages: boolean;
  /** Serve the outbox at GET /_incognito/messages (codes included). */
  messagesEndpoint: boolean;
  /** Serve GET /metrics (Prometheus text format; src/metrics.ts). */
  metrics: boolean;
  /** Serve the web console at /_incognito/console (src/console). */
  console: boolean;
  /** SMTP server for EMAIL messages; unset = no email is sent (outbox and console only). */
  smtpHost: string | undefined;
  smtpPort: number;
  /** Implicit TLS from the first byte (port 465 usually); otherwise STARTTLS when offered. */
  smtpSecure: boolean;
  smtpUser: string | undefined;
  smtpPassword: string | undefined;
  /** The From address of every email. */
  smtpFrom: string;
  /**
   * The `iss` of the tokens: `url` = the public URL + `/<poolId>` (what OIDC libraries expect, as
   * the discovery document is served there); `cognito` = `https://cognito-idp.<region>.amazonaws.com/<poolId>`
   * (what aws-jwt-verify's CognitoJwtVerifier accepts).
   */
  issuer: 'url' | 'cognito';
  /** The master key (base64 of 32 bytes) that encrypts signing keys and SRP verifiers at rest. */
  masterKey: string | undefined;
  /** File holding the master key; default `<data-dir>/master.key`, created on first start. */
  masterKeyFile: string | undefined;
  /** PEM certificate and key files: with both, an HTTPS listener also serves everything on httpsPort. */
  tlsCert: string | undefined;
  tlsKey: string | undefined;
  /** TCP port of the HTTPS listener (0 = any free port). */
  httpsPort: number;
  /** Directory of Lambda trigger handler files: the function `<name>` is `<dir>/<name>.mjs|.js|.cjs`. */
  lambdaDir: string | undefined;
  /** Lambda Invoke API endpoint for functions not in lambdaDir (`aws`: AWS itself, standard credentials). */
  lambdaEndpoint: string | undefined;
  /** One access key with full access to the admin API (with secretAccessKey); see src/iam. */
  accessKeyId: string | undefined;
  secretAccessKey: string | undefined;
  /** JSON file of access keys, each with a name and an optional IAM policy. */
  credentialsFile: string | undefined;
  /** Listen on a non-loopback address without credentials (the admin API open to the network). */
  insecureAdmin: boolean;
  /** Host names besides IP addresses, localhost, --host and --public-url's that admin requests may be addressed to without keys (src/iam/hosts.ts). */
  adminHosts: string | undefined;
  /** Request quotas: 'off', or 'cognito' (Cognito's default rates per operation category, per node; src/quotas.ts). */
  quotas: 'off' | 'cognito';
  /**
   * Base URLs that stand in for the social providers' own hosts (tests, machines without Internet):
   * `Google=http://127.0.0.1:4000,Facebook=...`. Each of the provider's URLs keeps its path on the new base.
   */
  federationEndpoints: string | undefined;
  /**
   * Seed files (or directories of *.json / *.yaml / *.yml, in name order) applied at start-up,
   * before the first request (src/seed). --seed is repeatable; INCOGNITO_SEED separates paths with
   * the platform's path separator (`:`; `;` on Windows). Flags replace the environment's list.
   */
  seed: string[];
}

export const defaults: Config = {
  host: '127.0.0.1',
  port: 9229,
  dataDir: './data',
  databaseUrl: undefined,
  databaseSchema: undefined,
  region: 'us-east-1',
  accountId: '123456789012',
  publicUrl: undefined,
  logRequests: true,
  maxBodyBytes: 1024 * 1024,
  consoleMessages: true,
  messagesEndpoint: true,
  metrics: true,
  console: true,
  smtpHost: undefined,
  smtpPort: 587,
  smtpSecure: false,
  smtpUser: undefined,
  smtpPassword: undefined,
  smtpFrom: 'no-reply@incognito.local',
  issuer: 'url',
  masterKey: undefined,
  masterKeyFile: undefined,
  tlsCert: undefined,
  tlsKey: undefined,
  httpsPort: 9443,
  lambdaDir: undefined,
  lambdaEndpoint: undefined,
  accessKeyId: undefined,
  secretAccessKey: undefined,
  credentialsFile: undefined,
  insecureAdmin: false,
  adminHosts: undefined,
  quotas: 'off',
  federationEndpoints: undefined,
  seed: [],
};

interface Setting {
  key: keyof Config;
  flag: string;
  env: string;
  help: string;
  kind: 'string' | 'int' | 'bool' | 'list';
}

export const settings: Setting[] = [
  { key: 'host', flag: '--host', env: 'INCOGNITO_HOST', kind: 'string', help: 'interface to listen on' },
  { key: 'port', flag: '--port', env: 'INCOGNITO_PORT', kind: 'int', help: 'TCP port (0 = any free port)' },
  { key: 'dataDir', flag: '--data-dir', env: 'INCOGNITO_DATA_DIR', kind: 'string', help: 'directory of the SQLite database' },
  { key: 'databaseUrl', flag: '--database-url', env: 'DATABASE_URL', kind: 'string', help: 'postgres://user@host:port/db to use PostgreSQL instead of SQLite' },
  { key: 'databaseSchema', flag: '--database-schema', env: 'INCOGNITO_DATABASE_SCHEMA', kind: 'string', help: 'PostgreSQL schema (default: the search_path of the connection)' },
  { key: 'region', flag: '--region', env: 'INCOGNITO_REGION', kind: 'string', help: 'region for requests that name none' },
  { key: 'accountId', flag: '--account-id', env: 'INCOGNITO_ACCOUNT_ID', kind: 'string', help: 'AWS account id used in ARNs' },
  { key: 'publicUrl', flag: '--public-url', env: 'INCOGNITO_PUBLIC_URL', kind: 'string', help: 'public base URL (default http://HOST:PORT)' },
  { key: 'logRequests', flag: '--log-requests', env: 'INCOGNITO_LOG_REQUESTS', kind: 'bool', help: 'one JSON log line per request (true|false)' },
  { key: 'maxBodyBytes', flag: '--max-body-bytes', env: 'INCOGNITO_MAX_BODY_BYTES', kind: 'int', help: 'largest accepted request body' },
  { key: 'consoleMessages', flag: '--console-messages', env: 'INCOGNITO_CONSOLE_MESSAGES', kind: 'bool', help: 'print each message, code included, on stderr (development)' },
  { key: 'messagesEndpoint', flag: '--messages-endpoint', env: 'INCOGNITO_MESSAGES_ENDPOINT', kind: 'bool', help: 'serve the outbox, codes included, at GET /_incognito/messages' },
  { key: 'metrics', flag: '--metrics', env: 'INCOGNITO_METRICS', kind: 'bool', help: 'serve Prometheus metrics at GET /metrics (behind the access keys when they are configured)' },
  { key: 'console', flag: '--console', env: 'INCOGNITO_CONSOLE', kind: 'bool', help: 'serve the web console at /_incognito/console (behind the access keys when they are configured)' },
  { key: 'smtpHost', flag: '--smtp-host', env: 'INCOGNITO_SMTP_HOST', kind: 'string', help: 'SMTP server for EMAIL messages (unset: no email is sent)' },
  { key: 'smtpPort', flag: '--smtp-port', env: 'INCOGNITO_SMTP_PORT', kind: 'int', help: 'SMTP port' },
  { key: 'smtpSecure', flag: '--smtp-secure', env: 'INCOGNITO_SMTP_SECURE', kind: 'bool', help: 'implicit TLS (usually port 465); false: STARTTLS when offered' },
  { key: 'smtpUser', flag: '--smtp-user', env: 'INCOGNITO_SMTP_USER', kind: 'string', help: 'SMTP user name (unset: no authentication)' },
  { key: 'smtpPassword', flag: '--smtp-password', env: 'INCOGNITO_SMTP_PASSWORD', kind: 'string', help: 'SMTP password (prefer the environment variable)' },
  { key: 'smtpFrom', flag: '--smtp-from', env: 'INCOGNITO_SMTP_FROM', kind: 'string', help: 'From address of the emails' },
  { key: 'issuer', flag: '--issuer', env: 'INCOGNITO_ISSUER', kind: 'string', help: "token issuer: 'url' (PUBLIC_URL/<poolId>) or 'cognito' (https://cognito-idp.<region>.amazonaws.com/<poolId>)" },
  { key: 'masterKey', flag: '--master-key', env: 'INCOGNITO_MASTER_KEY', kind: 'string', help: 'base64 of 32 random bytes: encrypts signing keys and SRP verifiers (prefer the environment variable)' },
  { key: 'tlsCert', flag: '--tls-cert', env: 'INCOGNITO_TLS_CERT', kind: 'string', help: 'PEM certificate file: with --tls-key, also serve HTTPS on --https-port (make a local pair with: incognito cert)' },
  { key: 'tlsKey', flag: '--tls-key', env: 'INCOGNITO_TLS_KEY', kind: 'string', help: 'PEM private key file of --tls-cert' },
  { key: 'httpsPort', flag: '--https-port', env: 'INCOGNITO_HTTPS_PORT', kind: 'int', help: 'TCP port of the HTTPS listener (0 = any free port)' },
  { key: 'lambdaDir', flag: '--lambda-dir', env: 'INCOGNITO_LAMBDA_DIR', kind: 'string', help: 'directory of Lambda trigger handler files (DIR/<function name>.mjs|.js|.cjs)' },
  { key: 'lambdaEndpoint', flag: '--lambda-endpoint', env: 'INCOGNITO_LAMBDA_ENDPOINT', kind: 'string', help: "Lambda Invoke API endpoint for triggers not in --lambda-dir ('aws': AWS itself)" },
  { key: 'accessKeyId', flag: '--access-key-id', env: 'INCOGNITO_ACCESS_KEY_ID', kind: 'string', help: 'access key id of one key with full access: admin operations then need a SigV4 signature (with --secret-access-key)' },
  { key: 'secretAccessKey', flag: '--secret-access-key', env: 'INCOGNITO_SECRET_ACCESS_KEY', kind: 'string', help: 'secret access key of --access-key-id (prefer the environment variable)' },
  { key: 'credentialsFile', flag: '--credentials-file', env: 'INCOGNITO_CREDENTIALS_FILE', kind: 'string', help: 'JSON file of access keys: [{"accessKeyId", "secretAccessKey", "name", "policy"}] (policy: an IAM policy document; none = full access)' },
  { key: 'insecureAdmin', flag: '--insecure-admin', env: 'INCOGNITO_INSECURE_ADMIN', kind: 'bool', help: 'allow a non-loopback --host with no access keys (anyone who reaches the port can call the admin API)' },
  { key: 'adminHosts', flag: '--admin-hosts', env: 'INCOGNITO_ADMIN_HOSTS', kind: 'string', help: 'with no access keys: more host names (comma-separated) the admin endpoints and operations answer, besides IP addresses, localhost, --host and --public-url (DNS rebinding)' },
  { key: 'quotas', flag: '--quotas', env: 'INCOGNITO_QUOTAS', kind: 'string', help: "request quotas: 'off' (default) or 'cognito' (Cognito's default rates per operation category, TooManyRequestsException; each node counts alone)" },
  { key: 'federationEndpoints', flag: '--federation-endpoints', env: 'INCOGNITO_FEDERATION_ENDPOINTS', kind: 'string', help: "stand-in base URLs of social identity providers: 'Google=http://127.0.0.1:4000,Facebook=...' (tests; each URL keeps its path)" },
  { key: 'seed', flag: '--seed', env: 'INCOGNITO_SEED', kind: 'list', help: `seed file or directory (JSON or YAML) applied at start-up; repeatable (environment: paths separated by '${path.delimiter}')` },
  { key: 'masterKeyFile', flag: '--master-key-file', env: 'INCOGNITO_MASTER_KEY_FILE', kind: 'string', help: 'file holding the master key (default DATA_DIR/master.key, created on first start)' },
];

export class ConfigError extends Error {}

const SOCIAL = ['Google', 'Facebook', 'SignInWithApple', 'LoginWithAmazon'];

/** `Google=http://...,Facebook=http://...` as a map; ConfigError for anything else. */
export function parseFederationEndpoints(text: string): Map<string, string> {
  const out = new Map<string, string>();
  for (const part of text.split(',').map((p) => p.trim()).filter(Boolean)) {
    const eq = part.indexOf('=');
    const name = eq > 0 ? part.slice(0, eq) : '';
    const url = part.slice(eq + 1).replace(/\/+$/, '');
    if (!SOCIAL.includes(name) || !/^https?:\/\/[^/]+/.test(url)) {
      throw new ConfigError(`--federation-endpoints takes PROVIDER=URL pairs separated by commas, PROVIDER one of ${SOCIAL.join(', ')}; got '${part}'`);
    }
    out.set(name, url);
  }
  return out;
}

function parseValue(s: Setting, raw: string): unknown {
  if (s.kind === 'list') return raw.split(path.delimiter).filter(Boolean);
  if (s.kind === 'int') {
    if (!/^\d+$/.test(raw)) throw new ConfigError(`${s.flag} / ${s.env} must be a whole number, got '${raw}'`);
    return Number(raw);
  }
  if (s.kind === 'bool') {
    if (!/^(true|false|1|0)$/i.test(raw)) throw new ConfigError(`${s.flag} / ${s.env} must be true or false, got '${raw}'`);
    return /^(true|1)$/i.test(raw);
  }
  return raw;
}

/** Builds the configuration from argv and the environment. */
export function loadConfig(argv: string[], env: NodeJS.ProcessEnv): Config {
  const cfg: Record<string, unknown> = { ...defaults };
  for (const s of settings) {
    const v = env[s.env];
    if (v !== undefined && v !== '') cfg[s.key] = parseValue(s, v);
  }
  // A list flag given on the command line replaces the environment's list; each use adds one.
  const listsFromFlags = new Set<string>();
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    const eq = arg.indexOf('=');
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const s = settings.find((x) => x.flag === name);
    if (!s) throw new ConfigError(`unknown option '${arg}' (see --help)`);
    // A boolean flag alone (`--insecure-admin`, followed by nothing or by another flag) means true.
    const next = argv[i + 1];
    if (eq < 0 && s.kind === 'bool' && (next === undefined || next.startsWith('--'))) {
      cfg[s.key] = true;
      continue;
    }
    let value: string | undefined = eq > 0 ? arg.slice(eq + 1) : argv[++i];
    if (value === undefined) throw new ConfigError(`${s.flag} needs a value`);
    if (s.kind === 'list') {
      if (!listsFromFlags.has(s.key)) cfg[s.key] = [];
      listsFromFlags.add(s.key);
      (cfg[s.key] as string[]).push(value);
      continue;
    }
    cfg[s.key] = parseValue(s, value);
  }
  const c = cfg as unknown as Config;
  if (c.port > 65535) throw new ConfigError(`--port must be at most 65535`);
  if (c.httpsPort > 65535) throw new ConfigError(`--https-port must be at most 65535`);
  if ((c.tlsCert === undefined) !== (c.tlsKey === undefined)) throw new ConfigError(`--tls-cert and --tls-key go together`);
  if (c.smtpPort < 1 || c.smtpPort > 65535) throw new ConfigError(`--smtp-port must be from 1 to 65535`);
  if (c.smtpPassword !== undefined && c.smtpUser === undefined) throw new ConfigError(`--smtp-password needs --smtp-user`);
  if (c.databaseUrl && !/^postgres(ql)?:\/\//.test(c.databaseUrl)) {
    throw new ConfigError(`--database-url must start with postgres:// (SQLite is used when it is not set)`);
  }
  if (!/^\d{12}$/.test(c.accountId)) throw new ConfigError(`--account-id must be 12 digits`);
  if (!/^[a-z]{2}(-gov)?-[a-z]+-\d$/.test(c.region)) throw new ConfigError(`--region must look like an AWS region (e.g. us-east-1)`);
  if (c.issuer !== 'url' && c.issuer !== 'cognito') throw new ConfigError(`--issuer must be 'url' or 'cognito'`);
  if (c.quotas !== 'off' && c.quotas !== 'cognito') throw new ConfigError(`--quotas must be 'off' or 'cognito'`);
  if (c.masterKey !== undefined && Buffer.from(c.masterKey, 'base64').length !== 32) {
    throw new ConfigError(`--master-key / INCOGNITO_MASTER_KEY must be base64 of 32 bytes (make one with: openssl rand -base64 32)`);
  }
  if (c.lambdaEndpoint !== undefined && c.lambdaEndpoint !== 'aws' && !/^https?:\/\//.test(c.lambdaEndpoint)) {
    throw new ConfigError(`--lambda-endpoint must be an http(s):// URL or 'aws'`);
  }
  if (c.federationEndpoints !== undefined) parseFederationEndpoints(c.federationEndpoints);
  if ((c.accessKeyId === undefined) !== (c.secretAccessKey === undefined)) {
    throw new ConfigError(`INCOGNITO_ACCESS_KEY_ID and INCOGNITO_SECRET_ACCESS_KEY (--access-key-id, --secret-access-key) go together`);
  }
  c.dataDir = path.resolve(c.dataDir);
  if (c.credentialsFile !== undefined) c.credentialsFile = path.resolve(c.credentialsFile);
  if (c.lambdaDir !== undefined) c.lambdaDir = path.resolve(c.lambdaDir);
  return c;
}

export function helpText(): string {
  const lines = [
    'incognito: a self-hostable identity provider, wire-compatible with Amazon Cognito User Pools',
    '',
    'usage: incognito [options]',
    '       incognito cert [--out DIR] [--host NAME ...]   write a self-signed cert.pem and key.pem for local HTTPS (DIR: ./data/tls)',
    '       incognito export [--pool ID] [--with-secrets] [--format yaml|json] [--out FILE] [store options]',
    '                                   write the pools as a seed file (stdout by default); store options as the server\'s (--data-dir, --database-url, ...)',
    '',
    'options (each also settable by the environment variable shown):',
  ];
  const envWidth = Math.max(...settings.map((s) => s.env.length));
  for (const s of settings) {
    const d = defaults[s.key];
    if (Array.isArray(d)) {
      lines.push(`  ${(s.flag + ' <path>').padEnd(28)} ${s.env.padEnd(envWidth)} ${s.help}`);
      continue;
    }
    lines.push(`  ${(s.flag + ' <' + s.kind + '>').padEnd(28)} ${s.env.padEnd(envWidth)} ${s.help}${d !== undefined ? ` (default: ${d})` : ''}`);
  }
  lines.push('  --help                       show this text');
  return lines.join('\n');
}
