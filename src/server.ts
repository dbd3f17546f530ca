/**
 * The HTTP server: plain node:http (the fastest option measured here), routing a handful of paths.
 *   POST /          the Cognito JSON 1.1 API (protocol/dispatch.ts)
 *   OPTIONS *       CORS preflight, so browser SDKs work
 *   GET /health     for load balancers: 200 when the database answers
 *   GET /_incognito/messages   the outbox: messages incognito "sent" (delivery/http.ts)
 *   GET /_incognito/imports/<jobId>/log   an import job's log (imports/http.ts)
 *   GET /metrics    Prometheus metrics (metrics.ts), unless --metrics false
 *   GET|POST /_incognito/console/...   the web console (console/index.ts), unless --console false
 *     (with access keys configured, these four need one: HTTP Basic or SigV4, and the key's policy; src/iam)
 *   /oauth2/*, /login, /logout, ...  the hosted OAuth2/OIDC endpoints and pages (oauth/router.ts)
 *   GET /<poolId>/.well-known/*      JWKS and discovery (oauth/well-known.ts)
 *   GET /confirmUser   the sign-up confirmation link of CONFIRM_WITH_LINK pools (oauth/confirm-user.ts)
 */
import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import { createSecureContext } from 'node:tls';
import type { Config } from './config.js';
import { openStore } from './store/index.js';
import type { Store } from './store/types.js';
import { apiContentType, handleApi } from './protocol/dispatch.js';
import { createDelivery } from './delivery/index.js';
import { sendersSettled } from './triggers/senders.js';
import type { Delivery } from './delivery/types.js';
import { listMessages, MESSAGES_PATH } from './delivery/http.js';
import { log, logError } from './log.js';
import { checkMasterKey, loadMasterKey, Secrets } from './domain/secrets.js';
import { SigningKeys } from './domain/keys.js';
import { wellKnown } from './oauth/well-known.js';
import { handleHosted, isHostedPath } from './oauth/router.js';
import { confirmUser, CONFIRM_USER_PATH, PAGE_HEADERS } from './oauth/confirm-user.js';
import { DEFAULT_RUNNER_OPTIONS, ImportRunner, type RunnerOptions } from './imports/runner.js';
import { handleUpload, UPLOAD_PATH } from './imports/upload.js';
import { importLog, IMPORT_LOG_PATH } from './imports/http.js';
import { BodyTooLarge, readBody } from './body.js';
import { StartupError } from './startup-error.js';
import { loadKeys, type KeyRing } from './iam/keys.js';
import { authorizeAdmin, type AdminAuth } from './iam/access.js';
import { poolArn, regionOfPoolId } from './domain/ids.js';
import { Quotas } from './quotas.js';
import { Metrics } from './metrics.js';
import { handleConsole, isConsolePath } from './console/index.js';
import { applySeeds } from './seed/index.js';
import { adminHostNames } from './iam/hosts.js';

const CORS_HEADERS = {
  'Access-Control-Allow-Origin': '*',
  'Access-Control-Expose-Headers': 'x-amzn-RequestId,x-amzn-ErrorType,x-amzn-ErrorMessage,Date',
};
const PREFLIGHT_ALLOW_HEADERS =
  'content-type,x-amz-target,x-amz-user-agent,cache-control,authorization,x-amz-date,x-amz-security-token,x-amz-content-sha256,amz-sdk-invocation-id,amz-sdk-request';

export interface RunningServer {
  url: string;
  /** The HTTPS listener's URL, when one is configured. */
  httpsUrl?: string;
  port: number;
  store: Store;
  delivery: Delivery;
  /** The pools' signing keys (tests sign tokens of their own with them). */
  keys: SigningKeys;
  /** The names of the configured access keys; empty when none is (the admin API is open). */
  accessKeyNames: string[];
  close(): Promise<void>;
}

/**
 * A listener could not take its address: the port is in use (EADDRINUSE), not allowed (EACCES) or
 * the host is not an address of this machine (EADDRNOTAVAIL). The message says which address and
 * which setting picks another.
 */
export class ListenError extends StartupError {
  constructor(
    readonly code: string,
    /** `host:port`, as the URL would show it. */
    readonly address: string,
    readonly port: number,
    /** The setting that chose the port: `--port`, or `--https-port` for the HTTPS listener. */
    readonly flag: '--port' | '--https-port',
  ) {
    const env = flag === '--port' ? 'INCOGNITO_PORT' : 'INCOGNITO_HTTPS_PORT';
    const other = port > 0 && port < 65535 ? port + 1 : 0;
    super(
      code === 'EADDRINUSE'
        ? `cannot listen on ${address}: the address is already in use (another incognito, or another program, is listening there). ` +
            `Stop that process (Ctrl-C, or kill <pid>), or choose another port with ${flag} or ${env}, for example: npm start -- ${flag} ${other}`
        : code === 'EACCES'
          ? `cannot listen on ${address}: permission denied (ports below 1024 need privileges). Choose another port with ${flag} or ${env}.`
          : `cannot listen on ${address}: the host is not an address of this machine. Choose another with --host or INCOGNITO_HOST.`,
    );
  }
}

/** Where the metrics are served (Prometheus's default path). */
export const METRICS_PATH = '/metrics';
/** The console's route in the metrics (its paths hold pool ids and usernames). */
const CONSOLE_ROUTE = '/_incognito/console/*';
/** The import log's route in the metrics (its path holds the job id). */
const IMPORT_LOG_ROUTE = 'GET /_incognito/imports/{jobId}/log';

const LISTEN_ERRORS = new Set(['EADDRINUSE', 'EACCES', 'EADDRNOTAVAIL']);

/** Whether `host` is a loopback address (only this machine can reach it). */
export function isLoopback(host: string): boolean {
  const h = host.toLowerCase().replace(/^\[|\]$/g, '');
  return h === 'localhost' || h === '::1' || /^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h) || /^::ffff:127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h);
}

/**
 * With no access key configured, anyone who reaches the port may call the admin API and read the
 * outbox: fine on this machine (development), not on an address others reach, unless asked for.
 */
export class OpenAdminError extends StartupError {
  constructor(host: string) {
    super(
      `refusing to listen on ${host}: no access keys are configured, so anyone who can reach this address could call the admin API ` +
        `(AdminCreateUser, ListUsers, DeleteUserPool, ...), read /_incognito/messages and use the web console. Configure keys with INCOGNITO_ACCESS_KEY_ID and ` +
        `INCOGNITO_SECRET_ACCESS_KEY, or --credentials-file FILE (see "Running in production" in the README), or add --insecure-admin ` +
        `to listen there without them (development only).`,
    );
  }
}

/**
 * The HTTPS listener's certificate and key (--tls-cert, --tls-key), read and checked before the
 * database is opened: a file that cannot be read, or that is not a PEM certificate and its key, is
 * a StartupError naming the setting.
 */
function readTlsFiles(config: Pick<Config, 'tlsCert' | 'tlsKey'>): { cert: Buffer; key: Buffer } | undefined {
  if (config.tlsCert === undefined || config.tlsKey === undefined) return undefined;
  const read = (file: string, flag: string): Buffer => {
    try {
      return fs.readFileSync(file);
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      const why = code === 'ENOENT' ? 'no such file' : code === 'EACCES' ? 'permission denied' : code === 'EISDIR' ? 'it is a directory' : (e as Error).message;
      throw new StartupError(`cannot read ${flag} ${file}: ${why}. \`npm start -- cert\` writes a self-signed certificate and key to ./data/tls.`);
    }
  };
  const files = { cert: read(config.tlsCert, '--tls-cert'), key: read(config.tlsKey, '--tls-key') };
  try {
    createSecureContext(files);
  } catch (e) {
    throw new StartupError(`--tls-cert ${config.tlsCert} and --tls-key ${config.tlsKey} are not a PEM certificate and its private key (${(e as Error).message}).`);
  }
  return files;
}

/** One query parameter of a request target, or undefined. */
function queryParam(rawUrl: string, name: string): string | undefined {
  try {
    return new URL(rawUrl, 'http://local').searchParams.get(name) ?? undefined;
  } catch {
    return undefined;
  }
}

function send(res: http.ServerResponse, status: number, headers: Record<string, string>, body: string): void {
  res.writeHead(status, { ...CORS_HEADERS, ...headers, 'Content-Length': Buffer.byteLength(body) });
  res.end(body);
}

/** The Content-Type of the JSON API's answer: plain JSON to a plain-JSON request, else AWS's own. */
function jsonType(req: http.IncomingMessage): string {
  return apiContentType(req.headers['content-type']) ?? 'application/x-amz-json-1.1';
}

/** What tests (and embedders) may inject besides the configuration. */
export interface ServerOptions {
  /** The import runner's timings and log sink. */
  runner?: Partial<RunnerOptions>;
  /**
   * The clock every request reads its `now` from (epoch milliseconds): tests move it to check
   * TOTP windows, code and session expiry and lockout without sleeping. Default Date.now.
   */
  clock?: () => number;
}

export async function startServer(config: Config, existingStore?: Store, options: ServerOptions = {}): Promise<RunningServer> {
  const runnerOptions = options.runner ?? {};
  // Read Date.now at each call (tests that mock Date, e.g. node:test's MockTimers, move the server's clock too).
  const clock = options.clock ?? (() => Date.now());
  const tlsFiles = readTlsFiles(config);
  const accessKeys = loadKeys(config);
  if (!accessKeys && !config.insecureAdmin && !isLoopback(config.host)) throw new OpenAdminError(config.host);
  const store = existingStore ?? (await openStore(config));
  const secrets = new Secrets(loadMasterKey(config));
  try {
    await checkMasterKey(store, secrets);
  } catch (e) {
    if (!existingStore) await store.close();
    throw e;
  }
  const metrics = config.metrics ? new Metrics(store) : undefined;
  const delivery = createDelivery(config, store, metrics ? { metrics } : {});
  // A SQLite store belongs to this one process: claims left by a previous (crashed) run are void.
  if (store.kind === 'sqlite') await store.imports.releaseAll();
  const runner = new ImportRunner(store, {
    ...DEFAULT_RUNNER_OPTIONS,
    ...(config.logRequests ? { log: (jobId: string, lines: string[]) => lines.forEach((line) => log({ msg: 'import', jobId, line })) } : {}),
    onError: logError,
    ...(metrics ? { metrics } : {}),
    ...runnerOptions,
  });
  // publicUrl is known once the server listens (port 0 picks one); set below, before any request.
  const services = { store, delivery, config, secrets, keys: new SigningKeys(secrets), imports: runner, publicUrl: '', clock, accessKeys, ...(config.quotas === 'cognito' ? { quotas: new Quotas() } : {}), ...(metrics ? { metrics } : {}) };

  // Seed files (--seed) are applied before the server listens: the first request sees them.
  if (config.seed.length) {
    try {
      const { clock: _, accessKeys: _k, quotas: _q, ...seedServices } = services;
      for (const r of await applySeeds({ ...seedServices, now: clock() }, config.seed, log)) log({ msg: 'seed applied', file: r.file, created: r.created, updated: r.updated });
    } catch (e) {
      if (!existingStore) await store.close();
      throw e;
    }
  }

  // Without keys, the Host names admin requests may carry besides IP addresses and localhost (iam/hosts.ts).
  const adminHosts = adminHostNames(config);
  /** Authenticates an admin endpoint's request (a no-op without access keys); `poolId` picks the resource. */
  const admin = (req: http.IncomingMessage, url: string, action: string, poolId: string | undefined): Promise<AdminAuth> =>
    authorizeAdmin(
      { method: req.method ?? 'GET', rawUrl: url, headers: req.headers, body: Buffer.alloc(0) },
      accessKeys,
      clock(),
      action,
      poolId ? poolArn(regionOfPoolId(poolId) ?? config.region, config.accountId, poolId) : '*',
      config.accountId,
      adminHosts,
    );

  async function handle(req: http.IncomingMessage, res: http.ServerResponse): Promise<void> {
    const started = performance.now();
    const url = req.url ?? '/';
    const path = url.split('?', 1)[0]!;

    if (req.method === 'OPTIONS') {
      send(
        res,
        200,
        {
          'Access-Control-Allow-Methods': 'GET,POST,PUT,OPTIONS',
          'Access-Control-Allow-Headers': (req.headers['access-control-request-headers'] as string) || PREFLIGHT_ALLOW_HEADERS,
          'Access-Control-Max-Age': '86400',
        },
        '',
      );
      return;
    }

    if (req.method === 'GET' && path === '/health') {
      let ok = true;
      try {
        await store.ping();
      } catch {
        ok = false;
      }
      send(res, ok ? 200 : 503, { 'Content-Type': 'application/json' }, JSON.stringify({ status: ok ? 'ok' : 'database unavailable', store: store.kind }));
      return;
    }

    if (req.method === 'GET' && path === MESSAGES_PATH && config.messagesEndpoint) {
      const a = await admin(req, url, 'incognito:ListMessages', queryParam(url, 'userPoolId'));
      if (!a.ok) {
        send(res, a.status, a.headers, a.body);
        logGet(path, a.status, started, 'GET', a.key?.name);
        return;
      }
      const r = await listMessages(store, url);
      send(res, r.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, r.body);
      logGet(path, r.status, started, 'GET', a.key?.name);
      return;
    }

    if (req.method === 'GET' && path === METRICS_PATH && metrics) {
      const a = await admin(req, url, 'incognito:GetMetrics', undefined);
      if (!a.ok) {
        send(res, a.status, a.headers, a.body);
        logGet(path, a.status, started, 'GET', a.key?.name);
        return;
      }
      send(res, 200, { 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' }, await metrics.scrape());
      logGet(path, 200, started, 'GET', a.key?.name);
      return;
    }

    if (config.console && isConsolePath(path)) {
      const r = await handleConsole(services, req, path, url);
      res.writeHead(r.status, { ...r.headers, 'Content-Length': Buffer.byteLength(r.body) });
      res.end(r.body);
      // The path only: the query may hold a search value.
      logGet(path, r.status, started, req.method, r.key, `${req.method ?? 'GET'} ${CONSOLE_ROUTE}`);
      return;
    }

    if (req.method === 'GET' && path.includes('/.well-known/')) {
      const r = await wellKnown(services, path);
      if (r) {
        send(res, r.status, { 'Content-Type': 'application/json', 'Cache-Control': r.status === 200 ? 'public, max-age=300' : 'no-store' }, r.body);
        logGet(path, r.status, started, 'GET', undefined, path.endsWith('/jwks.json') ? 'GET /{poolId}/.well-known/jwks.json' : 'GET /{poolId}/.well-known/*');
        return;
      }
    }

    if (isHostedPath(path)) {
      const r = await handleHosted(services, req, path, url, config.region);
      res.writeHead(r.status, { ...CORS_HEADERS, ...r.headers, 'Content-Length': Buffer.byteLength(r.body) });
      res.end(r.body);
      logGet(path, r.status, started, req.method, undefined, `${req.method ?? 'GET'} ${path}`);
      return;
    }

    if (req.method === 'GET' && path === CONFIRM_USER_PATH) {
      // The query holds the code: only the path is logged.
      const r = await confirmUser(services, url);
      send(res, r.status, PAGE_HEADERS, r.body);
      logGet(path, r.status, started);
      return;
    }

    if (req.method === 'PUT' && path.startsWith(UPLOAD_PATH)) {
      let r: { status: number; body: string };
      try {
        r = await handleUpload(req, { store, secrets, dataDir: config.dataDir, now: clock() });
      } catch (e) {
        logError('import upload failed', e);
        r = { status: 400, body: JSON.stringify({ error: 'UploadFailed', message: 'The upload did not complete: send the file again.' }) };
      }
      // A refused upload may leave body bytes unread: close the connection rather than read them.
      send(res, r.status, { 'Content-Type': 'application/json', ...(r.status !== 200 ? { Connection: 'close' } : {}) }, r.body);
      logGet(path, r.status, started, 'PUT', undefined, `PUT ${UPLOAD_PATH}*`);
      return;
    }

    if (req.method === 'GET' && path.startsWith(IMPORT_LOG_PATH)) {
      // The job's pool is the resource; a job that does not exist is `*` (and then a 404 to a key allowed that).
      const jobId = /^\/_incognito\/imports\/(import-[0-9a-zA-Z-]+)\/log$/.exec(path)?.[1];
      const job = accessKeys && jobId ? await store.imports.get(jobId) : undefined;
      const a = await admin(req, url, 'incognito:GetImportLog', job?.poolId);
      if (!a.ok) {
        send(res, a.status, a.headers, a.body);
        logGet(path, a.status, started, 'GET', a.key?.name, IMPORT_LOG_ROUTE);
        return;
      }
      const r = await importLog(store, url);
      send(res, r.status, { 'Content-Type': 'application/json', 'Cache-Control': 'no-store' }, r.body);
      logGet(path, r.status, started, 'GET', a.key?.name, IMPORT_LOG_ROUTE);
      return;
    }

    if (req.method === 'POST' && path === '/') {
      const contentType = jsonType(req);
      let body: Buffer;
      try {
        body = await readBody(req, config.maxBodyBytes);
      } catch (e) {
        if (e instanceof BodyTooLarge) {
          const msg = JSON.stringify({ __type: 'SerializationException', message: `The request body is larger than ${config.maxBodyBytes} bytes.` });
          send(res, 413, { 'Content-Type': contentType, 'x-amzn-ErrorType': 'SerializationException:', Connection: 'close' }, msg);
        }
        return;
      }
      const r = await handleApi(
        {
          contentType: req.headers['content-type'],
          target: req.headers['x-amz-target'] as string | undefined,
          authorization: req.headers.authorization,
          body,
          method: 'POST',
          rawUrl: url,
          headers: req.headers,
          caller: { ip: req.socket.remoteAddress ?? 'unknown', userAgent: req.headers['user-agent'], sdkUserAgent: req.headers['x-amz-user-agent'] as string | undefined },
        },
        services,
        (e) => logError('unhandled error in operation', e),
      );
      const headers: Record<string, string> = { 'Content-Type': contentType, 'x-amzn-RequestId': r.requestId };
      if (r.errorType) headers['x-amzn-ErrorType'] = `${r.errorType}:`;
      send(res, r.status, headers, r.body);
      const ms = performance.now() - started;
      metrics?.request(r.operation ?? 'unknown', r.errorType ?? 'ok', ms / 1000);
      if (config.logRequests) {
        log({
          requestId: r.requestId,
          method: 'POST',
          path,
          operation: r.operation,
          region: r.region,
          ...(r.key !== undefined ? { key: r.key } : {}),
          status: r.status,
          error: r.errorType,
          ms: Math.round(ms * 100) / 100,
        });
      }
      return;
    }

    send(res, 404, { 'Content-Type': 'application/json' }, JSON.stringify({ __type: 'UnknownOperationException', message: `No route for ${req.method} ${path}.` }));
  }

  /**
   * The log line and the metrics of a request outside the JSON API; `route`: the path's group in
   * the metrics (paths holding ids are grouped), by default the method and path.
   */
  function logGet(path: string, status: number, started: number, method = 'GET', key?: string, route?: string): void {
    const ms = performance.now() - started;
    metrics?.request(route ?? `${method} ${path}`, String(status), ms / 1000);
    if (config.logRequests) log({ method, path, status, ...(key !== undefined ? { key } : {}), ms: Math.round(ms * 100) / 100 });
  }

  // Requests being handled, so close() can let them finish before the store goes away.
  let inflight = 0;
  let drained: (() => void) | undefined;
  const onRequest = (req: http.IncomingMessage, res: http.ServerResponse) => {
    inflight++;
    handle(req, res)
      .finally(() => {
        if (--inflight === 0) drained?.();
      })
      .catch((e) => {
      logError('request failed', e);
      if (!res.headersSent) send(res, 500, { 'Content-Type': 'application/json' }, JSON.stringify({ __type: 'InternalErrorException', message: 'An internal error occurred.' }));
      else res.destroy();
    });
  };
  const server = http.createServer(onRequest);
  // The optional HTTPS listener serves the same requests (config.tlsCert / tlsKey; `incognito cert`).
  const tls = tlsFiles ? https.createServer(tlsFiles, onRequest) : undefined;
  const listeners = tls ? [server, tls] : [server];
  for (const l of listeners) l.keepAliveTimeout = 65_000;
  // Expired challenge sessions and sign-ins are deleted now and then (every node may; it is idempotent).
  const purge = setInterval(() => {
    const now = clock();
    Promise.all([store.sessions.purgeExpired(now), store.tokens.purgeExpired(now)]).catch((e) => logError('purging expired sessions failed', e));
  }, 10 * 60_000);
  purge.unref();
  for (const l of listeners) {
    l.on('clientError', (_err, socket) => {
      if (socket.writable) socket.end('HTTP/1.1 400 Bad Request\r\nConnection: close\r\n\r\n');
      else socket.destroy();
    });
  }

  const hostForUrl = config.host.includes(':') ? `[${config.host}]` : config.host;
  try {
    for (const [l, p, flag] of [[server, config.port, '--port'], ...(tls ? [[tls, config.httpsPort, '--https-port']] : [])] as [http.Server, number, '--port' | '--https-port'][]) {
      await new Promise<void>((resolve, reject) => {
        l.once('error', (e: NodeJS.ErrnoException) => reject(e.code && LISTEN_ERRORS.has(e.code) ? new ListenError(e.code, `${hostForUrl}:${p}`, p, flag) : e));
        l.listen(p, config.host, () => resolve());
      });
    }
  } catch (e) {
    for (const l of listeners) l.close();
    clearInterval(purge);
    if (!existingStore) await store.close();
    throw e;
  }
  const port = (server.address() as AddressInfo).port;
  runner.start();
  services.publicUrl = (config.publicUrl ?? `http://${hostForUrl}:${port}`).replace(/\/+$/, '');
  return {
    url: `http://${hostForUrl}:${port}`,
    ...(tls ? { httpsUrl: `https://${hostForUrl}:${(tls.address() as AddressInfo).port}` } : {}),
    port,
    store,
    delivery,
    keys: services.keys,
    accessKeyNames: accessKeys?.names() ?? [],
    /** Stops accepting, lets requests in flight finish (10 s at most), then closes the store. */
    async close() {
      clearInterval(purge);
      await runner.close();
      const closed = listeners.map((l) => new Promise<void>((resolve) => l.close(() => resolve())));
      for (const l of listeners) l.closeIdleConnections();
      if (inflight > 0) {
        await Promise.race([new Promise<void>((r) => (drained = r)), new Promise((r) => setTimeout(r, 10_000).unref())]);
      }
      for (const l of listeners) l.closeAllConnections();
      await Promise.all(closed);
      // Custom sender functions under way (they run after their request answered): 5 s at most.
      await Promise.race([sendersSettled(), new Promise((r) => setTimeout(r, 5_000).unref())]);
      await delivery.close();
      if (!existingStore) await store.close();
    },
  };
}
