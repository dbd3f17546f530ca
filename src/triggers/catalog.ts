/**
 * Every Lambda trigger of a pool's LambdaConfig: what runs it, its sources, and the request and
 * response of its event (AWS developer guide "Customizing user pool workflows with Lambda
 * triggers" and each trigger's page; DefinitelyTyped types/aws-lambda/trigger/cognito-user-pool-trigger).
 *
 * The event every trigger receives:
 *   { version: "1" ("2"/"3" for PreTokenGeneration V2_0/V3_0), triggerSource, region, userPoolId,
 *     userName, callerContext: { awsSdkVersion, clientId }, request: {...}, response: {} }
 * and the function returns it, with `response` filled in.
 *
 * RUNS NOW
 *   PreSignUp            PreSignUp_SignUp (SignUp, hosted /signup), PreSignUp_AdminCreateUser
 *                        request  { userAttributes, validationData, clientMetadata }
 *                        response { autoConfirmUser, autoVerifyEmail, autoVerifyPhone } (read for
 *                                   SignUp only; an auto-confirmed sign-up runs PostConfirmation)
 *   PostConfirmation     PostConfirmation_ConfirmSignUp (ConfirmSignUp, the hosted confirmation, an
 *                        auto-confirmed sign-up), PostConfirmation_ConfirmForgotPassword
 *                        request  { userAttributes (with cognito:user_status), clientMetadata }
 *   PreAuthentication    PreAuthentication_Authentication (every password / SRP sign-in, API and hosted)
 *                        request  { userAttributes, validationData (InitiateAuth's ClientMetadata), userNotFound }
 *   PostAuthentication   PostAuthentication_Authentication (every completed sign-in)
 *                        request  { userAttributes, newDeviceUsed, clientMetadata }
 *   PreTokenGeneration   TokenGeneration_Authentication, _HostedAuth, _NewPasswordChallenge,
 *                        _AuthenticateDevice, _RefreshTokens; V3_0 also _ClientCredentials
 *                        request  { userAttributes, groupConfiguration { groupsToOverride,
 *                                   iamRolesToOverride, preferredRole }, clientMetadata, scopes (V2/V3) }
 *                        response V1: claimsOverrideDetails { claimsToAddOrOverride, claimsToSuppress,
 *                                   groupOverrideDetails } (ID token)
 *                                 V2/V3: claimsAndScopeOverrideDetails { idTokenGeneration,
 *                                   accessTokenGeneration { ..., scopesToAdd, scopesToSuppress },
 *                                   groupOverrideDetails }
 *                        (which version: LambdaConfig.PreTokenGenerationConfig.LambdaVersion; V1_0
 *                        when only LambdaConfig.PreTokenGeneration is set)
 *   UserMigration        UserMigration_Authentication (a password sign-in, API or hosted, of a user the
 *                        pool does not have), UserMigration_ForgotPassword (ForgotPassword, API or
 *                        hosted, of such a user); never for USER_SRP_AUTH, which has no password
 *                        request  { password (sign-in only), validationData, clientMetadata }
 *                        response { userAttributes, finalUserStatus, messageAction,
 *                                   desiredDeliveryMediums, forceAliasCreation, enableSMSMFA }
 *                        (user-migration.ts)
 *
 *   DefineAuthChallenge  DefineAuthChallenge_Authentication (CUSTOM_AUTH: at InitiateAuth / AdminInitiateAuth,
 *                        and after each answered step)
 *                        request  { userAttributes, session [{ challengeName, challengeResult,
 *                                   challengeMetadata }], clientMetadata, userNotFound }
 *                        response { challengeName, issueTokens, failAuthentication }
 *   CreateAuthChallenge  CreateAuthChallenge_Authentication (when Define asks CUSTOM_CHALLENGE)
 *                        request  { userAttributes, challengeName, session, clientMetadata, userNotFound }
 *                        response { publicChallengeParameters, privateChallengeParameters, challengeMetadata }
 *   VerifyAuthChallengeResponse  VerifyAuthChallengeResponse_Authentication (the ANSWER to a CUSTOM_CHALLENGE)
 *                        request  { userAttributes, privateChallengeParameters, challengeAnswer,
 *                                   clientMetadata, userNotFound }
 *                        response { answerCorrect }
 *                        (events and replies: custom-auth.ts; the sign-in steps: src/signin/custom.ts)
 *
 *   CustomMessage        CustomMessage_SignUp, _ResendCode, _ForgotPassword (ForgotPassword,
 *                        AdminResetUserPassword), _UpdateUserAttribute, _VerifyUserAttribute,
 *                        _AdminCreateUser, _Authentication (SMS / email MFA codes)
 *                        request  { userAttributes, codeParameter "{####}", linkParameter
 *                                   "{##Click Here##}", usernameParameter ("{username}" for
 *                                   _AdminCreateUser, else null), clientMetadata }
 *                        response { smsMessage, emailMessage, emailSubject } (null at first)
 *                        (delivery/messages.ts: the rules on what it returns)
 *   CustomEmailSender,   <Trigger>_SignUp, _ResendCode, _ForgotPassword, _UpdateUserAttribute,
 *   CustomSMSSender      _VerifyUserAttribute, _AdminCreateUser, _Authentication
 *                        request  { type customEmailSenderRequestV1 / customSMSSenderRequestV1,
 *                                   code (Encryption SDK ciphertext under KMSKeyID, base64),
 *                                   userAttributes, clientMetadata }; no response is read: they run
 *                                   asynchronously (senders.ts, kms.ts)
 *
 * NOT YET (configured, they are not run)
 *   PreSignUp_ExternalProvider (with federation), CustomEmailSender_AccountTakeOverNotification
 *   (no threat protection).
 */
import type { Config } from '../config.js';
import type { PoolRecord, UserRecord } from '../store/types.js';
import type { Caller } from '../domain/auth-events.js';
import { invokeTrigger, type TriggerEvent } from './invoke.js';

export type TriggerName =
  | 'PreSignUp'
  | 'PostConfirmation'
  | 'PreAuthentication'
  | 'PostAuthentication'
  | 'PreTokenGeneration'
  | 'DefineAuthChallenge'
  | 'CreateAuthChallenge'
  | 'VerifyAuthChallengeResponse'
  | 'UserMigration'

  | 'CustomMessage'
  | 'CustomEmailSender'
  | 'CustomSMSSender';

/** callerContext.clientId of operations that name no app client (AdminCreateUser). */
export const NO_CLIENT = 'CLIENT_ID_NOT_APPLICABLE';

/** callerContext.awsSdkVersion when the caller's SDK is not known (the hosted UI, other clients). */
export const UNKNOWN_SDK = 'aws-sdk-unknown-unknown';

/**
 * callerContext.awsSdkVersion from the request's User-Agent (or X-Amz-User-Agent, which browser
 * SDKs send): an AWS SDK's own token `aws-sdk-<name>/<version>` (aws-sdk-js/3.535.0,
 * aws-sdk-java/2.20.43, aws-sdk-iOS/2.9.3, aws-sdk-android/2.x, aws-sdk-go/1.44.0) gives
 * `aws-sdk-<name in lower case>-<version>`, as real events show (aws-sdk-js-3.535.0,
 * aws-sdk-java-2.20.43, aws-sdk-ios-2.9.3); anything else (the hosted pages, boto3, the AWS CLI,
 * Amplify's own agent), `aws-sdk-unknown-unknown` (docs/decisions.md, "callerContext.awsSdkVersion").
 */
export function awsSdkVersion(caller: { userAgent?: string | undefined; sdkUserAgent?: string | undefined } | undefined): string {
  for (const ua of [caller?.sdkUserAgent, caller?.userAgent]) {
    const m = ua ? /(?:^|\s)aws-sdk-([A-Za-z0-9]{1,32}(?:-v\d+)?)\/(\d[0-9A-Za-z.+_-]{0,40})/.exec(ua) : null;
    if (m) return `aws-sdk-${m[1]!.toLowerCase()}-${m[2]}`;
  }
  return UNKNOWN_SDK;
}

interface LambdaConfigLike {
  PreTokenGeneration?: string;
  PreTokenGenerationConfig?: { LambdaArn?: string; LambdaVersion?: string };
  CustomEmailSender?: { LambdaArn?: string; LambdaVersion?: string };
  CustomSMSSender?: { LambdaArn?: string; LambdaVersion?: string };
  KMSKeyID?: string;
  [k: string]: unknown;
}

function lambdaConfig(pool: Pick<PoolRecord, 'settings'>): LambdaConfigLike {
  return ((pool.settings as { LambdaConfig?: LambdaConfigLike }).LambdaConfig ?? {}) as LambdaConfigLike;
}

/** The pool's LambdaConfig.KMSKeyID: the key the custom sender triggers' codes are encrypted under. */
export function kmsKeyId(pool: Pick<PoolRecord, 'settings'>): string | undefined {
  const k = lambdaConfig(pool).KMSKeyID;
  return typeof k === 'string' && k ? k : undefined;
}

/** The function ARN a pool names for a trigger, and the event version (PreTokenGeneration V2/V3). */
export function configured(pool: Pick<PoolRecord, 'settings'>, trigger: TriggerName): { arn: string; version: '1' | '2' | '3' } | undefined {
  const lc = lambdaConfig(pool);
  if (trigger === 'CustomEmailSender' || trigger === 'CustomSMSSender') {
    // { LambdaArn, LambdaVersion: V1_0 } (the only version; the event's version is "1").
    const arn = lc[trigger]?.LambdaArn;
    return arn ? { arn, version: '1' } : undefined;
  }
  if (trigger === 'PreTokenGeneration') {
    const cfg = lc.PreTokenGenerationConfig;
    const arn = cfg?.LambdaArn ?? lc.PreTokenGeneration;
    if (!arn) return undefined;
    const version = cfg?.LambdaVersion === 'V3_0' ? '3' : cfg?.LambdaVersion === 'V2_0' ? '2' : '1';
    return { arn, version };
  }
  const arn = lc[trigger];
  return typeof arn === 'string' && arn ? { arn, version: '1' } : undefined;
}

/** A user's attributes as triggers see them: sub first, with cognito:user_status where Cognito adds it. */
export function userAttributes(user: Pick<UserRecord, 'sub' | 'attributes' | 'status'>, withStatus: boolean): Record<string, string> {
  return { sub: user.sub, ...user.attributes, ...(withStatus ? { 'cognito:user_status': user.status } : {}) };
}

/**
 * The `response` an event carries to the function: PreSignUp's flags false, PreTokenGeneration's
 * override member null, UserMigration's members null (as Cognito's events show them: the developer
 * guide's example events, and DefinitelyTyped's event types, which declare these members), the custom
 * authentication triggers' required members (issueTokens / failAuthentication false, empty parameter
 * maps, answerCorrect false), else empty.
 */
function initialResponse(trigger: TriggerName, version: string): Record<string, unknown> {
  if (trigger === 'PreSignUp') return { autoConfirmUser: false, autoVerifyEmail: false, autoVerifyPhone: false };
  if (trigger === 'PreTokenGeneration') return version === '1' ? { claimsOverrideDetails: null } : { claimsAndScopeOverrideDetails: null };
  if (trigger === 'UserMigration') {
    return { userAttributes: null, finalUserStatus: null, messageAction: null, desiredDeliveryMediums: null, forceAliasCreation: null, enableSMSMFA: null };
  }
  if (trigger === 'DefineAuthChallenge') return { issueTokens: false, failAuthentication: false };
  if (trigger === 'CreateAuthChallenge') return { publicChallengeParameters: {}, privateChallengeParameters: {}, challengeMetadata: null };
  if (trigger === 'VerifyAuthChallengeResponse') return { answerCorrect: false };
  if (trigger === 'CustomMessage') return { smsMessage: null, emailMessage: null, emailSubject: null };
  return {};
}

/**
 * Runs the pool's function for `trigger`, if it names one: the event built here, the function's
 * `response` returned (undefined when the pool has no such trigger).
 */
export async function runTrigger(
  ctx: { config: Pick<Config, 'lambdaDir' | 'lambdaEndpoint' | 'region'>; caller?: Caller },
  pool: Pick<PoolRecord, 'id' | 'settings' | 'region'>,
  trigger: TriggerName,
  source: string,
  e: { userName?: string; clientId: string; request: Record<string, unknown> | (() => Record<string, unknown>) },
): Promise<Record<string, unknown> | undefined> {
  const c = configured(pool, trigger);
  if (!c) return undefined;
  const request = typeof e.request === 'function' ? e.request() : e.request;
  const event = triggerEvent(pool, trigger, c.version, source, { ...e, request, awsSdkVersion: awsSdkVersion(ctx.caller) });
  const reply = await invokeTrigger(ctx.config, trigger, c.arn, event);
  return reply.response;
}

/** The event Cognito sends a trigger's function (above). */
export function triggerEvent(
  pool: Pick<PoolRecord, 'id' | 'region'>,
  trigger: TriggerName,
  version: string,
  source: string,
  e: { userName?: string; clientId: string; request: Record<string, unknown>; awsSdkVersion?: string },
): TriggerEvent {
  return {
    version,
    triggerSource: source,
    region: pool.region,
    userPoolId: pool.id,
    ...(e.userName !== undefined ? { userName: e.userName } : {}),
    callerContext: { awsSdkVersion: e.awsSdkVersion ?? UNKNOWN_SDK, clientId: e.clientId },
    request: e.request,
    response: initialResponse(trigger, version),
  };
}
