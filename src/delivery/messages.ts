/**
 * Every message that carries a code or a temporary password leaves through sendMessage: sign-up
 * and resent confirmation codes, password-reset codes, attribute verification codes, invitations
 * and MFA codes. It applies the pool's Lambda triggers on the way:
 *
 *   - CustomEmailSender / CustomSMSSender for the message's medium: the code goes to that function,
 *     encrypted (triggers/senders.ts); incognito sends nothing itself (no outbox entry);
 *   - else CustomMessage: the function gets the placeholders and may return the message text
 *     (smsMessage, or emailMessage and emailSubject), which then replaces the pool's template;
 *   - then the text is rendered (the code, the username for invitations, the confirmation link)
 *     and delivered (outbox, console, SMTP: index.ts).
 *
 * CustomMessage, as Cognito runs it (AWS developer guide "Custom message Lambda trigger";
 * DefinitelyTyped custom-message.d.ts; docs/decisions.md "CustomMessage"):
 *   request  { userAttributes (with cognito:user_status), codeParameter "{####}",
 *              linkParameter "{##Click Here##}", usernameParameter ("{username}" for
 *              CustomMessage_AdminCreateUser, else null), clientMetadata }
 *   response { smsMessage, emailMessage, emailSubject }: each null at first; one left null or
 *              empty keeps the pool's text. A returned message must contain the code parameter
 *              (a confirmation link may stand in for it in link mode), else the operation fails
 *              with InvalidParameterException as Cognito's does; email at most 20,000 characters,
 *              SMS at most 140, the subject at most 140, the code included. An invitation whose
 *              returned message lacks the username parameter keeps the pool's text.
 */
import type { Config } from '../config.js';
import { errors } from '../protocol/errors.js';
import { log } from '../log.js';
import type { PoolRecord, UserRecord } from '../store/types.js';
import { configured, runTrigger, userAttributes } from '../triggers/catalog.js';
import { handToSender } from '../triggers/senders.js';
import { looksLikeHtml, renderTemplate } from './templates.js';
import type { Delivery } from './types.js';

/** What a message is for: the triggers' source names (CustomMessage_<Source>, CustomEmailSender_<Source>). */
export type MessageSource = 'SignUp' | 'AdminCreateUser' | 'ResendCode' | 'ForgotPassword' | 'UpdateUserAttribute' | 'VerifyUserAttribute' | 'Authentication';

/** The placeholders CustomMessage's request names. */
export const CODE_PARAMETER = '{####}';
export const USERNAME_PARAMETER = '{username}';
export const LINK_PARAMETER = '{##Click Here##}';

/** Cognito's limits on a message, the code included (developer guide, "Custom message Lambda trigger"). */
export const MAX_EMAIL_MESSAGE = 20_000;
export const MAX_SMS_MESSAGE = 140;
/** The model's EmailSubject length. */
export const MAX_EMAIL_SUBJECT = 140;

/** What sending needs from the request: the delivery, the trigger settings, the request's ClientMetadata. */
export interface MessageContext {
  delivery: Delivery;
  /** Where trigger functions run (absent: the pool's triggers cannot be run, and say so when configured). */
  config?: Pick<Config, 'lambdaDir' | 'lambdaEndpoint' | 'region'>;
  clientMetadata?: Record<string, string>;
}

export interface CodeMessage {
  pool: Pick<PoolRecord, 'id' | 'settings'> & Partial<Pick<PoolRecord, 'region'>>;
  user: Pick<UserRecord, 'username' | 'attributes'> & Partial<Pick<UserRecord, 'sub' | 'status'>>;
  medium: 'EMAIL' | 'SMS';
  /** The email address or phone number. */
  destination: string;
  source: MessageSource;
  /** The outbox kind: SIGN_UP, RESEND_CODE, FORGOT_PASSWORD, ADMIN_RESET_PASSWORD, VERIFY_ATTRIBUTE, INVITATION, MFA. */
  kind: string;
  /** callerContext.clientId: the app client, or CLIENT_ID_NOT_APPLICABLE. */
  clientId: string;
  /** The pool's text for this message (its template, or Cognito's default), and the email subject. */
  template: string;
  subject?: string;
  /** A sign-up confirmation by link: the URL `{##text##}` becomes. */
  link?: string;
}

const tooLong = (field: string, value: string, max: number) =>
  errors.invalidParameter(`1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must have length less than or equal to ${max}`);

/** Cognito's answer to a returned message without the code parameter (amazon-cognito-identity-js#99, #446; amplify-js#6917). */
const noCode = (field: string, value: string) =>
  errors.invalidParameter(
    `1 validation error detected: Value '${value}' at '${field}' failed to satisfy constraint: Member must satisfy regular expression pattern: [\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*\\{####\\}[\\p{L}\\p{M}\\p{S}\\p{N}\\p{P}\\s*]*`,
  );

const LINK_PLACEHOLDER = /\{##[\s\S]*?##\}/;

/** The text CustomMessage returned for one member: undefined when it left it null or empty (the pool's text stays). */
function returned(response: Record<string, unknown>, member: string): string | undefined {
  const v = response[member];
  if (v === undefined || v === null || v === '') return undefined;
  if (typeof v !== 'string') throw errors.invalidLambdaResponse('Unrecognizable lambda output');
  return v;
}

/** Runs CustomMessage when the pool has it: the text and subject to send (the pool's where it returned none). */
async function customMessage(ctx: MessageContext, m: CodeMessage): Promise<{ template: string; subject?: string }> {
  const pool = m.pool;
  if (!configured(pool, 'CustomMessage')) return { template: m.template, ...(m.subject !== undefined ? { subject: m.subject } : {}) };
  const invitation = m.source === 'AdminCreateUser';
  const response = await runTrigger(
    { config: ctx.config ?? { lambdaDir: undefined, lambdaEndpoint: undefined, region: pool.region ?? '' } },
    { id: pool.id, settings: pool.settings, region: pool.region ?? ctx.config?.region ?? '' },
    'CustomMessage',
    `CustomMessage_${m.source}`,
    {
      userName: m.user.username,
      clientId: m.clientId,
      request: () => ({
        userAttributes: userAttributes({ sub: m.user.sub ?? '', attributes: m.user.attributes, status: m.user.status ?? 'CONFIRMED' }, m.user.status !== undefined),
        codeParameter: CODE_PARAMETER,
        linkParameter: LINK_PARAMETER,
        usernameParameter: invitation ? USERNAME_PARAMETER : null,
        ...(ctx.clientMetadata ? { clientMetadata: ctx.clientMetadata } : {}),
      }),
    },
  );
  const r = response ?? {};
  const field = m.medium === 'EMAIL' ? 'emailMessage' : 'smsMessage';
  let template = returned(r, field);
  if (template !== undefined) {
    const hasCode = template.includes(CODE_PARAMETER) || (m.link !== undefined && LINK_PLACEHOLDER.test(template));
    if (!hasCode) throw noCode(m.medium === 'EMAIL' ? 'emailBody' : 'smsMessage', template);
    if (invitation && !template.includes(USERNAME_PARAMETER)) {
      log({ level: 'warn', msg: 'CustomMessage_AdminCreateUser returned a message without the username parameter: the pool\'s invitation text is sent', userPoolId: pool.id, medium: m.medium });
      template = undefined;
    }
  }
  const subject = m.medium === 'EMAIL' ? returned(r, 'emailSubject') : undefined;
  if (subject !== undefined && subject.length > MAX_EMAIL_SUBJECT) throw tooLong('emailSubject', subject, MAX_EMAIL_SUBJECT);
  return { template: template ?? m.template, ...((subject ?? m.subject) !== undefined ? { subject: subject ?? m.subject } : {}) };
}

/**
 * Sends the message carrying `code` (a code or a temporary password) as the pool's triggers say
 * (above). Call it outside any transaction, after the write the message is about. Throws the
 * triggers' errors (UserLambdaValidationException, UnexpectedLambdaException,
 * InvalidLambdaResponseException, InvalidParameterException for a returned message Cognito refuses).
 */
export async function sendMessage(ctx: MessageContext, m: CodeMessage, code: string): Promise<void> {
  const pool = m.pool;
  const invitation = m.source === 'AdminCreateUser';
  if (ctx.config) {
    const handed = await handToSender(ctx.config, { id: pool.id, settings: pool.settings, region: pool.region ?? ctx.config.region }, m.medium, {
      source: m.source,
      userName: m.user.username,
      clientId: m.clientId,
      userAttributes: userAttributes({ sub: m.user.sub ?? '', attributes: m.user.attributes, status: m.user.status ?? 'CONFIRMED' }, m.user.status !== undefined),
      ...(ctx.clientMetadata ? { clientMetadata: ctx.clientMetadata } : {}),
      code,
    });
    if (handed) return;
  }
  const { template, subject } = await customMessage(ctx, m);
  // A passwordless user's invitation (code '') has no password to give: the placeholder is not needed.
  if (invitation && code !== '' && template === m.template && !template.includes(CODE_PARAMETER)) {
    // The model, for users with passwords: "If your template doesn't have this placeholder, Amazon
    // Cognito doesn't deliver the invitation message"; the fix is to update the template and RESEND.
    log({ level: 'warn', msg: 'invitation not sent: the InviteMessageTemplate has no {####} placeholder', userPoolId: pool.id, medium: m.medium });
    return;
  }
  const html = m.medium === 'EMAIL' && looksLikeHtml(template);
  const body = renderTemplate(template, { code, ...(invitation ? { username: m.user.username } : {}), ...(m.link !== undefined ? { link: m.link } : {}), html });
  if (template !== m.template) {
    // The limits apply to what the function returned (the pool's own templates are checked when set).
    if (m.medium === 'EMAIL' && body.length > MAX_EMAIL_MESSAGE) throw tooLong('emailBody', template, MAX_EMAIL_MESSAGE);
    if (m.medium === 'SMS' && body.length > MAX_SMS_MESSAGE) throw tooLong('smsMessage', template, MAX_SMS_MESSAGE);
  }
  await ctx.delivery.deliver({
    poolId: pool.id,
    username: m.user.username,
    medium: m.medium,
    destination: m.destination,
    kind: m.kind,
    ...(m.medium === 'EMAIL' && subject !== undefined ? { subject } : {}),
    body,
    code,
  });
}
