/**
 * Which message a user gets, through which medium, with which template: sign-up and attribute
 * verification codes, password-reset codes and invitations. Returns Cognito's CodeDeliveryDetails
 * (destination masked).
 */
import type { CodeDeliveryDetailsType } from '@aws-sdk/client-cognito-identity-provider';
import { sendMessage, type MessageContext, type MessageSource } from '../delivery/messages.js';
import type { Delivery } from '../delivery/types.js';
import { maskDestination } from '../delivery/mask.js';
import {
  DEFAULT_FORGOT_PASSWORD_MESSAGE,
  DEFAULT_FORGOT_PASSWORD_SUBJECT,
  DEFAULT_INVITATION_MESSAGE,
  DEFAULT_INVITATION_SUBJECT,
  DEFAULT_VERIFICATION_LINK_MESSAGE,
  DEFAULT_VERIFICATION_LINK_SUBJECT,
  DEFAULT_VERIFICATION_MESSAGE,
  DEFAULT_VERIFICATION_SUBJECT,
  DEFAULT_WELCOME_MESSAGE,
  DEFAULT_WELCOME_SUBJECT,
  looksLikeHtml,
  renderTemplate,
} from '../delivery/templates.js';
import type { PoolRecord, UserRecord } from '../store/types.js';
import { NO_CLIENT } from '../triggers/catalog.js';
import { isTrue } from './attributes.js';
import type { UserMfa } from './mfa.js';

export type Medium = 'EMAIL' | 'SMS';
export interface Channel {
  medium: Medium;
  attribute: 'email' | 'phone_number';
  destination: string;
}

const emailOf = (u: Pick<UserRecord, 'attributes'>): Channel | undefined =>
  u.attributes.email ? { medium: 'EMAIL', attribute: 'email', destination: u.attributes.email } : undefined;
const phoneOf = (u: Pick<UserRecord, 'attributes'>): Channel | undefined =>
  u.attributes.phone_number ? { medium: 'SMS', attribute: 'phone_number', destination: u.attributes.phone_number } : undefined;

/** Sign-up confirmation goes to an auto-verified attribute the user has; the phone first, as Cognito does. */
export function signUpChannel(pool: PoolRecord, u: Pick<UserRecord, 'attributes'>): Channel | undefined {
  const auto = pool.settings.AutoVerifiedAttributes ?? [];
  return (auto.includes('phone_number') ? phoneOf(u) : undefined) ?? (auto.includes('email') ? emailOf(u) : undefined);
}

/**
 * Password reset goes to a verified email or phone, in the order AccountRecoverySetting gives
 * (without one: the phone first, as Cognito's legacy behaviour). `admin_only` allows none. With an
 * AccountRecoverySetting, the phone does not qualify for a user with SMS MFA on, nor the email for
 * a user with email MFA on (the model's AccountRecoverySetting text: "SMS doesn't qualify for a
 * valid password recovery mechanism if the user also has SMS multi-factor authentication (MFA)
 * activated. Email MFA is also disqualifying for account recovery with email").
 */
export function recoveryChannel(pool: PoolRecord, u: Pick<UserRecord, 'attributes'> & { mfa?: UserMfa }): Channel | undefined {
  const email = isTrue(u.attributes.email_verified) ? emailOf(u) : undefined;
  const phone = isTrue(u.attributes.phone_number_verified) ? phoneOf(u) : undefined;
  const mechanisms = [...(pool.settings.AccountRecoverySetting?.RecoveryMechanisms ?? [])].sort((a, b) => (a.Priority ?? 0) - (b.Priority ?? 0));
  if (!mechanisms.length) return phone ?? email;
  const smsMfa = !!u.mfa?.mfaOptions?.length || !!u.mfa?.enabled?.includes('SMS_MFA');
  const emailMfa = !!u.mfa?.enabled?.includes('EMAIL_OTP');
  for (const m of mechanisms) {
    if (m.Name === 'verified_email' && email && !emailMfa) return email;
    if (m.Name === 'verified_phone_number' && phone && !smsMfa) return phone;
  }
  return undefined;
}

export function deliveryDetails(c: Channel): CodeDeliveryDetailsType {
  return { Destination: maskDestination(c.medium, c.destination), DeliveryMedium: c.medium, AttributeName: c.attribute };
}

/** Where a sign-up confirmation link points: this server (its public URL) and the client signed up with. */
export interface LinkTarget {
  publicUrl: string;
  clientId: string;
}

/** GET path of the sign-up confirmation link (oauth/confirm-user.ts), as Cognito's domain serves it. */
export const CONFIRM_USER_PATH = '/confirmUser';

/** Cognito's confirmation link: `<base>/confirmUser?client_id=...&user_name=...&confirmation_code=...`. */
export function confirmationLink(target: LinkTarget, username: string, code: string): string {
  const q = new URLSearchParams({ client_id: target.clientId, user_name: username, confirmation_code: code });
  return `${target.publicUrl}${CONFIRM_USER_PATH}?${q.toString()}`;
}

/** The trigger source of each kind of code message (VERIFY_ATTRIBUTE: the caller says which). */
const SOURCES = {
  SIGN_UP: 'SignUp',
  RESEND_CODE: 'ResendCode',
  FORGOT_PASSWORD: 'ForgotPassword',
  ADMIN_RESET_PASSWORD: 'ForgotPassword',
  VERIFY_ATTRIBUTE: 'VerifyUserAttribute',
} as const satisfies Record<string, MessageSource>;

/**
 * Sends a verification or password-reset code over the channel, from the pool's templates, through
 * the pool's message triggers (delivery/messages.ts). A sign-up code (SIGN_UP, RESEND_CODE) going
 * by email in a pool whose DefaultEmailOption is CONFIRM_WITH_LINK goes as a link instead
 * (EmailMessageByLink, EmailSubjectByLink), when `link` says where it points; as in Cognito,
 * attribute verification and password reset stay codes. `clientId` is the app client asking
 * (NO_CLIENT for admin operations); `source` tells an attribute update (UpdateUserAttribute) from a
 * requested verification (VerifyUserAttribute, the default).
 */
export async function sendCode(
  ctx: MessageContext,
  pool: PoolRecord,
  user: Pick<UserRecord, 'username' | 'attributes' | 'sub' | 'status'>,
  channel: Channel,
  kind: 'SIGN_UP' | 'RESEND_CODE' | 'FORGOT_PASSWORD' | 'ADMIN_RESET_PASSWORD' | 'VERIFY_ATTRIBUTE',
  code: string,
  opts: { clientId: string; link?: LinkTarget; source?: 'UpdateUserAttribute' | 'VerifyUserAttribute' },
): Promise<CodeDeliveryDetailsType> {
  const t = pool.settings.VerificationMessageTemplate ?? {};
  const reset = kind === 'FORGOT_PASSWORD' || kind === 'ADMIN_RESET_PASSWORD';
  const link = opts.link;
  const byLink =
    link !== undefined && channel.medium === 'EMAIL' && (kind === 'SIGN_UP' || kind === 'RESEND_CODE') && t.DefaultEmailOption === 'CONFIRM_WITH_LINK';
  const template = byLink
    ? t.EmailMessageByLink ?? DEFAULT_VERIFICATION_LINK_MESSAGE
    : channel.medium === 'SMS'
      ? t.SmsMessage ?? DEFAULT_VERIFICATION_MESSAGE
      : t.EmailMessage ?? (reset ? DEFAULT_FORGOT_PASSWORD_MESSAGE : DEFAULT_VERIFICATION_MESSAGE);
  const subject = byLink
    ? t.EmailSubjectByLink ?? DEFAULT_VERIFICATION_LINK_SUBJECT
    : t.EmailSubject ?? (reset ? DEFAULT_FORGOT_PASSWORD_SUBJECT : DEFAULT_VERIFICATION_SUBJECT);
  await sendMessage(
    ctx,
    {
      pool,
      user,
      medium: channel.medium,
      destination: channel.destination,
      source: kind === 'VERIFY_ATTRIBUTE' ? opts.source ?? 'VerifyUserAttribute' : SOURCES[kind],
      kind,
      clientId: opts.clientId,
      // No {username}: AWS's template docs say it "can't be used in verification emails", and users
      // received it as literal text (aws/aws-cdk#7597; aws-amplify/amplify-js#1480 for password reset).
      template,
      ...(channel.medium === 'EMAIL' ? { subject } : {}),
      ...(byLink ? { link: confirmationLink(link, user.username, code) } : {}),
    },
    code,
  );
  return deliveryDetails(channel);
}

/**
 * The AdminCreateUser invitation with the temporary password, over each channel asked for, through
 * the pool's message triggers (CustomMessage_AdminCreateUser, the custom senders). A pool template
 * without the `{####}` placeholder is not delivered (nothing reaches the outbox), as the model
 * documents for users with passwords: "If your template doesn't have this placeholder, Amazon
 * Cognito doesn't deliver the invitation message"; the fix is to update the template and RESEND.
 */
export async function sendInvitation(
  ctx: MessageContext,
  pool: PoolRecord,
  user: Pick<UserRecord, 'username' | 'attributes' | 'sub' | 'status'>,
  mediums: Medium[],
  /** undefined: a passwordless user (AdminCreateUser without TemporaryPassword in a passwordless pool): `{####}` is left out, the default text is "Your username is {username}.". */
  temporaryPassword: string | undefined,
): Promise<void> {
  const t = pool.settings.AdminCreateUserConfig?.InviteMessageTemplate ?? {};
  const fallback = temporaryPassword === undefined ? DEFAULT_WELCOME_MESSAGE : DEFAULT_INVITATION_MESSAGE;
  for (const medium of mediums) {
    const channel = medium === 'EMAIL' ? emailOf(user) : phoneOf(user);
    if (!channel) continue;
    const template = medium === 'EMAIL' ? t.EmailMessage ?? fallback : t.SMSMessage ?? fallback;
    await sendMessage(
      ctx,
      {
        pool,
        user,
        medium,
        destination: channel.destination,
        source: 'AdminCreateUser',
        kind: 'INVITATION',
        clientId: NO_CLIENT,
        template,
        ...(medium === 'EMAIL' ? { subject: t.EmailSubject ?? (temporaryPassword === undefined ? DEFAULT_WELCOME_SUBJECT : DEFAULT_INVITATION_SUBJECT) } : {}),
      },
      temporaryPassword ?? '',
    );
  }
}

/**
 * The welcome message of a user created by UserMigration (its function's messageAction not
 * SUPPRESS): the pool's invitation template, as AdminCreateUser's welcome is, over each channel.
 * A migrated user has no temporary password, and the password it signed in with is never sent:
 * `{####}` is left out of the text, and a pool without its own template sends "Your username is
 * {username}." (docs/decisions.md, "UserMigration").
 */
export async function sendWelcome(delivery: Delivery, pool: PoolRecord, user: Pick<UserRecord, 'username' | 'attributes'>, mediums: Medium[]): Promise<void> {
  const t = pool.settings.AdminCreateUserConfig?.InviteMessageTemplate ?? {};
  for (const medium of mediums) {
    const channel = medium === 'EMAIL' ? emailOf(user) : phoneOf(user);
    if (!channel) continue;
    const template = (medium === 'EMAIL' ? t.EmailMessage : t.SMSMessage) ?? DEFAULT_WELCOME_MESSAGE;
    await delivery.deliver({
      poolId: pool.id,
      username: user.username,
      medium,
      destination: channel.destination,
      kind: 'WELCOME',
      ...(medium === 'EMAIL' ? { subject: t.EmailSubject ?? DEFAULT_WELCOME_SUBJECT } : {}),
      body: renderTemplate(template, { username: user.username, code: '', html: medium === 'EMAIL' && looksLikeHtml(template) }),
    });
  }
}
