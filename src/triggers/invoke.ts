/**
 * Runs a pool's trigger function: from a handler file in --lambda-dir (in a worker thread, off the
 * server's event loop), else through the Lambda Invoke API at --lambda-endpoint. Cognito's answers
 * when it goes wrong: the function threw -> UserLambdaValidationException "<Trigger> failed with
 * error <message>."; it could not be run or ran out of time (5 s) -> UnexpectedLambdaException;
 * its reply is not an event -> InvalidLambdaResponseException "Unrecognizable lambda output"
 * (docs/decisions.md, "Lambda triggers").
 */
import fs from 'node:fs';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import { errors } from '../protocol/errors.js';
import type { TriggerName } from './catalog.js';

/** Cognito waits 5 seconds for a trigger. */
export const TRIGGER_TIMEOUT_MS = 5000;
/** Lambda's limit on a synchronous invocation's request payload (the Invoke API's RequestTooLargeException). */
export const REQUEST_LIMIT_BYTES = 6_291_456;
const EXTENSIONS = ['.mjs', '.js', '.cjs'];

export type TriggerEvent = Record<string, unknown> & { response: Record<string, unknown> };

/** The function name of a Lambda ARN (`arn:aws:lambda:<region>:<account>:function:<name>[:<qualifier>]`), or the value itself. */
export function functionName(arn: string): string {
  const m = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:([^:]+)(?::[^:]+)?$/.exec(arn);
  return m ? m[1]! : arn;
}

function regionOf(arn: string): string | undefined {
  const m = /^arn:[^:]+:lambda:([^:]+):/.exec(arn);
  return m?.[1];
}

const failedWith = (trigger: TriggerName, message: string) => errors.userLambdaValidation(`${trigger} failed with error ${message}.`);
const invocationFailed = (trigger: TriggerName, cause: string) => errors.unexpectedLambda(`${trigger} invocation failed due to error ${cause}.`);
const unrecognizable = () => errors.invalidLambdaResponse('Unrecognizable lambda output');

/** The handler file of a function in the directory, with its mtime (a changed file is loaded again). */
function handlerFile(dir: string, name: string): { file: string; version: string } | undefined {
  if (name.includes('/') || name.includes('\\') || name.startsWith('.')) return undefined;
  for (const ext of EXTENSIONS) {
    const file = path.join(dir, name + ext);
    try {
      const st = fs.statSync(file);
      if (st.isFile()) return { file, version: `${st.mtimeMs}-${st.size}` };
    } catch {
      // not this extension
    }
  }
  return undefined;
}

// ---- worker threads: one environment set per function ---------------------------------------

/**
 * Limits of the handler-file runner. Lambda runs each function in its own execution
 * environments, made on demand up to the function's concurrency, and reaps idle ones; Cognito
 * waits 5 s from the moment it asks for the invocation. Here: a function's calls run in its own
 * worker threads (at most `perFunction` at once, further calls queue for that function only), a
 * call that cannot start before its deadline fails there, and a worker idle for `idleMs` ends.
 * Tests lower these through setWorkerLimits.
 */
export interface WorkerLimits {
  timeoutMs: number;
  perFunction: number;
  idleMs: number;
}
const limits: WorkerLimits = { timeoutMs: TRIGGER_TIMEOUT_MS, perFunction: 10, idleMs: 60_000 };

/** Changes the runner's limits (internal: tests); returns the previous ones. */
export function setWorkerLimits(l: Partial<WorkerLimits>): WorkerLimits {
  const before = { ...limits };
  Object.assign(limits, l);
  return before;
}

const workerScript = new URL('./worker.js', import.meta.url);

/** What identifies a function's environments: its file, the ARN it was named by, its region. */
interface FunctionSpec {
  file: string;
  version: string;
  name: string;
  arn: string;
  region: string;
}

interface Env {
  worker: Worker;
  logStreamName: string;
  reap?: NodeJS.Timeout;
}

/** One function's environments: idle workers, calls running, calls waiting for a worker. */
interface FunctionPool {
  idle: Env[];
  running: number;
  waiting: { start: () => void }[];
  env: Record<string, string>;
}

const pools = new Map<string, FunctionPool>();
const poolKey = (f: FunctionSpec) => `${f.file}\u0000${f.arn}\u0000${f.region}`;

export type WorkerReply =
  | { ok: true; json: string }
  | { ok: false; kind: 'thrown'; message: string }
  | { ok: false; kind: 'runtime'; errorType: string; message: string };

type RunResult = WorkerReply | 'timeout';

/**
 * Runs one call of the function in one of its workers, within `deadline` (epoch ms, counted from
 * when the call was asked for): waits for a free worker of this function only, and answers
 * 'timeout' when none frees in time or the function runs past the deadline.
 */
function runInWorker(f: FunctionSpec, requestId: string, event: unknown, deadline: number): Promise<RunResult> {
  const key = poolKey(f);
  let pool = pools.get(key);
  if (!pool) {
    pool = { idle: [], running: 0, waiting: [], env: lambdaEnvironment(process.env, f) };
    pools.set(key, pool);
  }
  const p = pool;
  const release = () => {
    const next = p.waiting.shift();
    if (next) next.start();
    else {
      p.running--;
      if (p.running === 0 && p.idle.length === 0 && p.waiting.length === 0) pools.delete(key);
    }
  };
  const go = (): Promise<RunResult> => {
    // A call whose deadline passed while it waited does not start.
    if (Date.now() >= deadline) {
      release();
      return Promise.resolve('timeout');
    }
    return runOnce(p, f, requestId, event, deadline).finally(release);
  };
  if (p.running < limits.perFunction) {
    p.running++;
    return go();
  }
  // Every environment of this function is busy: wait for one, until the deadline.
  return new Promise<RunResult>((resolve) => {
    const entry = {
      start: () => {
        clearTimeout(timer);
        resolve(go());
      },
    };
    const timer = setTimeout(() => {
      const i = p.waiting.indexOf(entry);
      if (i >= 0) p.waiting.splice(i, 1);
      resolve('timeout');
    }, Math.max(0, deadline - Date.now()));
    p.waiting.push(entry);
  });
}

/** A new environment of the function: a worker with the function's own process.env. */
function newEnv(p: FunctionPool, f: FunctionSpec): Env {
  // The function's memory setting bounds its heap, as Lambda's does (a worker out of memory ends
  // with an error: Runtime.ExitError).
  const worker = new Worker(workerScript, { env: p.env, resourceLimits: { maxOldGenerationSizeMb: Number(MEMORY_MB) } });
  const d = new Date();
  const day = `${d.getUTCFullYear()}/${String(d.getUTCMonth() + 1).padStart(2, '0')}/${String(d.getUTCDate()).padStart(2, '0')}`;
  const env: Env = { worker, logStreamName: `${day}/[${qualifierOf(f.arn) ?? '$LATEST'}]${randomUUID().replaceAll('-', '')}` };
  worker.on('error', () => {});
  worker.on('exit', () => {
    const i = p.idle.indexOf(env);
    if (i >= 0) p.idle.splice(i, 1);
    if (env.reap) clearTimeout(env.reap);
  });
  return env;
}

function runOnce(p: FunctionPool, f: FunctionSpec, requestId: string, event: unknown, deadline: number): Promise<RunResult> {
  const env = p.idle.pop() ?? newEnv(p, f);
  if (env.reap) clearTimeout(env.reap);
  env.reap = undefined;
  const { worker } = env;
  worker.ref();
  return new Promise((resolve) => {
    const finish = (r: RunResult, keep: boolean) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (keep) {
        worker.unref();
        // An idle environment is reaped after a while, as Lambda does.
        env.reap = setTimeout(() => void worker.terminate(), limits.idleMs);
        env.reap.unref();
        p.idle.push(env);
      } else void worker.terminate();
      resolve(r);
    };
    const onMessage = (m: WorkerReply) => finish(m, true);
    // The function's environment died under it: Lambda's Runtime.ExitError, a function error.
    const onError = (e: Error) => finish({ ok: false, kind: 'runtime', errorType: 'Runtime.ExitError', message: `RequestId: ${requestId} Error: Runtime exited with error: ${e.message}` }, false);
    const onExit = (code: number) =>
      finish(
        {
          ok: false,
          kind: 'runtime',
          errorType: 'Runtime.ExitError',
          message: code ? `RequestId: ${requestId} Error: Runtime exited with error: exit status ${code}` : `RequestId: ${requestId} Error: Runtime exited without providing a reason`,
        },
        false,
      );
    // Out of time: the worker is terminated, whatever the function is doing.
    const timer = setTimeout(() => finish('timeout', false), Math.max(0, deadline - Date.now()));
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    const call: WorkerCall = {
      file: f.file,
      version: f.version,
      dir: path.dirname(f.file),
      event,
      deadline,
      context: {
        functionName: f.name,
        functionVersion: qualifierOf(f.arn) ?? '$LATEST',
        invokedFunctionArn: f.arn,
        memoryLimitInMB: MEMORY_MB,
        awsRequestId: requestId,
        logGroupName: `/aws/lambda/${f.name}`,
        logStreamName: env.logStreamName,
      },
    };
    worker.postMessage(call);
  });
}

/** What a worker is given for one call (worker.ts). */
export interface WorkerCall {
  file: string;
  version: string;
  /** The lambda directory: its absolute path never appears in an error message. */
  dir: string;
  event: unknown;
  deadline: number;
  context: {
    functionName: string;
    functionVersion: string;
    invokedFunctionArn: string;
    memoryLimitInMB: string;
    awsRequestId: string;
    logGroupName: string;
    logStreamName: string;
  };
}

/** The memory size a handler file reports (context.memoryLimitInMB, AWS_LAMBDA_FUNCTION_MEMORY_SIZE): Lambda's default. */
const MEMORY_MB = '128';

/** The qualifier of a qualified ARN (`...:function:<name>:<qualifier>`), if any. */
export function qualifierOf(arn: string): string | undefined {
  const m = /^arn:[^:]+:lambda:[^:]*:[^:]*:function:[^:]+:([^:]+)$/.exec(arn);
  return m?.[1];
}

/** The server's environment variables a handler file's process.env keeps (besides AWS_* and NODE_*, below). */
const KEPT_ENV = new Set(['PATH', 'HOME', 'USER', 'TZ', 'LANG', 'LANGUAGE', 'TMPDIR', 'TMP', 'TEMP', 'HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']);
/** Variables named INCOGNITO_LAMBDA_ENV_<NAME> reach every handler file as <NAME>. */
export const LAMBDA_ENV_PREFIX = 'INCOGNITO_LAMBDA_ENV_';

/**
 * The process.env a handler file sees (each function's workers get their own copy; worker threads
 * otherwise share the server's): from the server's environment only PATH, HOME, USER, TZ, LANG,
 * LC_*, TMPDIR/TMP/TEMP, the proxy variables, NODE_* and AWS_* (the endpoints and credentials
 * the functions call AWS with); every INCOGNITO_LAMBDA_ENV_<NAME> as <NAME>; then the variables
 * Lambda sets (AWS_REGION, AWS_DEFAULT_REGION, AWS_LAMBDA_FUNCTION_NAME, ..._VERSION,
 * ..._MEMORY_SIZE, AWS_LAMBDA_LOG_GROUP_NAME, LAMBDA_TASK_ROOT, _HANDLER, AWS_EXECUTION_ENV),
 * which nothing overrides. Everything else (INCOGNITO_*, DATABASE_URL, the server's other
 * settings and secrets) stays out.
 */
export function lambdaEnvironment(server: NodeJS.ProcessEnv, f: { file: string; name: string; arn: string; region: string }): Record<string, string> {
  const env: Record<string, string> = {};
  for (const [k, v] of Object.entries(server)) {
    if (v === undefined) continue;
    if (KEPT_ENV.has(k) || k.startsWith('LC_') || k.startsWith('NODE_') || (k.startsWith('AWS_') && !k.startsWith('AWS_LAMBDA_'))) env[k] = v;
  }
  for (const [k, v] of Object.entries(server)) {
    if (v !== undefined && k.startsWith(LAMBDA_ENV_PREFIX) && k.length > LAMBDA_ENV_PREFIX.length) env[k.slice(LAMBDA_ENV_PREFIX.length)] = v;
  }
  const base = path.basename(f.file).replace(/\.(mjs|cjs|js)$/, '');
  Object.assign(env, {
    AWS_REGION: f.region,
    AWS_DEFAULT_REGION: f.region,
    AWS_LAMBDA_FUNCTION_NAME: f.name,
    AWS_LAMBDA_FUNCTION_VERSION: qualifierOf(f.arn) ?? '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: MEMORY_MB,
    AWS_LAMBDA_LOG_GROUP_NAME: `/aws/lambda/${f.name}`,
    AWS_LAMBDA_INITIALIZATION_TYPE: 'on-demand',
    LAMBDA_TASK_ROOT: path.dirname(f.file),
    _HANDLER: `${base}.handler`,
    AWS_EXECUTION_ENV: `AWS_Lambda_nodejs${process.versions.node.split('.')[0]}.x`,
  });
  return env;
}

// ---- the Invoke API -------------------------------------------------------------------------

let lambdaClients = new Map<string, any>();

async function invokeRemote(endpoint: string, arn: string, event: unknown, trigger: TriggerName, fallbackRegion: string, invocationType: 'RequestResponse' | 'Event' = 'RequestResponse'): Promise<unknown> {
  const { LambdaClient, InvokeCommand } = await import('@aws-sdk/client-lambda');
  const region = regionOf(arn) ?? fallbackRegion;
  const key = `${endpoint}\u0000${region}`;
  let client = lambdaClients.get(key);
  if (!client) {
    const local = endpoint !== 'aws';
    const haveCredentials = !!(process.env.AWS_ACCESS_KEY_ID || process.env.AWS_PROFILE || process.env.AWS_WEB_IDENTITY_TOKEN_FILE || process.env.AWS_CONTAINER_CREDENTIALS_FULL_URI || process.env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);
    client = new LambdaClient({
      region,
      maxAttempts: 1,
      ...(local ? { endpoint } : {}),
      // A local stand-in (sam local, LocalStack) takes any credentials: none configured is fine there.
      ...(local && !haveCredentials ? { credentials: { accessKeyId: 'incognito', secretAccessKey: 'incognito' } } : {}),
    });
    if (lambdaClients.size > 16) lambdaClients = new Map();
    lambdaClients.set(key, client);
  }
  let out: { FunctionError?: string; Payload?: Uint8Array };
  try {
    out = await client.send(new InvokeCommand({ FunctionName: arn, InvocationType: invocationType, Payload: Buffer.from(JSON.stringify(event)) }), {
      abortSignal: AbortSignal.timeout(limits.timeoutMs),
    });
  } catch (e) {
    const name = (e as Error)?.name;
    if (name === 'AbortError' || name === 'TimeoutError') throw invocationFailed(trigger, 'Socket timeout while invoking Lambda function');
    throw invocationFailed(trigger, name && name !== 'Error' ? name : (e as Error)?.message ?? 'unknown');
  }
  // An asynchronous invocation is accepted (202) with no payload: nothing more to read.
  if (invocationType === 'Event') return null;
  const text = out.Payload ? Buffer.from(out.Payload).toString('utf8') : '';
  let value: unknown;
  try {
    value = text === '' ? null : JSON.parse(text);
  } catch {
    throw unrecognizable();
  }
  if (out.FunctionError) {
    const msg = value && typeof value === 'object' && typeof (value as any).errorMessage === 'string' ? (value as any).errorMessage : text;
    throw failedWith(trigger, msg);
  }
  return value;
}

// ---- one call -------------------------------------------------------------------------------

/** The handler file's answer, mapped as Cognito maps the same outcome through the Invoke API. */
function fromWorker(trigger: TriggerName, r: RunResult): unknown {
  if (r === 'timeout') throw invocationFailed(trigger, 'Socket timeout while invoking Lambda function');
  if (!r.ok) throw failedWith(trigger, r.message);
  try {
    return JSON.parse(r.json);
  } catch {
    throw unrecognizable();
  }
}

/** Runs a handler file found in the directory: its own environments, the deadline counted from now. */
function runHandlerFile(found: { file: string; version: string }, name: string, arn: string, trigger: TriggerName, event: Record<string, unknown>, fallbackRegion: string): Promise<RunResult> {
  const deadline = Date.now() + limits.timeoutMs;
  if (Buffer.byteLength(JSON.stringify(event)) > REQUEST_LIMIT_BYTES) throw invocationFailed(trigger, 'RequestTooLargeException');
  const region = typeof event.region === 'string' && event.region ? event.region : (regionOf(arn) ?? fallbackRegion);
  return runInWorker({ file: found.file, version: found.version, name, arn, region }, randomUUID(), event, deadline);
}

const notFound = (trigger: TriggerName, name: string, config: Pick<Config, 'lambdaDir'>) =>
  invocationFailed(trigger, `ResourceNotFoundException (no handler file for ${name}${config.lambdaDir ? ' in the --lambda-dir directory' : ' (no --lambda-dir)'} and no --lambda-endpoint)`);

/**
 * Runs the function `arn` for `trigger` with `event`, and returns the event it answered (whose
 * `response` is an object). Throws Cognito's errors as above.
 */
export async function invokeTrigger(config: Pick<Config, 'lambdaDir' | 'lambdaEndpoint' | 'region'>, trigger: TriggerName, arn: string, event: TriggerEvent): Promise<TriggerEvent> {
  const name = functionName(arn);
  const found = config.lambdaDir ? handlerFile(config.lambdaDir, name) : undefined;
  let value: unknown;
  if (found) {
    value = fromWorker(trigger, await runHandlerFile(found, name, arn, trigger, event, config.region));
  } else if (config.lambdaEndpoint) {
    value = await invokeRemote(config.lambdaEndpoint, arn, event, trigger, config.region);
  } else {
    // Configured, and runnable neither way: an error, never silently skipped.
    throw notFound(trigger, name, config);
  }
  if (!value || typeof value !== 'object' || Array.isArray(value)) throw unrecognizable();
  const reply = value as Record<string, unknown>;
  const response = reply.response ?? {};
  if (typeof response !== 'object' || response === null || Array.isArray(response)) throw unrecognizable();
  return { ...reply, response: response as Record<string, unknown> };
}

/**
 * Runs the function `arn` for `trigger` the way Cognito runs the custom sender triggers:
 * asynchronously (the Invoke API's InvocationType Event; a handler file runs in a worker as usual),
 * so what the function answers is not read. Resolves when the call is done (handler file) or
 * accepted (Invoke API); rejects with Cognito's errors as above when it could not be run or threw,
 * which the caller logs: the operation that sent the message has already been answered.
 */
export async function invokeAsync(config: Pick<Config, 'lambdaDir' | 'lambdaEndpoint' | 'region'>, trigger: TriggerName, arn: string, event: Record<string, unknown>): Promise<void> {
  const name = functionName(arn);
  const found = config.lambdaDir ? handlerFile(config.lambdaDir, name) : undefined;
  if (found) {
    const r = await runHandlerFile(found, name, arn, trigger, event, config.region);
    if (r === 'timeout') throw invocationFailed(trigger, 'Socket timeout while invoking Lambda function');
    if (!r.ok) throw failedWith(trigger, r.message);
    return;
  }
  if (config.lambdaEndpoint) {
    await invokeRemote(config.lambdaEndpoint, arn, event, trigger, config.region, 'Event');
    return;
  }
  throw notFound(trigger, name, config);
}
