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
import { Worker } from 'node:worker_threads';
import type { Config } from '../config.js';
import { errors } from '../protocol/errors.js';
import type { TriggerName } from './catalog.js';

/** Cognito waits 5 seconds for a trigger. */
export const TRIGGER_TIMEOUT_MS = 5000;
/** Idle workers kept for the next call (a worker starts in tens of milliseconds; a call in a kept one takes well under one). */
const MAX_IDLE_WORKERS = 4;
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

// ---- worker threads -------------------------------------------------------------------------

const idle: Worker[] = [];
const workerScript = new URL('./worker.js', import.meta.url);
/** At most this many functions run at once (each in its own worker); further calls wait their turn. */
const MAX_RUNNING = 8;
let running = 0;
const waiting: (() => void)[] = [];

async function slot(): Promise<() => void> {
  if (running >= MAX_RUNNING) await new Promise<void>((r) => waiting.push(r));
  else running++;
  // A finished call hands its slot straight to the next waiting one.
  return () => {
    const next = waiting.shift();
    if (next) next();
    else running--;
  };
}

type WorkerReply = { ok: true; value: unknown } | { ok: false; kind: 'thrown' | 'load'; message: string };

async function runInWorker(file: string, version: string, fn: string, event: unknown, timeoutMs: number): Promise<WorkerReply | 'timeout' | { crashed: string }> {
  const release = await slot();
  try {
    return await runOnce(file, version, fn, event, timeoutMs);
  } finally {
    release();
  }
}

/** A new worker; one that fails or exits while kept idle leaves the idle list (and never takes the server down). */
function newWorker(): Worker {
  const w = new Worker(workerScript);
  w.on('error', () => {});
  w.on('exit', () => {
    const i = idle.indexOf(w);
    if (i >= 0) idle.splice(i, 1);
  });
  return w;
}

function runOnce(file: string, version: string, fn: string, event: unknown, timeoutMs: number): Promise<WorkerReply | 'timeout' | { crashed: string }> {
  const worker = idle.pop() ?? newWorker();
  worker.ref();
  return new Promise((resolve) => {
    const finish = (r: WorkerReply | 'timeout' | { crashed: string }, keep: boolean) => {
      clearTimeout(timer);
      worker.off('message', onMessage);
      worker.off('error', onError);
      worker.off('exit', onExit);
      if (keep && idle.length < MAX_IDLE_WORKERS) {
        worker.unref();
        idle.push(worker);
      } else void worker.terminate();
      resolve(r);
    };
    const onMessage = (m: WorkerReply) => finish(m, true);
    const onError = (e: Error) => finish({ crashed: e.message }, false);
    const onExit = () => finish({ crashed: 'the function exited' }, false);
    // Out of time: the worker is terminated, whatever the function is doing.
    const timer = setTimeout(() => finish('timeout', false), timeoutMs);
    worker.on('message', onMessage);
    worker.on('error', onError);
    worker.on('exit', onExit);
    worker.postMessage({ file, version, event, functionName: fn, deadline: Date.now() + timeoutMs });
  });
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
      abortSignal: AbortSignal.timeout(TRIGGER_TIMEOUT_MS),
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

/**
 * Runs the function `arn` for `trigger` with `event`, and returns the event it answered (whose
 * `response` is an object). Throws Cognito's errors as above.
 */
export async function invokeTrigger(config: Pick<Config, 'lambdaDir' | 'lambdaEndpoint' | 'region'>, trigger: TriggerName, arn: string, event: TriggerEvent): Promise<TriggerEvent> {
  const name = functionName(arn);
  const found = config.lambdaDir ? handlerFile(config.lambdaDir, name) : undefined;
  let value: unknown;
  if (found) {
    const r = await runInWorker(found.file, found.version, name, event, TRIGGER_TIMEOUT_MS);
    if (r === 'timeout') throw invocationFailed(trigger, 'Socket timeout while invoking Lambda function');
    if ('crashed' in r) throw invocationFailed(trigger, r.crashed);
    if (!r.ok) {
      if (r.kind === 'load') throw invocationFailed(trigger, r.message);
      throw failedWith(trigger, r.message);
    }
    value = r.value;
  } else if (config.lambdaEndpoint) {
    value = await invokeRemote(config.lambdaEndpoint, arn, event, trigger, config.region);
  } else {
    // Configured, and runnable neither way: an error, never silently skipped.
    throw invocationFailed(trigger, `ResourceNotFoundException (no handler file for ${name}${config.lambdaDir ? ` in ${config.lambdaDir}` : ' (no --lambda-dir)'} and no --lambda-endpoint)`);
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
    const r = await runInWorker(found.file, found.version, name, event, TRIGGER_TIMEOUT_MS);
    if (r === 'timeout') throw invocationFailed(trigger, 'Socket timeout while invoking Lambda function');
    if ('crashed' in r) throw invocationFailed(trigger, r.crashed);
    if (!r.ok) throw r.kind === 'load' ? invocationFailed(trigger, r.message) : failedWith(trigger, r.message);
    return;
  }
  if (config.lambdaEndpoint) {
    await invokeRemote(config.lambdaEndpoint, arn, event, trigger, config.region, 'Event');
    return;
  }
  throw invocationFailed(trigger, `ResourceNotFoundException (no handler file for ${name}${config.lambdaDir ? ` in ${config.lambdaDir}` : ' (no --lambda-dir)'} and no --lambda-endpoint)`);
}
