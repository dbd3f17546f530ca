/**
 * Auth events (advanced security / threat protection): with UserPoolAddOns.AdvancedSecurityMode
 * AUDIT or ENFORCED, or the Plus tier, a pool records its users' sign-ins, sign-ups, password
 * changes and resets, and code resends, in Cognito's AuthEventType shape. incognito assesses no
 * risk: every event is NoRisk, no compromised credentials, city and country unknown. The sign-in
 * engine records from its completion and failure points (signin/complete.ts, signin/gate.ts); the
 * account use-cases from theirs. What the caller is (IP, User-Agent) comes from the request
 * (Ctx.caller), or from the ContextData / UserContextData.IpAddress a server-side app passes.
 *
 * FeedbackToken (UpdateAuthEventFeedback): in Cognito, the token the Valid/Invalid links of an
 * adaptive-authentication notification email carry for one event. Here it is a value sealed with
 * the master key, bound to the pool, the user and the event: it cannot be forged or moved to
 * another event (feedbackToken / openFeedbackToken).
 */
import { randomUUID } from 'node:crypto';
import type {
  AccountTakeoverRiskConfigurationType,
  CompromisedCredentialsRiskConfigurationType,
  RiskExceptionConfigurationType,
} from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../protocol/errors.js';
import type { Ctx } from '../operations/context.js';
import type { PoolRecord, UserRecord } from '../store/types.js';
import type { Secrets } from './secrets.js';
import { log } from '../log.js';

export type EventType = 'SignIn' | 'SignUp' | 'ForgotPassword' | 'PasswordChange' | 'ResendCode';
export type EventResponse = 'Pass' | 'Fail' | 'InProgress';
export interface ChallengeResult {
  ChallengeName: 'Password' | 'Mfa';
  ChallengeResponse: 'Success' | 'Failure';
}
export interface EventContext {
  IpAddress: string;
  DeviceName: string;
}
export interface EventFeedback {
  FeedbackValue: 'Valid' | 'Invalid';
  /** Who gave it: 'Admin' (AdminUpdateAuthEventFeedback) or 'User' (UpdateAuthEventFeedback with its token). */
  Provider: string;
  /** Epoch milliseconds. */
  at: number;
}

export interface AuthEventRecord {
  poolId: string;
  usernameKey: string;
  eventId: string;
  /** Epoch milliseconds. */
  createdAt: number;
  type: EventType;
  response: EventResponse;
  challenges: ChallengeResult[];
  context: EventContext;
  feedback: EventFeedback | null;
}

/** A pool's risk configuration (SetRiskConfiguration), the pool's or one client's. */
export interface RiskConfiguration {
  CompromisedCredentialsRiskConfiguration?: CompromisedCredentialsRiskConfigurationType;
  AccountTakeoverRiskConfiguration?: AccountTakeoverRiskConfigurationType;
  RiskExceptionConfiguration?: RiskExceptionConfigurationType;
  updatedAt: number;
}

/** Who made the request: its IP address and User-Agent. */
export interface Caller {
  ip: string;
  userAgent: string | undefined;
  /** The X-Amz-User-Agent header (browser SDKs, which cannot set User-Agent, send theirs here). */
  sdkUserAgent?: string | undefined;
}

/** Whether the pool records auth events: threat protection on (AUDIT, ENFORCED), or the Plus tier. */
export function recordsAuthEvents(pool: PoolRecord): boolean {
  const mode = pool.settings.UserPoolAddOns?.AdvancedSecurityMode;
  return mode === 'AUDIT' || mode === 'ENFORCED' || pool.settings.UserPoolTier === 'PLUS';
}

/** The operations of advanced security answer UserPoolAddOnNotEnabledException on a pool without it. */
export function requireAdvancedSecurity(pool: PoolRecord): void {
  if (!recordsAuthEvents(pool)) {
    throw errors.userPoolAddOnNotEnabled(
      `Threat protection is not enabled for user pool ${pool.id}: set UserPoolAddOns.AdvancedSecurityMode to AUDIT or ENFORCED (UpdateUserPool), or use the PLUS tier.`,
    );
  }
}

/**
 * The caller as the request shows it; a server-side app's ContextData.IpAddress (admin flows) or
 * UserContextData.IpAddress names the user's own address, and ContextData.HttpHeaders its User-Agent.
 */
export function callerFromInput(caller: Caller | undefined, input: Record<string, unknown>): Caller | undefined {
  const cd = input.ContextData as { IpAddress?: unknown; HttpHeaders?: { headerName?: unknown; headerValue?: unknown }[] } | undefined;
  const ucd = input.UserContextData as { IpAddress?: unknown } | undefined;
  const ip = typeof cd?.IpAddress === 'string' ? cd.IpAddress : typeof ucd?.IpAddress === 'string' ? ucd.IpAddress : undefined;
  const ua = Array.isArray(cd?.HttpHeaders) ? cd.HttpHeaders.find((h) => typeof h?.headerName === 'string' && h.headerName.toLowerCase() === 'user-agent')?.headerValue : undefined;
  if (ip === undefined && typeof ua !== 'string') return caller;
  return { ip: ip ?? caller?.ip ?? 'unknown', userAgent: typeof ua === 'string' ? ua : caller?.userAgent };
}

const BROWSERS: [RegExp, string][] = [
  [/Edg(?:e|A|iOS)?\/(\d+)/, 'Edge'],
  [/OPR\/(\d+)/, 'Opera'],
  [/Firefox\/(\d+)/, 'Firefox'],
  [/(?:Chrome|CriOS)\/(\d+)/, 'Chrome'],
  [/Version\/(\d+)[^ ]* (?:Mobile\/\S+ )?Safari\//, 'Safari'],
];
const SYSTEMS: [RegExp, string][] = [
  [/Windows NT 10/, 'Windows 10'],
  [/Windows/, 'Windows'],
  [/iPhone|iPad|iPod/, 'iOS'],
  [/Android/, 'Android'],
  [/Mac OS X/, 'Mac OS X'],
  [/CrOS/, 'Chrome OS'],
  [/Linux/, 'Linux'],
];

/**
 * The device name Cognito shows for a User-Agent: "<browser> <major version>, <system>" (for
 * example "Chrome 126, Windows 10"); a non-browser client by its first product token ("aws-sdk-js 3,
 * Linux"); "Other, Other" when there is nothing to go by.
 */
export function deviceName(userAgent: string | undefined): string {
  if (!userAgent) return 'Other, Other';
  const system = SYSTEMS.find(([re]) => re.test(userAgent))?.[1] ?? (/\bos\/linux/i.test(userAgent) ? 'Linux' : /\bos\/macos|darwin/i.test(userAgent) ? 'Mac OS X' : /\bos\/win/i.test(userAgent) ? 'Windows' : 'Other');
  for (const [re, name] of BROWSERS) {
    const m = re.exec(userAgent);
    if (m) return `${name} ${m[1]}, ${system}`;
  }
  const product = /^([A-Za-z][\w.-]*)(?:\/(\d+))?/.exec(userAgent.trim());
  if (!product) return `Other, ${system}`;
  return `${product[1]}${product[2] ? ` ${product[2]}` : ''}, ${system}`.slice(0, 256);
}

/** Records one event for the user, when the pool records events; returns its id. */
export async function recordAuthEvent(
  ctx: Ctx,
  pool: PoolRecord,
  user: Pick<UserRecord, 'usernameKey'>,
  type: EventType,
  response: EventResponse,
  challenges: ChallengeResult[] = [],
): Promise<string | undefined> {
  if (!recordsAuthEvents(pool)) return undefined;
  const eventId = randomUUID();
  await ctx.store.authEvents.insert({
    poolId: pool.id,
    usernameKey: user.usernameKey,
    eventId,
    createdAt: ctx.now,
    type,
    response,
    challenges,
    context: { IpAddress: ctx.caller?.ip ?? 'unknown', DeviceName: deviceName(ctx.caller?.userAgent) },
    feedback: null,
  });
  // A pool that delivers userAuthEvents logs (SetLogDeliveryConfiguration): the event goes to the server log.
  const logs = (await ctx.store.config.getLogDelivery(pool.id)) as { EventSource?: string }[] | undefined;
  if (logs?.some((l) => l.EventSource === 'userAuthEvents')) {
    log({ msg: 'user auth event', eventSource: 'userAuthEvents', userPoolId: pool.id, eventId, eventType: type, eventResponse: response, ipAddress: ctx.caller?.ip ?? 'unknown' });
  }
  return eventId;
}

const feedbackContext = (poolId: string, usernameKey: string) => `auth-event-feedback:${poolId}:${usernameKey}`;

/** The FeedbackToken of one event (what a notification email's Valid/Invalid links would carry). */
export function feedbackToken(secrets: Secrets, poolId: string, usernameKey: string, eventId: string): string {
  return secrets.seal(eventId, feedbackContext(poolId, usernameKey));
}

/** Whether the token is the one of this event of this user. */
export function openFeedbackToken(secrets: Secrets, poolId: string, usernameKey: string, eventId: string, token: string): boolean {
  try {
    return secrets.open(token, feedbackContext(poolId, usernameKey)).toString('utf8') === eventId;
  } catch {
    return false;
  }
}

/** AuthEventType as AdminListUserAuthEvents answers it. */
export function renderAuthEvent(e: AuthEventRecord): object {
  return {
    EventId: e.eventId,
    EventType: e.type,
    CreationDate: e.createdAt / 1000,
    EventResponse: e.response,
    EventRisk: { RiskDecision: 'NoRisk', CompromisedCredentialsDetected: false },
    ChallengeResponses: e.challenges,
    EventContextData: e.context,
    ...(e.feedback ? { EventFeedback: { FeedbackValue: e.feedback.FeedbackValue, Provider: e.feedback.Provider, FeedbackDate: e.feedback.at / 1000 } } : {}),
  };
}
