/**
 * CustomEmailSender and CustomSMSSender (LambdaConfig.CustomEmailSender / CustomSMSSender
 * { LambdaArn, LambdaVersion: V1_0 }, with LambdaConfig.KMSKeyID): when the pool names one for a
 * message's medium, incognito sends nothing itself; it encrypts the code or temporary password
 * (kms.ts) and hands it to the function, which delivers the message its own way.
 *
 * The event: { version: "1", triggerSource: CustomEmailSender_<Source> | CustomSMSSender_<Source>,
 * region, userPoolId, userName, callerContext, request: { type: "customEmailSenderRequestV1" |
 * "customSMSSenderRequestV1", code (base64 ciphertext), userAttributes, clientMetadata } }.
 *
 * Cognito runs these two triggers asynchronously (every other trigger synchronously): the code is
 * encrypted before the operation answers (a KMS failure fails it), the function runs after, and
 * what it does or answers does not change the operation's answer; a failure is logged.
 */
import type { Config } from '../config.js';
import { log } from '../log.js';
import type { PoolRecord } from '../store/types.js';
import { configured, kmsKeyId, triggerEvent, type TriggerName } from './catalog.js';
import { invokeAsync } from './invoke.js';
import { encryptCode } from './kms.js';

export type SenderTrigger = Extract<TriggerName, 'CustomEmailSender' | 'CustomSMSSender'>;

/** The sender trigger for a medium. */
export const senderFor = (medium: 'EMAIL' | 'SMS'): SenderTrigger => (medium === 'EMAIL' ? 'CustomEmailSender' : 'CustomSMSSender');

/** Whether the pool hands messages over `medium` to a custom sender function. */
export function hasSender(pool: Pick<PoolRecord, 'settings'>, medium: 'EMAIL' | 'SMS'): boolean {
  return configured(pool, senderFor(medium)) !== undefined;
}

/** Sender calls under way (each settles, never rejects). */
const running = new Set<Promise<void>>();

/** Resolves when every sender call started so far has finished. For tests and shutdown. */
export async function sendersSettled(): Promise<void> {
  while (running.size) await Promise.all([...running]);
}

export interface SenderMessage {
  /** CustomEmailSender_<source> / CustomSMSSender_<source>: SignUp, ResendCode, ForgotPassword, ... */
  source: string;
  userName: string;
  clientId: string;
  userAttributes: Record<string, string>;
  clientMetadata?: Record<string, string>;
  /** The code or temporary password, in plain text: it leaves encrypted. */
  code: string;
}

/**
 * Hands the message to the pool's sender for `medium`: the code encrypted now (throws Cognito's
 * error when KMS fails), the function started in the background. False when the pool has no sender
 * for the medium (the caller delivers the message itself).
 */
export async function handToSender(
  config: Pick<Config, 'lambdaDir' | 'lambdaEndpoint' | 'region'>,
  pool: Pick<PoolRecord, 'id' | 'settings' | 'region'>,
  medium: 'EMAIL' | 'SMS',
  m: SenderMessage,
): Promise<boolean> {
  const trigger = senderFor(medium);
  const c = configured(pool, trigger);
  if (!c) return false;
  const code = await encryptCode(trigger, kmsKeyId(pool), pool.id, m.code);
  const request = {
    type: medium === 'EMAIL' ? 'customEmailSenderRequestV1' : 'customSMSSenderRequestV1',
    code,
    userAttributes: m.userAttributes,
    ...(m.clientMetadata ? { clientMetadata: m.clientMetadata } : {}),
  };
  const { response: _none, ...event } = triggerEvent(pool, trigger, c.version, `${trigger}_${m.source}`, { userName: m.userName, clientId: m.clientId, request });
  const call = invokeAsync(config, trigger, c.arn, event).catch((e: unknown) => {
    log({ level: 'warn', msg: `${trigger} failed`, userPoolId: pool.id, triggerSource: `${trigger}_${m.source}`, error: e instanceof Error ? e.message : String(e) });
  });
  running.add(call);
  void call.finally(() => running.delete(call));
  return true;
}
