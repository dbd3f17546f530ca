/**
 * The worker thread a handler file runs in: one of the environments invoke.ts keeps for one
 * function, one call at a time, with the function's own process.env (invoke.ts,
 * lambdaEnvironment). A message (WorkerCall) loads the file (a changed file, by its mtime in
 * `version`, is loaded again: ES modules by a cache-busting query, CommonJS by dropping it from
 * require's cache), calls `handler(event, context)` async or with a callback, and answers
 * {ok: true, json} or {ok: false, kind: 'thrown', message} (the function failed) or
 * {ok: false, kind: 'runtime', errorType, message} (Lambda's runtime errors: Runtime.HandlerNotFound,
 * Runtime.UserCodeSyntaxError, Runtime.ImportModuleError, Function.ResponseSizeTooLarge), with
 * Lambda's messages and never the lambda directory's absolute path.
 */
import { createRequire } from 'node:module';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';
import type { WorkerCall, WorkerReply } from './invoke.js';

/** Lambda's limit on a synchronous invocation's response payload (Function.ResponseSizeTooLarge). */
export const RESPONSE_LIMIT_BYTES = 6_291_556;

const require = createRequire(import.meta.url);
const loaded = new Map<string, { version: string; handler: unknown }>();

async function load(file: string, version: string): Promise<unknown> {
  const hit = loaded.get(file);
  if (hit && hit.version === version) return hit.handler;
  let mod: any;
  if (file.endsWith('.cjs')) {
    delete require.cache[file];
    mod = require(file);
  } else {
    delete require.cache[file];
    mod = await import(`${pathToFileURL(file).href}?v=${encodeURIComponent(version)}`);
  }
  const handler = mod?.handler ?? mod?.default?.handler;
  loaded.set(file, { version, handler });
  return handler;
}

/** This file, as a require stack names it: shown as Lambda's runtime file instead of the server's path. */
const SELF = fileURLToPath(import.meta.url);

/**
 * A message without the lambda directory's absolute path (file names stay, relative to it), nor the
 * server's own (a require stack ends in this file: shown as Lambda's /var/runtime/index.mjs).
 */
export function scrub(text: string, dir: string): string {
  const clean = text.split(pathToFileURL(SELF).href).join('/var/runtime/index.mjs').split(SELF).join('/var/runtime/index.mjs');
  if (!dir) return clean;
  const withSep = dir.endsWith(path.sep) ? dir : dir + path.sep;
  const url = pathToFileURL(withSep).href;
  return clean.split(url).join('').split(withSep).join('').split(dir).join('.');
}

// A handler runs in a thread of the server's process: a signal it sends to its own process would stop
// the server, where on Lambda it would end only the function's environment. Refused (the function
// fails with this error); README, "Lambda triggers", says what a thread cannot keep a function from.
const kill = process.kill.bind(process);
process.kill = ((pid: number, signal?: string | number) => {
  if (pid === process.pid || pid === 0 || pid === -process.pid || pid === process.ppid) {
    throw new Error('process.kill of the server\'s own process is not supported in handler files');
  }
  return kill(pid, signal);
}) as typeof process.kill;

function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

/** How Lambda's Node.js runtime reports a file that cannot be loaded. */
export function loadFailure(e: unknown, dir: string): WorkerReply {
  const err = e as { name?: string; code?: string; message?: string };
  if (e instanceof SyntaxError) return { ok: false, kind: 'runtime', errorType: 'Runtime.UserCodeSyntaxError', message: scrub(`SyntaxError: ${e.message}`, dir) };
  if (err?.code === 'MODULE_NOT_FOUND' || err?.code === 'ERR_MODULE_NOT_FOUND') {
    return { ok: false, kind: 'runtime', errorType: 'Runtime.ImportModuleError', message: scrub(`Error: ${err.message ?? ''}`, dir) };
  }
  // Anything else the file's top level throws is reported as itself.
  return { ok: false, kind: 'thrown', message: scrub(message(e), dir) };
}

function run(handler: (...a: unknown[]) => unknown, call: WorkerCall): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: unknown, value?: unknown) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) reject(err);
      else resolve(value);
    };
    const context = {
      ...call.context,
      callbackWaitsForEmptyEventLoop: true,
      getRemainingTimeInMillis: () => Math.max(0, call.deadline - Date.now()),
      done: (err: unknown, value?: unknown) => done(err, value),
      succeed: (value?: unknown) => done(null, value),
      fail: (err: unknown) => done(err ?? new Error('failed')),
    };
    try {
      const r = handler.length >= 3 ? handler(call.event, context, done) : handler(call.event, context);
      if (r && typeof (r as Promise<unknown>).then === 'function') (r as Promise<unknown>).then((v) => done(null, v), (e) => done(e ?? new Error('rejected')));
      else if (handler.length < 3) done(null, r);
    } catch (e) {
      done(e);
    }
  });
}

/** The answer of the call in progress, once: an error thrown outside it (a timer, a promise nobody awaited) ends it too, as in Lambda. */
let answer: ((reply: WorkerReply) => void) | undefined;
let currentDir = '';
const stray = (e: unknown) => answer?.({ ok: false, kind: 'thrown', message: scrub(message(e), currentDir) });
process.on('uncaughtException', stray);
process.on('unhandledRejection', stray);

parentPort?.on('message', async (call: WorkerCall) => {
  let answered = false;
  currentDir = call.dir;
  answer = (reply: WorkerReply) => {
    if (answered) return;
    answered = true;
    answer = undefined;
    parentPort!.postMessage(reply);
  };
  await handle(call, answer);
});

async function handle(call: WorkerCall, reply: (r: WorkerReply) => void): Promise<void> {
  let handler: unknown;
  try {
    handler = await load(call.file, call.version);
  } catch (e) {
    reply(loadFailure(e, call.dir));
    return;
  }
  if (typeof handler !== 'function') {
    const base = path.basename(call.file).replace(/\.(mjs|cjs|js)$/, '');
    reply({ ok: false, kind: 'runtime', errorType: 'Runtime.HandlerNotFound', message: `${base}.handler is undefined or not exported` });
    return;
  }
  let value: unknown;
  try {
    value = await run(handler as (...a: unknown[]) => unknown, call);
  } catch (e) {
    reply({ ok: false, kind: 'thrown', message: scrub(message(e), call.dir) });
    return;
  }
  // Only JSON crosses back, as from a real function, and no more of it than Lambda returns.
  let json: string;
  try {
    json = JSON.stringify(value) ?? 'null';
  } catch (e) {
    reply({ ok: false, kind: 'thrown', message: scrub(message(e), call.dir) });
    return;
  }
  if (Buffer.byteLength(json) > RESPONSE_LIMIT_BYTES) {
    reply({ ok: false, kind: 'runtime', errorType: 'Function.ResponseSizeTooLarge', message: `Response payload size exceeded maximum allowed payload size (${RESPONSE_LIMIT_BYTES} bytes).` });
    return;
  }
  reply({ ok: true, json });
}
