/**
 * The worker thread a handler file runs in (invoke.ts keeps a few): one call at a time. A message
 * {file, version, event, functionName, deadline} loads the file (a changed file, by its mtime in
 * `version`, is loaded again: ES modules by a cache-busting query, CommonJS by dropping it from
 * require's cache), calls `handler(event, context)` async or with a callback, and answers
 * {ok: true, value} or {ok: false, kind: 'thrown' | 'load', message}.
 */
import { createRequire } from 'node:module';
import { randomUUID } from 'node:crypto';
import { pathToFileURL } from 'node:url';
import { parentPort } from 'node:worker_threads';

interface Call {
  file: string;
  version: string;
  event: unknown;
  functionName: string;
  deadline: number;
}

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

function message(e: unknown): string {
  if (e instanceof Error) return e.message;
  if (typeof e === 'string') return e;
  try {
    return JSON.stringify(e);
  } catch {
    return String(e);
  }
}

function run(handler: (...a: unknown[]) => unknown, call: Call): Promise<unknown> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (err: unknown, value?: unknown) => {
      if (settled) return;
      settled = true;
      if (err !== null && err !== undefined) reject(err);
      else resolve(value);
    };
    const context = {
      functionName: call.functionName,
      functionVersion: '$LATEST',
      invokedFunctionArn: call.functionName,
      memoryLimitInMB: '128',
      awsRequestId: randomUUID(),
      logGroupName: `/aws/lambda/${call.functionName}`,
      logStreamName: 'incognito',
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
let answer: ((reply: object) => void) | undefined;
const stray = (e: unknown) => answer?.({ ok: false, kind: 'thrown', message: message(e) });
process.on('uncaughtException', stray);
process.on('unhandledRejection', stray);

parentPort!.on('message', async (call: Call) => {
  let answered = false;
  answer = (reply: object) => {
    if (answered) return;
    answered = true;
    answer = undefined;
    parentPort!.postMessage(reply);
  };
  await handle(call, answer);
});

async function handle(call: Call, reply: (r: object) => void): Promise<void> {
  let handler: unknown;
  try {
    handler = await load(call.file, call.version);
  } catch (e) {
    reply({ ok: false, kind: 'load', message: message(e) });
    return;
  }
  if (typeof handler !== 'function') {
    reply({ ok: false, kind: 'load', message: `${call.file} does not export a function named handler` });
    return;
  }
  try {
    const value = await run(handler as (...a: unknown[]) => unknown, call);
    // Only JSON crosses back, as from a real function.
    reply({ ok: true, value: value === undefined ? null : JSON.parse(JSON.stringify(value)) });
  } catch (e) {
    reply({ ok: false, kind: 'thrown', message: message(e) });
  }
}
