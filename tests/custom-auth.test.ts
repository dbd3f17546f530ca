/**
 * Custom authentication (CUSTOM_AUTH) through the AWS SDK v3 over HTTP, on each store, with the
 * three functions as handler files (--lambda-dir) and behind the Lambda Invoke API (a stand-in
 * serving POST /2015-03-31/functions/{FunctionName}/invocations, --lambda-endpoint):
 * DefineAuthChallenge -> CreateAuthChallenge -> CUSTOM_CHALLENGE -> ANSWER -> VerifyAuthChallengeResponse
 * -> DefineAuthChallenge, with and without SRP first, the session history each function is sent,
 * the private parameters kept in the sealed session, userNotFound, failAuthentication, the round
 * cap, session expiry, MFA after the password, the surrounding triggers, and Cognito's errors.
 * The real clients (aws-amplify v6, amazon-cognito-identity-js) are at the end.
 */
import { after, afterEach, before, describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import {
  AdminCreateUserCommand,
  AdminDisableUserCommand,
  AdminInitiateAuthCommand,
  AdminRespondToAuthChallengeCommand,
  AdminSetUserPasswordCommand,
  AssociateSoftwareTokenCommand,
  CreateUserPoolClientCommand,
  CreateUserPoolCommand,
  InitiateAuthCommand,
  RespondToAuthChallengeCommand,
  SetUserMFAPreferenceCommand,
  SetUserPoolMfaConfigCommand,
  VerifySoftwareTokenCommand,
  type ExplicitAuthFlowsType,
  type LambdaConfigType,
} from '@aws-sdk/client-cognito-identity-provider';
import { AuthenticationDetails, CognitoUser, CognitoUserPool, type CognitoUserSession } from 'amazon-cognito-identity-js';
import { Amplify } from 'aws-amplify';
import { confirmSignIn, fetchAuthSession, signIn, signOut } from 'aws-amplify/auth';
import { cognitoUserPoolsTokenProvider } from 'aws-amplify/auth/cognito';
import { CognitoJwtVerifier } from 'aws-jwt-verify';
import type { Jwks } from 'aws-jwt-verify/jwk';
import { giveNavigator, memoryStorage, recordCognitoCalls, totpAt } from './client-fixtures.js';
import { backends, expectError, startTestServer, TestClock, type TestServer } from './harness.js';
import { lambdaStandIn } from './lambda-fixtures.js';
import { SrpClient } from './srp-client.js';

const PASSWORD = 'Correct-Horse-9';
const ANSWER = '42';
const FLOWS = ['ALLOW_CUSTOM_AUTH', 'ALLOW_USER_SRP_AUTH', 'ALLOW_USER_PASSWORD_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] as ExplicitAuthFlowsType[];
const arn = (name: string) => `arn:aws:lambda:us-east-1:123456789012:function:${name}`;

const calls = recordCognitoCalls();
giveNavigator();

/**
 * The three functions, as a developer writes them: Define asks SRP's PASSWORD_VERIFIER after SRP_A,
 * then a custom challenge; three wrong answers fail. clientMetadata.mode 'loop' asks a challenge
 * forever, 'undecided' answers nothing; the user 'boom' makes Define throw. Create asks "six times
 * seven" (round as a number, which Cognito's string maps read as a string), Verify compares with
 * the private answer.
 */
const DEFINE = `(event) => {
  if (event.userName === 'boom') throw new Error('define is down');
  const mode = event.request.clientMetadata && event.request.clientMetadata.mode;
  if (mode === 'undecided') return event;
  const s = event.request.session;
  const last = s[s.length - 1];
  const customs = s.filter((x) => x.challengeName === 'CUSTOM_CHALLENGE');
  const next = (name) => { event.response.challengeName = name; event.response.issueTokens = false; event.response.failAuthentication = false; };
  if (mode === 'loop') next('CUSTOM_CHALLENGE');
  else if (!last) next('CUSTOM_CHALLENGE');
  else if (last.challengeName === 'SRP_A') next('PASSWORD_VERIFIER');
  else if (last.challengeName === 'CUSTOM_CHALLENGE' && last.challengeResult === true) { event.response.issueTokens = true; event.response.failAuthentication = false; }
  else if (last.challengeResult === true) next('CUSTOM_CHALLENGE');
  else if (customs.length < 3) next('CUSTOM_CHALLENGE');
  else { event.response.issueTokens = false; event.response.failAuthentication = true; }
  return event;
}`;
const CREATE = `(event) => {
  const round = event.request.session.filter((x) => x.challengeName === 'CUSTOM_CHALLENGE').length + 1;
  event.response.publicChallengeParameters = { question: 'six times seven?', round };
  event.response.privateChallengeParameters = { answer: '${ANSWER}' };
  event.response.challengeMetadata = 'ROUND-' + round;
  return event;
}`;
const VERIFY = `(event) => {
  event.response.answerCorrect = event.request.challengeAnswer === event.request.privateChallengeParameters.answer;
  return event;
}`;
const LOGGED = `(event) => { log(event); return event; }`;

/** A handler file: `body` runs with `event` (after it is logged to events.log) and returns the event. */
function handlerFile(dir: string, name: string, body: string) {
  const log = `(e) => fs.appendFileSync(path.join(dir, 'events.log'), JSON.stringify({ fn: ${JSON.stringify(name)}, event: e }) + '\\n')`;
  const src = `import { createHmac } from 'node:crypto';
import fs from 'node:fs'; import path from 'node:path'; import { fileURLToPath } from 'node:url';\nconst dir = path.dirname(fileURLToPath(import.meta.url)); const log = ${log};\nexport const handler = ${body};\n`;
  fs.writeFileSync(path.join(dir, name + '.mjs'), src);
}
const logged = (logic: string) => `async (event) => { log(JSON.parse(JSON.stringify(event))); return (${logic})(event); }`;

function eventsOf(dir: string, name: string, poolId: string): any[] {
  const file = path.join(dir, 'events.log');
  if (!fs.existsSync(file)) return [];
  return fs
    .readFileSync(file, 'utf8')
    .split('\n')
    .filter(Boolean)
    .map((l) => JSON.parse(l))
    .filter((r) => r.fn === name && r.event.userPoolId === poolId)
    .map((r) => r.event);
}


const entry = (challengeName: string, challengeResult: boolean, challengeMetadata: string | null = null) => ({ challengeName, challengeResult, challengeMetadata });

for (const backend of await backends()) {
  describe(`Custom authentication (${backend.name})`, () => {
    const clock = new TestClock();
    let t: TestServer;
    let dir: string;
    let standIn: Awaited<ReturnType<typeof lambdaStandIn>>;
    const send = (c: any): Promise<any> => t.cognito.send(c);

    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-custom-auth-'));
      handlerFile(dir, 'define', logged(DEFINE));
      handlerFile(dir, 'create', logged(CREATE));
      handlerFile(dir, 'verify', logged(VERIFY));
      handlerFile(dir, 'preAuth', LOGGED);
      handlerFile(dir, 'postAuth', LOGGED);
      handlerFile(dir, 'preToken', `async (event) => { log(event); event.response = { claimsOverrideDetails: { claimsToAddOrOverride: { via: 'custom' } } }; return event; }`);
      standIn = await lambdaStandIn();
      t = await startTestServer(backend, { lambdaDir: dir, lambdaEndpoint: standIn.url, issuer: 'cognito' }, { clock: clock.now });
    });
    after(async () => {
      await t?.close();
      await standIn?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    const CUSTOM: LambdaConfigType = { DefineAuthChallenge: arn('define'), CreateAuthChallenge: arn('create'), VerifyAuthChallengeResponse: arn('verify') };
    async function pool(LambdaConfig: LambdaConfigType = CUSTOM, client: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
      const poolId = (await send(new CreateUserPoolCommand({ PoolName: 'custom', LambdaConfig, ...extra }))).UserPool.Id as string;
      const clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'app', ExplicitAuthFlows: FLOWS, ...client }))).UserPoolClient.ClientId as string;
      return { poolId, clientId };
    }
    async function user(poolId: string, Username: string) {
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS', UserAttributes: [{ Name: 'email', Value: `${Username}@example.com` }] }));
      await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
    }
    const initiate = (ClientId: string, AuthParameters: Record<string, string>, ClientMetadata?: Record<string, string>) =>
      send(new InitiateAuthCommand({ ClientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters, ...(ClientMetadata ? { ClientMetadata } : {}) }));
    const respond = (ClientId: string, Session: string, ChallengeResponses: Record<string, string>, ChallengeName = 'CUSTOM_CHALLENGE', ClientMetadata?: Record<string, string>) =>
      send(new RespondToAuthChallengeCommand({ ClientId, ChallengeName: ChallengeName as any, Session, ChallengeResponses, ...(ClientMetadata ? { ClientMetadata } : {}) }));

    it('without SRP: Define, Create, CUSTOM_CHALLENGE (public parameters and USERNAME, never the private ones), a wrong ANSWER, a new round, the right one: tokens; every event and its session history', async () => {
      const LambdaConfig = { ...CUSTOM, PreAuthentication: arn('preAuth'), PostAuthentication: arn('postAuth'), PreTokenGeneration: arn('preToken') };
      const { poolId, clientId } = await pool(LambdaConfig);
      await user(poolId, 'ann');
      const first = await initiate(clientId, { USERNAME: 'ann' }, { from: 'initiate' });
      assert.equal(first.ChallengeName, 'CUSTOM_CHALLENGE');
      assert.deepEqual(first.ChallengeParameters, { question: 'six times seven?', round: '1', USERNAME: 'ann' });
      assert.ok(first.Session && !first.Session.includes(ANSWER));
      assert.equal(first.AuthenticationResult, undefined);

      const second = await respond(clientId, first.Session, { USERNAME: 'ann', ANSWER: '41' }, 'CUSTOM_CHALLENGE', { from: 'respond' });
      assert.equal(second.ChallengeName, 'CUSTOM_CHALLENGE');
      assert.deepEqual(second.ChallengeParameters, { question: 'six times seven?', round: '2', USERNAME: 'ann' });
      assert.notEqual(second.Session, first.Session);
      // A session answers once.
      await expectError(respond(clientId, first.Session, { USERNAME: 'ann', ANSWER }), 'NotAuthorizedException', 'Invalid session for the user, session can only be used once.');

      const done = await respond(clientId, second.Session, { USERNAME: 'ann', ANSWER }, 'CUSTOM_CHALLENGE', { from: 'respond' });
      assert.deepEqual(done.ChallengeParameters, {});
      const jwks = (await (await fetch(`${t.url}/${poolId}/.well-known/jwks.json`)).json()) as Jwks;
      const idVerifier = CognitoJwtVerifier.create({ userPoolId: poolId, tokenUse: 'id', clientId });
      idVerifier.cacheJwks(jwks);
      const id = await idVerifier.verify(done.AuthenticationResult.IdToken);
      assert.equal(id['cognito:username'], 'ann');
      assert.equal(id.via, 'custom');

      const defines = eventsOf(dir, 'define', poolId);
      assert.deepEqual(
        defines.map((e) => e.request.session),
        [[], [entry('CUSTOM_CHALLENGE', false, 'ROUND-1')], [entry('CUSTOM_CHALLENGE', false, 'ROUND-1'), entry('CUSTOM_CHALLENGE', true, 'ROUND-2')]],
      );
      for (const e of defines) {
        assert.equal(e.version, '1');
        assert.equal(e.triggerSource, 'DefineAuthChallenge_Authentication');
        assert.equal(e.userName, 'ann');
        assert.equal(e.callerContext.clientId, clientId);
        assert.equal(e.request.userAttributes.email, 'ann@example.com');
        assert.equal(e.request.userAttributes['cognito:user_status'], 'CONFIRMED');
        assert.equal(e.request.userNotFound, undefined, 'only with PreventUserExistenceErrors');
        assert.deepEqual(e.response, { issueTokens: false, failAuthentication: false });
      }
      // InitiateAuth's ClientMetadata goes to PreAuthentication only; RespondToAuthChallenge's to the three.
      assert.equal(defines[0].request.clientMetadata, undefined);
      assert.deepEqual(defines[1].request.clientMetadata, { from: 'respond' });
      const creates = eventsOf(dir, 'create', poolId);
      assert.deepEqual(creates.map((e) => [e.triggerSource, e.request.challengeName, e.request.session.length]), [
        ['CreateAuthChallenge_Authentication', 'CUSTOM_CHALLENGE', 0],
        ['CreateAuthChallenge_Authentication', 'CUSTOM_CHALLENGE', 1],
      ]);
      assert.deepEqual(creates[0].response, { publicChallengeParameters: {}, privateChallengeParameters: {}, challengeMetadata: null });
      const verifies = eventsOf(dir, 'verify', poolId);
      assert.deepEqual(verifies.map((e) => [e.triggerSource, e.request.challengeAnswer, e.request.privateChallengeParameters]), [
        ['VerifyAuthChallengeResponse_Authentication', '41', { answer: ANSWER }],
        ['VerifyAuthChallengeResponse_Authentication', ANSWER, { answer: ANSWER }],
      ]);
      assert.deepEqual(verifies[0].request.clientMetadata, { from: 'respond' });
      assert.deepEqual(verifies[0].response, { answerCorrect: false });
      const [pre] = eventsOf(dir, 'preAuth', poolId);
      assert.deepEqual(pre.request.validationData, { from: 'initiate' });
      assert.equal(eventsOf(dir, 'postAuth', poolId).length, 1);
      const [token] = eventsOf(dir, 'preToken', poolId);
      assert.equal(token.triggerSource, 'TokenGeneration_Authentication');
      assert.deepEqual(token.request.clientMetadata, { from: 'respond' });
    });

    it('AdminInitiateAuth and AdminRespondToAuthChallenge: the same flow server-side', async () => {
      const { poolId, clientId } = await pool();
      await user(poolId, 'adm');
      const c = await send(new AdminInitiateAuthCommand({ UserPoolId: poolId, ClientId: clientId, AuthFlow: 'CUSTOM_AUTH', AuthParameters: { USERNAME: 'adm' } }));
      assert.equal(c.ChallengeName, 'CUSTOM_CHALLENGE');
      const r = await send(
        new AdminRespondToAuthChallengeCommand({ UserPoolId: poolId, ClientId: clientId, ChallengeName: 'CUSTOM_CHALLENGE', Session: c.Session, ChallengeResponses: { USERNAME: 'adm', ANSWER } }),
      );
      assert.ok(r.AuthenticationResult.AccessToken);
    });

    it('with SRP first: session [SRP_A] -> PASSWORD_VERIFIER (with a Session) -> [SRP_A, PASSWORD_VERIFIER] -> CUSTOM_CHALLENGE -> tokens; a wrong password is a wrong password', async () => {
      const { poolId, clientId } = await pool();
      await user(poolId, 'bea');
      const srp = new SrpClient(poolId);
      const pv = await initiate(clientId, { USERNAME: 'bea', SRP_A: srp.A, CHALLENGE_NAME: 'SRP_A' });
      assert.equal(pv.ChallengeName, 'PASSWORD_VERIFIER');
      assert.equal(pv.ChallengeParameters.USER_ID_FOR_SRP, 'bea');
      assert.ok(pv.Session, 'Amplify answers with the Session');
      const custom = await respond(clientId, pv.Session, srp.respond(pv.ChallengeParameters, PASSWORD), 'PASSWORD_VERIFIER');
      assert.equal(custom.ChallengeName, 'CUSTOM_CHALLENGE');
      assert.deepEqual(custom.ChallengeParameters, { question: 'six times seven?', round: '1', USERNAME: 'bea' });
      const done = await respond(clientId, custom.Session, { USERNAME: 'bea', ANSWER });
      assert.ok(done.AuthenticationResult.AccessToken);
      assert.deepEqual(
        eventsOf(dir, 'define', poolId).map((e) => e.request.session),
        [[entry('SRP_A', true)], [entry('SRP_A', true), entry('PASSWORD_VERIFIER', true)], [entry('SRP_A', true), entry('PASSWORD_VERIFIER', true), entry('CUSTOM_CHALLENGE', true, 'ROUND-1')]],
      );

      const other = new SrpClient(poolId);
      const pv2 = await initiate(clientId, { USERNAME: 'bea', SRP_A: other.A, CHALLENGE_NAME: 'SRP_A' });
      await expectError(respond(clientId, pv2.Session, other.respond(pv2.ChallengeParameters, 'Wrong-Horse-9'), 'PASSWORD_VERIFIER'), 'NotAuthorizedException', 'Incorrect username or password.');
      // Define is not asked about a failed password.
      assert.equal(eventsOf(dir, 'define', poolId).length, 4);
    });

    it('failAuthentication: NotAuthorizedException "Incorrect username or password."; wrong answers do not count toward the lockout', async () => {
      const { poolId, clientId } = await pool();
      await user(poolId, 'cal');
      for (let attempt = 0; attempt < 2; attempt++) {
        let r = await initiate(clientId, { USERNAME: 'cal' });
        for (let i = 0; i < 2; i++) r = await respond(clientId, r.Session, { USERNAME: 'cal', ANSWER: 'no' });
        await expectError(respond(clientId, r.Session, { USERNAME: 'cal', ANSWER: 'no' }), 'NotAuthorizedException', 'Incorrect username or password.');
      }
      // Six wrong answers; five wrong passwords would lock the user out.
      const ok = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'cal', PASSWORD } }));
      assert.ok(ok.AuthenticationResult.AccessToken);
    });

    it('a sign-in has at most 8 custom challenges: Define asking a ninth fails it', async () => {
      const { poolId, clientId } = await pool();
      await user(poolId, 'dee');
      let r = await initiate(clientId, { USERNAME: 'dee' });
      for (let round = 1; round < 8; round++) {
        r = await respond(clientId, r.Session, { USERNAME: 'dee', ANSWER: 'no' }, 'CUSTOM_CHALLENGE', { mode: 'loop' });
        assert.equal(r.ChallengeParameters.round, String(round + 1));
      }
      await expectError(respond(clientId, r.Session, { USERNAME: 'dee', ANSWER: 'no' }, 'CUSTOM_CHALLENGE', { mode: 'loop' }), 'NotAuthorizedException', 'Incorrect username or password.');
      assert.equal(eventsOf(dir, 'create', poolId).length, 8);
    });

    it('a session expires after the client\'s AuthSessionValidity (3 minutes by default)', async () => {
      const { poolId, clientId } = await pool();
      await user(poolId, 'eli');
      const r = await initiate(clientId, { USERNAME: 'eli' });
      clock.advance(3 * 60_000);
      await expectError(respond(clientId, r.Session, { USERNAME: 'eli', ANSWER }), 'NotAuthorizedException', 'Invalid session for the user, session is expired.');
    });

    it('userNotFound: with PreventUserExistenceErrors Define, Create and Verify run for a name that is nobody\'s, and it never signs in; without it, UserNotFoundException', async () => {
      const { poolId, clientId } = await pool(CUSTOM, { PreventUserExistenceErrors: 'ENABLED' });
      await user(poolId, 'fay');
      const r = await initiate(clientId, { USERNAME: 'ghost' });
      assert.equal(r.ChallengeName, 'CUSTOM_CHALLENGE');
      assert.deepEqual(r.ChallengeParameters, { question: 'six times seven?', round: '1', USERNAME: 'ghost' });
      await expectError(respond(clientId, r.Session, { USERNAME: 'ghost', ANSWER }), 'NotAuthorizedException', 'Incorrect username or password.');
      const defines = eventsOf(dir, 'define', poolId);
      assert.deepEqual(defines.map((e) => [e.userName, e.request.userNotFound, e.request.userAttributes]), [
        ['ghost', true, {}],
        ['ghost', true, {}],
      ]);
      assert.equal(eventsOf(dir, 'verify', poolId)[0].request.userNotFound, true);
      // The real user: userNotFound false.
      await initiate(clientId, { USERNAME: 'fay' });
      assert.equal(eventsOf(dir, 'define', poolId).at(-1).request.userNotFound, false);

      const legacy = await pool();
      await expectError(initiate(legacy.clientId, { USERNAME: 'ghost' }), 'UserNotFoundException', 'User does not exist.');
    });

    it('errors: the client must allow CUSTOM_AUTH, the pool must have DefineAuthChallenge; USERNAME; a disabled user; Define throwing, deciding nothing, asking what it may not', async () => {
      const a = await pool(CUSTOM, { ExplicitAuthFlows: ['ALLOW_USER_SRP_AUTH', 'ALLOW_REFRESH_TOKEN_AUTH'] });
      await expectError(initiate(a.clientId, { USERNAME: 'x' }), 'InvalidParameterException', 'Custom auth flow not enabled for this client');
      const b = await pool({});
      await expectError(initiate(b.clientId, { USERNAME: 'x' }), 'InvalidParameterException', 'Custom auth lambda trigger is not configured for the user pool.');
      const { poolId, clientId } = await pool();
      await expectError(initiate(clientId, {}), 'InvalidParameterException', 'Missing required parameter USERNAME');
      await user(poolId, 'boom');
      await expectError(initiate(clientId, { USERNAME: 'boom' }), 'UserLambdaValidationException', 'DefineAuthChallenge failed with error define is down.');
      await user(poolId, 'gus');
      const r = await initiate(clientId, { USERNAME: 'gus' });
      await expectError(respond(clientId, r.Session, { USERNAME: 'gus', ANSWER }, 'CUSTOM_CHALLENGE', { mode: 'undecided' }), 'InvalidLambdaResponseException', 'Unrecognizable lambda output');
      // PASSWORD_VERIFIER, asked of a sign-in that did not start with SRP_A.
      handlerFile(dir, 'definePv', `async (event) => { event.response.challengeName = 'PASSWORD_VERIFIER'; return event; }`);
      const c = await pool({ ...CUSTOM, DefineAuthChallenge: arn('definePv') });
      await user(c.poolId, 'hal');
      await expectError(initiate(c.clientId, { USERNAME: 'hal' }), 'InvalidParameterException', /did not start with SRP/);
      // A Create that answers something that is not a string map.
      handlerFile(dir, 'createBad', `async (event) => { event.response.publicChallengeParameters = { nested: { a: 1 } }; return event; }`);
      const d = await pool({ ...CUSTOM, CreateAuthChallenge: arn('createBad') });
      await user(d.poolId, 'ida');
      await expectError(initiate(d.clientId, { USERNAME: 'ida' }), 'InvalidLambdaResponseException', 'Unrecognizable lambda output');
      // A disabled user.
      await send(new AdminDisableUserCommand({ UserPoolId: poolId, Username: 'gus' }));
      await expectError(initiate(clientId, { USERNAME: 'gus' }), 'NotAuthorizedException', 'User is disabled.');
      // The answer needs ANSWER and a Session.
      await user(poolId, 'jo');
      const j = await initiate(clientId, { USERNAME: 'jo' });
      await expectError(respond(clientId, j.Session, { USERNAME: 'jo' }), 'InvalidParameterException', 'Missing required parameter ANSWER');
    });

    it('a temporary password: a custom sign-in without it signs in (no NEW_PASSWORD_REQUIRED); with SRP first, NEW_PASSWORD_REQUIRED follows the password, then Define; SECRET_HASH on a client with a secret', async () => {
      const { poolId, clientId } = await pool();
      await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username: 'tom', TemporaryPassword: 'Temp-Pass-123', MessageAction: 'SUPPRESS' }));
      const plain = await initiate(clientId, { USERNAME: 'tom' });
      const tokens = await respond(clientId, plain.Session, { USERNAME: 'tom', ANSWER });
      assert.ok(tokens.AuthenticationResult.AccessToken);
      assert.equal(eventsOf(dir, 'define', poolId)[0].request.userAttributes['cognito:user_status'], 'FORCE_CHANGE_PASSWORD');

      const srp = new SrpClient(poolId);
      const pv = await initiate(clientId, { USERNAME: 'tom', SRP_A: srp.A, CHALLENGE_NAME: 'SRP_A' });
      const np = await respond(clientId, pv.Session, srp.respond(pv.ChallengeParameters, 'Temp-Pass-123'), 'PASSWORD_VERIFIER');
      assert.equal(np.ChallengeName, 'NEW_PASSWORD_REQUIRED');
      const custom = await respond(clientId, np.Session, { USERNAME: 'tom', NEW_PASSWORD: PASSWORD }, 'NEW_PASSWORD_REQUIRED');
      assert.equal(custom.ChallengeName, 'CUSTOM_CHALLENGE');
      assert.deepEqual(eventsOf(dir, 'define', poolId).at(-1).request.session, [entry('SRP_A', true), entry('PASSWORD_VERIFIER', true)]);
      assert.ok((await respond(clientId, custom.Session, { USERNAME: 'tom', ANSWER })).AuthenticationResult.AccessToken);

      const secret = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'server', ExplicitAuthFlows: FLOWS, GenerateSecret: true }))).UserPoolClient;
      const hash = (name: string) => createHmac('sha256', secret.ClientSecret).update(name + secret.ClientId).digest('base64');
      await expectError(initiate(secret.ClientId, { USERNAME: 'tom' }), 'NotAuthorizedException', `Client ${secret.ClientId} is configured for secret but secret was not received`);
      const c = await initiate(secret.ClientId, { USERNAME: 'tom', SECRET_HASH: hash('tom') });
      await expectError(respond(secret.ClientId, c.Session, { USERNAME: 'tom', ANSWER, SECRET_HASH: hash('other') }), 'NotAuthorizedException', `Unable to verify secret hash for client ${secret.ClientId}`);
    });

    it('MFA follows the password: SRP first, then SOFTWARE_TOKEN_MFA, then Define with it in the history; a custom sign-in without the password asks none', async () => {
      const { poolId, clientId } = await pool();
      await send(new SetUserPoolMfaConfigCommand({ UserPoolId: poolId, MfaConfiguration: 'ON', SoftwareTokenMfaConfiguration: { Enabled: true } }));
      await user(poolId, 'kit');
      // The token is set up through a first sign-in (MFA_SETUP) by password.
      const setup = await send(new InitiateAuthCommand({ ClientId: clientId, AuthFlow: 'USER_PASSWORD_AUTH', AuthParameters: { USERNAME: 'kit', PASSWORD } }));
      assert.equal(setup.ChallengeName, 'MFA_SETUP');
      const assoc = await send(new AssociateSoftwareTokenCommand({ Session: setup.Session }));
      const verified = await send(new VerifySoftwareTokenCommand({ Session: assoc.Session, UserCode: totpAt(assoc.SecretCode, clock.now()) }));
      const signedIn = await respond(clientId, verified.Session, { USERNAME: 'kit' }, 'MFA_SETUP');
      await send(new SetUserMFAPreferenceCommand({ AccessToken: signedIn.AuthenticationResult.AccessToken, SoftwareTokenMfaSettings: { Enabled: true, PreferredMfa: true } }));
      clock.advance(30_000);

      const srp = new SrpClient(poolId);
      const pv = await initiate(clientId, { USERNAME: 'kit', SRP_A: srp.A, CHALLENGE_NAME: 'SRP_A' });
      const mfa = await respond(clientId, pv.Session, srp.respond(pv.ChallengeParameters, PASSWORD), 'PASSWORD_VERIFIER');
      assert.equal(mfa.ChallengeName, 'SOFTWARE_TOKEN_MFA');
      const custom = await respond(clientId, mfa.Session, { USERNAME: 'kit', SOFTWARE_TOKEN_MFA_CODE: totpAt(assoc.SecretCode, clock.now()) }, 'SOFTWARE_TOKEN_MFA');
      assert.equal(custom.ChallengeName, 'CUSTOM_CHALLENGE');
      const done = await respond(clientId, custom.Session, { USERNAME: 'kit', ANSWER });
      assert.ok(done.AuthenticationResult.AccessToken);
      assert.deepEqual(eventsOf(dir, 'define', poolId).at(-2).request.session, [entry('SRP_A', true), entry('PASSWORD_VERIFIER', true), entry('SOFTWARE_TOKEN_MFA', true)]);

      const plain = await initiate(clientId, { USERNAME: 'kit' });
      assert.equal(plain.ChallengeName, 'CUSTOM_CHALLENGE');
      assert.ok((await respond(clientId, plain.Session, { USERNAME: 'kit', ANSWER })).AuthenticationResult.AccessToken);
    });

    it('through the Lambda Invoke API: the three functions at the endpoint, with the ARN as FunctionName', async () => {
      const define = (0, eval)(DEFINE) as (e: any) => any;
      const create = (0, eval)(CREATE) as (e: any) => any;
      const verify = (0, eval)(VERIFY) as (e: any) => any;
      standIn.functions.remoteDefine = define;
      standIn.functions.remoteCreate = create;
      standIn.functions.remoteVerify = verify;
      const { poolId, clientId } = await pool({ DefineAuthChallenge: arn('remoteDefine'), CreateAuthChallenge: arn('remoteCreate'), VerifyAuthChallengeResponse: arn('remoteVerify') });
      await user(poolId, 'lou');
      const first = await initiate(clientId, { USERNAME: 'lou' });
      assert.deepEqual(first.ChallengeParameters, { question: 'six times seven?', round: '1', USERNAME: 'lou' });
      const second = await respond(clientId, first.Session, { USERNAME: 'lou', ANSWER: 'no' });
      const done = await respond(clientId, second.Session, { USERNAME: 'lou', ANSWER });
      assert.ok(done.AuthenticationResult.AccessToken);
      const mine = standIn.calls.filter((c) => c.event.userPoolId === poolId);
      assert.deepEqual(mine.map((c) => c.event.triggerSource), [
        'DefineAuthChallenge_Authentication',
        'CreateAuthChallenge_Authentication',
        'VerifyAuthChallengeResponse_Authentication',
        'DefineAuthChallenge_Authentication',
        'CreateAuthChallenge_Authentication',
        'VerifyAuthChallengeResponse_Authentication',
        'DefineAuthChallenge_Authentication',
      ]);
      assert.equal(mine[0]!.fn, arn('remoteDefine'));
      assert.deepEqual(mine[6]!.event.request.session, [entry('CUSTOM_CHALLENGE', false, 'ROUND-1'), entry('CUSTOM_CHALLENGE', true, 'ROUND-2')]);
      // A function error at the endpoint.
      standIn.functions.remoteVerify = () => 42;
      const r = await initiate(clientId, { USERNAME: 'lou' });
      await expectError(respond(clientId, r.Session, { USERNAME: 'lou', ANSWER }), 'InvalidLambdaResponseException', 'Unrecognizable lambda output');
    });
  });

  describe(`Custom authentication with real clients (${backend.name})`, () => {
    let t: TestServer;
    let dir: string;
    let poolId: string;
    let clientId: string;
    const send = (c: any): Promise<any> => t.cognito.send(c);
    before(async () => {
      dir = fs.mkdtempSync(path.join(os.tmpdir(), 'incognito-custom-clients-'));
      handlerFile(dir, 'define', logged(DEFINE));
      handlerFile(dir, 'create', logged(CREATE));
      handlerFile(dir, 'verify', logged(VERIFY));
      t = await startTestServer(backend, { lambdaDir: dir });
      poolId = (
        await send(new CreateUserPoolCommand({ PoolName: 'clients', LambdaConfig: { DefineAuthChallenge: arn('define'), CreateAuthChallenge: arn('create'), VerifyAuthChallengeResponse: arn('verify') } }))
      ).UserPool.Id;
      clientId = (await send(new CreateUserPoolClientCommand({ UserPoolId: poolId, ClientName: 'web', ExplicitAuthFlows: FLOWS }))).UserPoolClient.ClientId;
      for (const Username of ['amy', 'ben', 'cat', 'dan']) {
        await send(new AdminCreateUserCommand({ UserPoolId: poolId, Username, MessageAction: 'SUPPRESS' }));
        await send(new AdminSetUserPasswordCommand({ UserPoolId: poolId, Username, Password: PASSWORD, Permanent: true }));
      }
    });
    after(async () => {
      await t?.close();
      fs.rmSync(dir, { recursive: true, force: true });
    });

    describe('aws-amplify v6', () => {
      afterEach(() => signOut());
      function configure() {
        const data = new Map<string, string>();
        Amplify.configure({ Auth: { Cognito: { userPoolId: poolId, userPoolClientId: clientId, userPoolEndpoint: t.url } } });
        cognitoUserPoolsTokenProvider.setKeyValueStorage({
          setItem: async (k, v) => void data.set(k, v),
          getItem: async (k) => data.get(k) ?? null,
          removeItem: async (k) => void data.delete(k),
          clear: async () => data.clear(),
        });
      }
      const username = async () => (await fetchAuthSession()).tokens?.accessToken.payload.username;

      it("CUSTOM_WITHOUT_SRP: CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE, a wrong answer (a new round), the right one: DONE", async () => {
        configure();
        calls.length = 0;
        const r = await signIn({ username: 'amy', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
        assert.deepEqual(r, {
          isSignedIn: false,
          nextStep: { signInStep: 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE', additionalInfo: { question: 'six times seven?', round: '1', USERNAME: 'amy' } },
        });
        const again = await confirmSignIn({ challengeResponse: '41' });
        assert.equal(again.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
        assert.equal((again.nextStep as any).additionalInfo.round, '2');
        assert.deepEqual(await confirmSignIn({ challengeResponse: ANSWER }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        assert.equal(await username(), 'amy');
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:CUSTOM_CHALLENGE', 'RespondToAuthChallenge:CUSTOM_CHALLENGE']);
      });

      it('CUSTOM_WITH_SRP: the password by SRP, then the custom challenge: DONE', async () => {
        configure();
        calls.length = 0;
        const r = await signIn({ username: 'ben', password: PASSWORD, options: { authFlowType: 'CUSTOM_WITH_SRP' } });
        assert.equal(r.nextStep.signInStep, 'CONFIRM_SIGN_IN_WITH_CUSTOM_CHALLENGE');
        assert.deepEqual(await confirmSignIn({ challengeResponse: ANSWER }), { isSignedIn: true, nextStep: { signInStep: 'DONE' } });
        assert.equal(await username(), 'ben');
        assert.deepEqual(calls, ['InitiateAuth', 'RespondToAuthChallenge:PASSWORD_VERIFIER', 'RespondToAuthChallenge:CUSTOM_CHALLENGE']);
      });

      it('three wrong answers: NotAuthorizedException, not signed in', async () => {
        configure();
        await signIn({ username: 'amy', options: { authFlowType: 'CUSTOM_WITHOUT_SRP' } });
        await confirmSignIn({ challengeResponse: 'no' });
        await confirmSignIn({ challengeResponse: 'no' });
        await assert.rejects(confirmSignIn({ challengeResponse: 'no' }), { name: 'NotAuthorizedException', message: 'Incorrect username or password.' });
        assert.equal((await fetchAuthSession()).tokens, undefined);
      });
    });

    describe('amazon-cognito-identity-js', () => {
      type Step = { kind: 'onSuccess'; session: CognitoUserSession } | { kind: 'customChallenge'; parameters: Record<string, string> };
      function step(call: (callbacks: any) => void): Promise<Step> {
        return new Promise<Step>((resolve, reject) =>
          call({
            onSuccess: (session: CognitoUserSession) => resolve({ kind: 'onSuccess', session }),
            onFailure: reject,
            customChallenge: (parameters: Record<string, string>) => resolve({ kind: 'customChallenge', parameters }),
          }),
        );
      }
      function libUser(Username: string) {
        const Storage = memoryStorage();
        const userPool = new CognitoUserPool({ UserPoolId: poolId, ClientId: clientId, endpoint: t.url + '/', Storage });
        const u = new CognitoUser({ Username, Pool: userPool, Storage });
        u.setAuthenticationFlowType('CUSTOM_AUTH');
        return u;
      }

      it('initiateAuth: customChallenge, sendCustomChallengeAnswer wrong then right: onSuccess', async () => {
        const u = libUser('cat');
        const first = await step((cb) => u.initiateAuth(new AuthenticationDetails({ Username: 'cat' }), cb));
        assert.deepEqual(first, { kind: 'customChallenge', parameters: { question: 'six times seven?', round: '1', USERNAME: 'cat' } });
        const second = await step((cb) => u.sendCustomChallengeAnswer('41', cb));
        assert.equal(second.kind, 'customChallenge');
        const done = await step((cb) => u.sendCustomChallengeAnswer(ANSWER, cb));
        assert.equal(done.kind, 'onSuccess');
        assert.equal((done as Extract<Step, { kind: 'onSuccess' }>).session.getAccessToken().payload.username, 'cat');
      });

      it('authenticateUser with CUSTOM_AUTH: SRP, then customChallenge, sendCustomChallengeAnswer: onSuccess; a wrong password fails', async () => {
        const u = libUser('dan');
        const challenge = await step((cb) => u.authenticateUser(new AuthenticationDetails({ Username: 'dan', Password: PASSWORD }), cb));
        assert.equal(challenge.kind, 'customChallenge');
        const done = await step((cb) => u.sendCustomChallengeAnswer(ANSWER, cb));
        assert.equal(done.kind, 'onSuccess');
        assert.ok((done as Extract<Step, { kind: 'onSuccess' }>).session.isValid());
        await assert.rejects(
          step((cb) => libUser('dan').authenticateUser(new AuthenticationDetails({ Username: 'dan', Password: 'Wrong-Horse-9' }), cb)),
          { code: 'NotAuthorizedException', message: 'Incorrect username or password.' },
        );
      });
    });
  });
}
