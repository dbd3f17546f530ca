/**
 * The handler-file runner (src/triggers/invoke.ts, worker.ts) on its own: each function runs in
 * its own workers (a slow function holds up no other), Cognito's deadline counts from when the
 * call is asked for (a call queued behind a busy function fails at it), handler files get
 * Lambda's context and environment and none of the server's settings, broken files and oversized
 * payloads fail as the same code fails on Lambda. Limits are lowered through setWorkerLimits
 * instead of sleeping through the real 5 seconds.
 */
import { after, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { invokeTrigger, lambdaEnvironment, qualifierOf, setWorkerLimits, type WorkerLimits } from '../src/triggers/invoke.js';
import { scrub } from '../src/triggers/worker.js';
import { replyBoolean } from '../src/triggers/reply.js';
import { v1Claims } from '../src/triggers/token-generation.js';
import { awsSdkVersion } from '../src/triggers/catalog.js';

const arn = (name: string, qualifier?: string) => `arn:aws:lambda:eu-west-1:123456789012:function:${name}${qualifier ? `:${qualifier}` : ''}`;
const event = () => ({ version: '1', triggerSource: 'PreSignUp_SignUp', region: 'eu-west-1', userPoolId: 'eu-west-1_abc', userName: 'u', callerContext: { awsSdkVersion: 'x', clientId: 'c' }, request: {}, response: {} });

/** Waits (polling, no fixed sleep) until `check` holds. */
async function until(check: () => boolean, what: string): Promise<void> {
  for (let i = 0; i < 2000; i++) {
    if (check()) return;
    await new Promise((r) => setTimeout(r, 10));
  }
  throw new Error(`never: ${what}`);
}

describe('handler-file runner', () => {
  let dir: string;
  let config: { lambdaDir: string; lambdaEndpoint: undefined; region: string };
  let saved: WorkerLimits;
  const call = (name: string, qualifier?: string, e: Record<string, unknown> = event()) => invokeTrigger(config, 'PreSignUp', arn(name, qualifier), e as any);
  const rejectsWith = (p: Promise<unknown>, type: string, msg: string | RegExp) =>
    assert.rejects(p, (e: any) => {
      assert.equal(e.type, type);
      if (typeof msg === 'string') assert.equal(e.message, msg);
      else assert.match(e.message, msg);
      assert.ok(!e.message.includes(dir), `no server path in: ${e.message}`);
      return true;
    });

  before(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-runner-'));
    config = { lambdaDir: dir, lambdaEndpoint: undefined, region: 'us-east-1' };
    saved = setWorkerLimits({});
  });
  after(() => {
    setWorkerLimits(saved);
    fs.rmSync(dir, { recursive: true, force: true });
  });

  it('a busy function holds up no other function; a call queued behind it fails at its own deadline without starting', async () => {
    // gate: records each start, then waits until the release file exists.
    fs.writeFileSync(
      path.join(dir, 'gate.mjs'),
      `import fs from 'node:fs'; import path from 'node:path';
export const handler = async (event) => {
  fs.appendFileSync(path.join(${JSON.stringify(dir)}, 'gate.starts'), 'start\\n');
  while (!fs.existsSync(path.join(${JSON.stringify(dir)}, 'gate.release'))) await new Promise((r) => setTimeout(r, 10));
  event.response.gate = 'done';
  return event;
};\n`,
    );
    fs.writeFileSync(path.join(dir, 'quick.mjs'), `export const handler = async (event) => { event.response.quick = true; return event; };\n`);
    const starts = () => (fs.existsSync(path.join(dir, 'gate.starts')) ? fs.readFileSync(path.join(dir, 'gate.starts'), 'utf8').split('\n').filter(Boolean).length : 0);

    setWorkerLimits({ perFunction: 1, timeoutMs: 30_000 });
    let firstSettled = false;
    const first = call('gate').finally(() => (firstSettled = true));
    await until(() => starts() === 1, 'the first gate call starts');

    // A second call of the same function waits for its one environment; its deadline is short.
    setWorkerLimits({ timeoutMs: 300 });
    await rejectsWith(call('gate'), 'UnexpectedLambdaException', 'PreSignUp invocation failed due to error Socket timeout while invoking Lambda function.');
    assert.equal(firstSettled, false, 'the queued call failed while the first one still ran');
    assert.equal(starts(), 1, 'the queued call never started');

    // Another function runs at once, in its own environment, while gate is busy.
    setWorkerLimits({ timeoutMs: 30_000 });
    assert.deepEqual((await call('quick')).response, { quick: true });
    assert.equal(firstSettled, false);

    fs.writeFileSync(path.join(dir, 'gate.release'), '');
    assert.deepEqual((await first).response, { gate: 'done' });
  });

  it('up to perFunction calls of one function run at once, each in its own worker', async () => {
    fs.writeFileSync(
      path.join(dir, 'pair.mjs'),
      `import fs from 'node:fs'; import path from 'node:path'; import { threadId } from 'node:worker_threads';
export const handler = async (event) => {
  fs.appendFileSync(path.join(${JSON.stringify(dir)}, 'pair.starts'), threadId + '\\n');
  while (fs.readFileSync(path.join(${JSON.stringify(dir)}, 'pair.starts'), 'utf8').split('\\n').filter(Boolean).length < 2) await new Promise((r) => setTimeout(r, 10));
  event.response.thread = threadId;
  return event;
};\n`,
    );
    setWorkerLimits({ perFunction: 2, timeoutMs: 30_000 });
    // Each call finishes only once both have started: they ran side by side.
    const [a, b] = await Promise.all([call('pair'), call('pair')]);
    assert.notEqual(a.response.thread, b.response.thread);
  });

  it("context: the ARN as configured (with its qualifier), the version, Lambda's names; getRemainingTimeInMillis counts down from the limit", async () => {
    fs.writeFileSync(
      path.join(dir, 'ctx.cjs'),
      `exports.handler = async (event, context) => {
  const { getRemainingTimeInMillis, done, succeed, fail, ...fields } = context;
  event.response = { ...fields, remaining: getRemainingTimeInMillis() };
  return event;
};\n`,
    );
    setWorkerLimits({ perFunction: 10, timeoutMs: 5000 });
    const plain = (await call('ctx')).response as any;
    assert.equal(plain.invokedFunctionArn, arn('ctx'));
    assert.equal(plain.functionName, 'ctx');
    assert.equal(plain.functionVersion, '$LATEST');
    assert.equal(plain.memoryLimitInMB, '128');
    assert.equal(plain.logGroupName, '/aws/lambda/ctx');
    assert.match(plain.logStreamName, /^\d{4}\/\d{2}\/\d{2}\/\[\$LATEST\][0-9a-f]{32}$/);
    assert.match(plain.awsRequestId, /^[0-9a-f-]{36}$/);
    assert.ok(plain.remaining > 0 && plain.remaining <= 5000, `remaining ${plain.remaining}`);
    const again = (await call('ctx')).response as any;
    assert.notEqual(again.awsRequestId, plain.awsRequestId);

    const q = (await call('ctx', 'live')).response as any;
    assert.equal(q.invokedFunctionArn, arn('ctx', 'live'));
    assert.equal(q.functionVersion, 'live');
    assert.match(q.logStreamName, /\[live\]/);
    assert.equal(qualifierOf(arn('ctx', '7')), '7');
    assert.equal(qualifierOf(arn('ctx')), undefined);
  });

  it("environment: the pool's region and Lambda's variables; INCOGNITO_LAMBDA_ENV_<NAME> as <NAME>; none of the server's settings", async () => {
    const set = { INCOGNITO_MASTER_KEY: 'secret-key', DATABASE_URL: 'postgres://u:pw@db/x', INCOGNITO_LAMBDA_ENV_GREETING: 'hello', SESSION_SECRET: 'no', AWS_ENDPOINT_URL_KMS: 'http://127.0.0.1:1' };
    const before = Object.fromEntries(Object.keys(set).map((k) => [k, process.env[k]]));
    Object.assign(process.env, set);
    try {
      fs.writeFileSync(path.join(dir, 'envdump.mjs'), `export const handler = async (event) => { event.response = { env: { ...process.env }, cwd: process.cwd() }; return event; };\n`);
      const r = (await call('envdump', '3', { ...event(), region: 'ap-south-1' })).response as any;
      const env = r.env as Record<string, string>;
      assert.equal(env.AWS_REGION, 'ap-south-1');
      assert.equal(env.AWS_DEFAULT_REGION, 'ap-south-1');
      assert.equal(env.AWS_LAMBDA_FUNCTION_NAME, 'envdump');
      assert.equal(env.AWS_LAMBDA_FUNCTION_VERSION, '3');
      assert.equal(env.AWS_LAMBDA_FUNCTION_MEMORY_SIZE, '128');
      assert.equal(env.LAMBDA_TASK_ROOT, dir);
      assert.equal(env._HANDLER, 'envdump.handler');
      assert.match(env.AWS_EXECUTION_ENV!, /^AWS_Lambda_nodejs\d+\.x$/);
      assert.equal(env.GREETING, 'hello');
      assert.equal(env.AWS_ENDPOINT_URL_KMS, 'http://127.0.0.1:1');
      assert.equal(env.PATH, process.env.PATH);
      for (const k of Object.keys(env)) assert.ok(!k.startsWith('INCOGNITO_'), `${k} reached the function`);
      assert.equal(env.DATABASE_URL, undefined);
      assert.equal(env.SESSION_SECRET, undefined);
      // The server's own process.env is untouched by the function's.
      assert.equal(process.env.AWS_LAMBDA_FUNCTION_NAME, undefined);
    } finally {
      for (const [k, v] of Object.entries(before)) if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
    // The rule itself: Lambda's variables win over anything passed in.
    const e = lambdaEnvironment({ INCOGNITO_LAMBDA_ENV_AWS_REGION: 'xx', INCOGNITO_LAMBDA_ENV_X: '1', AWS_LAMBDA_FUNCTION_NAME: 'other', LC_ALL: 'C', NODE_ENV: 'test' }, { file: '/d/f.mjs', name: 'f', arn: arn('f'), region: 'eu-west-1' });
    assert.equal(e.AWS_REGION, 'eu-west-1');
    assert.equal(e.AWS_LAMBDA_FUNCTION_NAME, 'f');
    assert.equal(e.X, '1');
    assert.equal(e.LC_ALL, 'C');
    assert.equal(e.NODE_ENV, 'test');
  });

  it("broken files fail as on Lambda: UserLambdaValidationException with the runtime's message, and no server path", async () => {
    setWorkerLimits({ timeoutMs: 5000 });
    fs.writeFileSync(path.join(dir, 'noHandler.mjs'), `export const handle = async (e) => e;\n`);
    await rejectsWith(call('noHandler'), 'UserLambdaValidationException', 'PreSignUp failed with error noHandler.handler is undefined or not exported.');
    fs.writeFileSync(path.join(dir, 'syntax.mjs'), `export const handler = async (e) => { return e;;; }}\n`);
    await rejectsWith(call('syntax'), 'UserLambdaValidationException', /^PreSignUp failed with error SyntaxError: .+\.$/);
    fs.writeFileSync(path.join(dir, 'syntaxCjs.cjs'), `exports.handler = async (e) => { return e }}\n`);
    await rejectsWith(call('syntaxCjs'), 'UserLambdaValidationException', /^PreSignUp failed with error SyntaxError: .+\.$/);
    fs.writeFileSync(path.join(dir, 'missingImport.mjs'), `import x from 'no-such-package-anywhere'; export const handler = async (e) => e;\n`);
    await rejectsWith(call('missingImport'), 'UserLambdaValidationException', /^PreSignUp failed with error Error: Cannot find package 'no-such-package-anywhere'/);
    fs.writeFileSync(path.join(dir, 'missingRequire.cjs'), `require('./not-here.cjs'); exports.handler = async (e) => e;\n`);
    await rejectsWith(call('missingRequire'), 'UserLambdaValidationException', /^PreSignUp failed with error Error: Cannot find module '\.\/not-here\.cjs'/);
    fs.writeFileSync(path.join(dir, 'exits.mjs'), `export const handler = async () => { process.exit(3); };\n`);
    await rejectsWith(call('exits'), 'UserLambdaValidationException', /^PreSignUp failed with error RequestId: [0-9a-f-]{36} Error: Runtime exited with error: exit status 3\.$/);
    fs.writeFileSync(path.join(dir, 'exitsZero.mjs'), `export const handler = async () => { process.exit(0); };\n`);
    await rejectsWith(call('exitsZero'), 'UserLambdaValidationException', /^PreSignUp failed with error RequestId: [0-9a-f-]{36} Error: Runtime exited without providing a reason\.$/);
    fs.writeFileSync(path.join(dir, 'topThrow.mjs'), `throw new Error('cannot start'); export const handler = async (e) => e;\n`);
    await rejectsWith(call('topThrow'), 'UserLambdaValidationException', 'PreSignUp failed with error cannot start.');
    // The function's own error naming a file in its directory shows the file by its name only.
    fs.writeFileSync(path.join(dir, 'readsMissing.mjs'), `import fs from 'node:fs'; import path from 'node:path'; export const handler = async () => fs.readFileSync(path.join(${JSON.stringify(dir)}, 'data.json'));\n`);
    await rejectsWith(call('readsMissing'), 'UserLambdaValidationException', "PreSignUp failed with error ENOENT: no such file or directory, open 'data.json'.");
    assert.equal(scrub(`at file://${dir}/a.mjs:1 and ${dir}/b.js and ${dir}`, dir), 'at a.mjs:1 and b.js and .');
    // A CommonJS require stack ends in the runner's own file: shown as Lambda's runtime file, never the server's path.
    fs.writeFileSync(path.join(dir, 'cjsMissing.cjs'), `require('no-such-package-xyz'); exports.handler = async (e) => e;\n`);
    await assert.rejects(call('cjsMissing'), (e: any) => {
      assert.equal(e.type, 'UserLambdaValidationException');
      assert.match(e.message, /Cannot find module 'no-such-package-xyz'/);
      assert.ok(!e.message.includes(path.resolve('dist')) && !/\/src\/triggers\/worker\.js/.test(e.message), e.message);
      return true;
    });
  });

  it("a handler cannot signal the server's process, and its heap is bounded by the function's memory (128 MB)", async () => {
    setWorkerLimits({ timeoutMs: 5000 });
    fs.writeFileSync(path.join(dir, 'killer.mjs'), `export const handler = async (e) => { process.kill(process.pid, 'SIGTERM'); return e; };\n`);
    await rejectsWith(call('killer'), 'UserLambdaValidationException', "PreSignUp failed with error process.kill of the server's own process is not supported in handler files.");
    // This process (the server's stand-in here) is still running, and other calls work.
    fs.writeFileSync(path.join(dir, 'ok.mjs'), `export const handler = async (e) => { e.response.ok = true; return e; };\n`);
    assert.equal((await call('ok')).response.ok, true);
    // A runaway allocation ends the function's environment (Lambda's Runtime.ExitError), not the server.
    fs.writeFileSync(path.join(dir, 'hog.mjs'), `const keep = []; export const handler = async (e) => { for (;;) keep.push(new Array(1e5).fill({ x: Math.random() })); };\n`);
    await rejectsWith(call('hog'), 'UserLambdaValidationException', /^PreSignUp failed with error RequestId: [0-9a-f-]{36} Error: Runtime exited with error: /);
    assert.equal((await call('ok')).response.ok, true);
  });

  it("payload limits: a reply over 6 MB is Lambda's Function.ResponseSizeTooLarge (a function error); an event over 6 MB cannot be invoked", async () => {
    fs.writeFileSync(path.join(dir, 'huge.mjs'), `export const handler = async (event) => { event.response.big = 'x'.repeat(7 * 1024 * 1024); return event; };\n`);
    // Cognito adds its full stop after Lambda's message, which has its own.
    await rejectsWith(call('huge'), 'UserLambdaValidationException', 'PreSignUp failed with error Response payload size exceeded maximum allowed payload size (6291556 bytes)..');
    fs.writeFileSync(path.join(dir, 'fine.mjs'), `export const handler = async (event) => { event.response.big = 'x'.repeat(5 * 1024 * 1024); return event; };\n`);
    assert.equal(((await call('fine')).response.big as string).length, 5 * 1024 * 1024);
    await rejectsWith(call('fine', undefined, { ...event(), request: { clientMetadata: { k: 'y'.repeat(6_291_456) } } }), 'UnexpectedLambdaException', 'PreSignUp invocation failed due to error RequestTooLargeException.');
  });
});

it("booleans in trigger replies are read as Cognito's Jackson reads them: true/false, the strings 'true'/'false', integers; anything else is unrecognizable", () => {
  for (const v of [true, 'true', 'TRUE', ' True ', 1, -3]) assert.equal(replyBoolean(v), true, JSON.stringify(v));
  for (const v of [false, 'false', 'False', '', 0, null, undefined]) assert.equal(replyBoolean(v), false, JSON.stringify(v));
  for (const v of ['yes', '1', 1.5, {}, [], [true]]) {
    assert.throws(() => replyBoolean(v), (e: any) => e.type === 'InvalidLambdaResponseException' && e.message === 'Unrecognizable lambda output', JSON.stringify(v));
  }
});

it('PreTokenGeneration V1 claim values: strings, scalars as their text, null left out; objects and lists unrecognizable', () => {
  assert.deepEqual(v1Claims({ a: 'x', n: 1.5, b: false, z: null }), { a: 'x', n: '1.5', b: 'false' });
  for (const v of [{}, [], ['a']]) assert.throws(() => v1Claims({ c: v }), (e: any) => e.type === 'InvalidLambdaResponseException');
});

it("callerContext.awsSdkVersion: an AWS SDK's agent token as Cognito reports it, else aws-sdk-unknown-unknown", () => {
  const ua = (userAgent?: string, sdkUserAgent?: string) => awsSdkVersion({ userAgent, sdkUserAgent });
  assert.equal(ua('aws-sdk-js/3.535.0 ua/2.1 os/linux#6.1 lang/js md/nodejs#20.11.0 api/cognito-identity-provider#3.535.0'), 'aws-sdk-js-3.535.0');
  assert.equal(ua('Mozilla/5.0 (X11; Linux x86_64) Chrome/120.0', 'aws-sdk-js/3.600.0 ua/2.0 os/Linux lang/js md/browser#Chrome_120'), 'aws-sdk-js-3.600.0');
  assert.equal(ua('aws-sdk-java/2.20.43 Linux/5.10 OpenJDK_64-Bit_Server_VM/17'), 'aws-sdk-java-2.20.43');
  assert.equal(ua('aws-sdk-iOS/2.9.3 iOS/12.1 en_US'), 'aws-sdk-ios-2.9.3');
  assert.equal(ua('aws-sdk-android/2.16.0 Linux/4.4 Dalvik/2.1.0/0 en_US'), 'aws-sdk-android-2.16.0');
  assert.equal(ua('aws-sdk-nodejs/2.1500.0 linux/v20.11.0'), 'aws-sdk-nodejs-2.1500.0');
  assert.equal(ua('Boto3/1.34.0 md/Botocore#1.34.0 ua/2.0 os/linux#6.1 lang/python#3.11 Botocore/1.34.0'), 'aws-sdk-unknown-unknown');
  assert.equal(ua('aws-cli/2.15.0 md/awscrt#0.19.19 ua/2.0 os/linux#6.1'), 'aws-sdk-unknown-unknown');
  assert.equal(ua('Mozilla/5.0 (Macintosh) Safari/605.1.15'), 'aws-sdk-unknown-unknown');
  assert.equal(ua(undefined), 'aws-sdk-unknown-unknown');
  assert.equal(awsSdkVersion(undefined), 'aws-sdk-unknown-unknown');
  // An agent token of any length does not become an event member of that length.
  assert.equal(ua(`aws-sdk-${'x'.repeat(3000)}/1`), 'aws-sdk-unknown-unknown');
});
