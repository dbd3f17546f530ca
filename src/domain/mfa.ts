/**
 * Multi-factor authentication: the pool's MFA configuration (SetUserPoolMfaConfig and the
 * MfaConfiguration of Create/UpdateUserPool), each user's MFA settings (software token, factors
 * enabled, preferred factor, legacy MFAOptions), which factors a user can be challenged with now
 * (mfaState), and the pieces of the sign-in challenges: SMS and email codes (sendMfaCode,
 * checkMfaCode) and software-token codes (checkSoftwareTokenCode). The operations and the sign-in
 * engine call these; neither decides an MFA rule itself.
 *
 * Cognito's messages and rules, and the evidence for each: docs/decisions.md, "MFA settings".
 *
 * Writes: the functions that change a user take the user as read, re-read it locked in a
 * transaction of their own (so concurrent requests lose nothing, and a failed check writes
 * nothing) and return the user as written. Messages go out after that transaction.
 */
import { createHmac, randomBytes, randomInt, timingSafeEqual } from 'node:crypto';
import type {
  CodeDeliveryDetailsType,
  EmailMfaConfigType,
  GetUserPoolMfaConfigResponse,
  MFAOptionType,
  SetUserPoolMfaConfigRequest,
  SMSMfaSettingsType,
  SmsConfigurationType,
  SoftwareTokenMfaSettingsType,
  EmailMfaSettingsType,
  WebAuthnMfaSettingsType,
} from '@aws-sdk/client-cognito-identity-provider';
import { CognitoError, errors } from '../protocol/errors.js';
import { sendMessage, type MessageContext } from '../delivery/messages.js';
import { NO_CLIENT } from '../triggers/catalog.js';
import type { PoolRecord, Store, UserRecord } from '../store/types.js';
import type { PoolMfaFactors, PoolSettings } from './pool-settings.js';
import type { Secrets } from './secrets.js';
import { deliveryDetails, type Channel } from './notify.js';
import { checkTotp, newTotpSecret, openTotpSecret, sealTotpSecret } from './totp.js';
import { isTrue } from './attributes.js';
import { saveUser } from './user-writes.js';
import { applyWebAuthnConfig, renderWebAuthnConfig } from './passkeys.js';

// ---------------------------------------------------------------------------------------------
// Types
// ---------------------------------------------------------------------------------------------

/** An MFA factor, as UserMFASettingList, PreferredMfaSetting and the challenge names spell it. */
export type MfaFactor = 'SMS_MFA' | 'SOFTWARE_TOKEN_MFA' | 'EMAIL_OTP';

/** Every factor, in the order lists of factors are given (UserMFASettingList, MFAS_CAN_CHOOSE, ...). */
export const MFA_FACTORS: readonly MfaFactor[] = Object.freeze(['SMS_MFA', 'SOFTWARE_TOKEN_MFA', 'EMAIL_OTP'] as const);

/** The one legacy MFA option Cognito accepts: SMS to the phone number. */
export type LegacyMfaOption = { DeliveryMedium: 'SMS'; AttributeName: 'phone_number' };

/**
 * A user's MFA settings, stored as JSON in users.mfa (null when empty). Every member is optional:
 * `{}` is a user who never touched MFA.
 */
export interface UserMfa {
  /** The verified software token (VerifySoftwareToken): its secret sealed with the master key. */
  totp?: {
    /** sealTotpSecret(...) of the base32 secret. */
    secret: string;
    /** FriendlyDeviceName given to VerifySoftwareToken, if any. */
    friendlyName?: string;
    /** The time step of the last code accepted: no code of that step or an earlier one is accepted again. */
    lastStep?: number;
    /** Epoch milliseconds. */
    verifiedAt: number;
  };
  /**
   * The secret AssociateSoftwareToken issued and VerifySoftwareToken has not accepted a code of
   * yet (sealed). It replaces `totp` only once verified: until then the old token still works, as
   * Cognito documents ("disassociates an existing software token when you verify the new token").
   */
  pendingTotp?: { secret: string; createdAt: number };
  /** Factors enabled with (Admin)SetUserMFAPreference, in MFA_FACTORS order. */
  enabled?: MfaFactor[];
  /** The preferred factor (always one of `enabled`). */
  preferred?: MfaFactor;
  /** The legacy MFAOptions set with (Admin)SetUserSettings: SMS MFA, the way it was turned on before 2018. */
  mfaOptions?: LegacyMfaOption[];
  /**
   * Passkey MFA (WebAuthnMfaSettings Enabled, (Admin)SetUserMFAPreference): the user's passkey
   * sign-ins must verify the user (UV), and count as MFA where the pool's WebAuthnConfiguration
   * FactorConfiguration is MULTI_FACTOR_WITH_USER_VERIFICATION. Not an MfaFactor: it is never
   * preferred, never asked after a password, and not in UserMFASettingList.
   */
  webAuthnMfa?: true;
}

/** The services the functions here need; an operation's Ctx is one. */
export interface MfaServices {
  store: Store;
  secrets: Secrets;
  /** Epoch milliseconds: the request's time (ctx.now). */
  now: number;
}

// ---------------------------------------------------------------------------------------------
// Pool configuration
// ---------------------------------------------------------------------------------------------

/**
 * The factors a pool offers. Pools stored before SetUserPoolMfaConfig existed have no MfaFactors:
 * their MFA was SMS, on when MfaConfiguration is not OFF and an SmsConfiguration is set (the only
 * factor CreateUserPool / UpdateUserPool can turn on).
 */
export function poolMfaFactors(settings: PoolSettings): PoolMfaFactors {
  if (settings.MfaFactors) return settings.MfaFactors;
  return { sms: (settings.MfaConfiguration ?? 'OFF') !== 'OFF' && !!settings.SmsConfiguration, softwareToken: false };
}

/** The factors the pool offers, as factor names (MFA_FACTORS order); none when MFA is OFF. */
export function poolFactorList(settings: PoolSettings): MfaFactor[] {
  if ((settings.MfaConfiguration ?? 'OFF') === 'OFF') return [];
  const f = poolMfaFactors(settings);
  return MFA_FACTORS.filter((x) => (x === 'SMS_MFA' ? f.sms : x === 'SOFTWARE_TOKEN_MFA' ? f.softwareToken : !!f.email));
}

/** GetUserPoolMfaConfig's answer (and SetUserPoolMfaConfig's): what is configured, SMS and email only when on. */
export function renderPoolMfaConfig(settings: PoolSettings): GetUserPoolMfaConfigResponse {
  const f = poolMfaFactors(settings);
  return {
    ...(f.sms
      ? {
          SmsMfaConfiguration: {
            ...(settings.SmsAuthenticationMessage !== undefined ? { SmsAuthenticationMessage: settings.SmsAuthenticationMessage } : {}),
            ...(settings.SmsConfiguration ? { SmsConfiguration: settings.SmsConfiguration } : {}),
          },
        }
      : {}),
    SoftwareTokenMfaConfiguration: { Enabled: f.softwareToken },
    ...(f.email ? { EmailMfaConfiguration: f.email } : {}),
    MfaConfiguration: settings.MfaConfiguration ?? 'OFF',
    ...renderWebAuthnConfig(settings),
  };
}

/**
 * The MFA factors of a pool CreateUserPool makes: SMS when MFA is ON or OPTIONAL and an
 * SmsConfiguration is given (the only factor CreateUserPool can turn on; TOTP and email come with
 * SetUserPoolMfaConfig afterwards). checkPoolMfa then refuses MFA on without a factor.
 */
export function createdPoolMfa(settings: PoolSettings): PoolMfaFactors {
  return { sms: (settings.MfaConfiguration ?? 'OFF') !== 'OFF' && !!settings.SmsConfiguration, softwareToken: false };
}

/**
 * The MFA factors after UpdateUserPool (`next`: the settings it builds, MfaConfiguration already
 * defaulted to OFF when omitted). OFF turns every factor off. ON or OPTIONAL keeps the software
 * token and email factors the pool has, and has SMS exactly when the request carries an
 * SmsConfiguration (UpdateUserPool replaces it). checkPoolMfa then refuses MFA on without a factor.
 */
export function updatedPoolMfa(current: PoolSettings, next: PoolSettings): PoolMfaFactors {
  if ((next.MfaConfiguration ?? 'OFF') === 'OFF') return { sms: false, softwareToken: false };
  const had = poolMfaFactors(current);
  return { sms: !!next.SmsConfiguration, softwareToken: had.softwareToken, ...(had.email ? { email: had.email } : {}) };
}

/**
 * CreateUserPool's and UpdateUserPool's rule: MfaConfiguration ON or OPTIONAL needs a factor, which
 * at creation can only be SMS, so Cognito's message names the SMS configuration.
 */
export function checkPoolMfa(settings: PoolSettings): void {
  if ((settings.MfaConfiguration ?? 'OFF') !== 'OFF' && poolFactorList(settings).length === 0) {
    throw errors.invalidParameter('SMS configuration and Auto verification for phone_number are required when MFA is required/optional');
  }
}

const IAM_ROLE_ARN = /^arn:aws[a-z-]*:iam::\d{12}:role\/[\w+=,.@/-]+$/;

/**
 * SetUserPoolMfaConfig: the pool's settings with the MFA configuration of the request, which
 * replaces the whole MFA configuration (a factor the request omits is off; MfaConfiguration
 * omitted is OFF). Cognito's checks and messages:
 *  - an SMS factor needs an SmsConfiguration (the request's, else the pool's) with an ExternalId and
 *    the ARN of an IAM role;
 *  - OFF with any factor configured, or ON/OPTIONAL with none, is refused;
 *  - email MFA needs the ESSENTIALS or PLUS tier and the pool sending its email through Amazon SES
 *    (EmailConfiguration.EmailSendingAccount DEVELOPER).
 * The SMS template and configuration are also the pool's SmsAuthenticationMessage and
 * SmsConfiguration (DescribeUserPool shows them). WebAuthnConfiguration (passkeys) is not an MFA
 * factor here: the pool keeps it when the request omits it (domain/passkeys.ts applyWebAuthnConfig).
 */
export function applyPoolMfaConfig(settings: PoolSettings, input: Omit<SetUserPoolMfaConfigRequest, 'UserPoolId'>): PoolSettings {
  const mode = input.MfaConfiguration ?? 'OFF';
  const sms = input.SmsMfaConfiguration;
  const totp = input.SoftwareTokenMfaConfiguration?.Enabled === true;
  const email = input.EmailMfaConfiguration;
  let smsConfiguration: SmsConfigurationType | undefined;
  if (sms) {
    smsConfiguration = sms.SmsConfiguration ?? settings.SmsConfiguration;
    if (!smsConfiguration?.ExternalId || !IAM_ROLE_ARN.test(smsConfiguration.SnsCallerArn ?? '')) {
      throw errors.invalidParameter('Invalid SMS MFA configuration given, external id and a valid caller arn are required');
    }
  }
  if (mode === 'OFF' && (sms || totp || email)) {
    throw errors.invalidParameter("Invalid MFA configuration given, can't turn off MFA and configure an MFA together.");
  }
  if (mode !== 'OFF' && !sms && !totp && !email) {
    throw errors.invalidParameter("Invalid MFA configuration given, can't disable all MFAs with a required or optional configuration.");
  }
  if (email) {
    if (settings.UserPoolTier === 'LITE') {
      // Message ours.
      throw errors.featureUnavailableInTier('Email MFA (EmailMfaConfiguration) requires the ESSENTIALS or PLUS user pool tier.');
    }
    if (settings.EmailConfiguration?.EmailSendingAccount !== 'DEVELOPER') {
      // Message ours: Cognito requires email MFA messages to go through Amazon SES.
      throw errors.invalidParameter(
        'Email MFA (EmailMfaConfiguration) requires the user pool to send email with Amazon SES: set EmailConfiguration.EmailSendingAccount to DEVELOPER.',
      );
    }
  }
  const webAuthn = applyWebAuthnConfig(settings, input.WebAuthnConfiguration);
  const out: PoolSettings = {
    ...settings,
    ...(webAuthn ? { WebAuthnConfiguration: webAuthn } : {}),
    MfaConfiguration: mode,
    MfaFactors: {
      sms: !!sms,
      softwareToken: totp,
      ...(email ? { email: { ...(email.Message !== undefined ? { Message: email.Message } : {}), ...(email.Subject !== undefined ? { Subject: email.Subject } : {}) } } : {}),
    },
  };
  if (sms) {
    out.SmsConfiguration = smsConfiguration;
    if (sms.SmsAuthenticationMessage !== undefined) out.SmsAuthenticationMessage = sms.SmsAuthenticationMessage;
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// What a user can be challenged with
// ---------------------------------------------------------------------------------------------

/** The MFA a sign-in of this user must pass, now (mfaState). */
export interface MfaState {
  /** The pool's MfaConfiguration. */
  configuration: 'OFF' | 'ON' | 'OPTIONAL';
  /**
   * Whether the sign-in must pass a factor (or set one up): always when the pool is ON; when
   * OPTIONAL, only for a user with a factor in `enabled`; never when OFF.
   */
  required: boolean;
  /**
   * The factors the user can be challenged with now, in MFA_FACTORS order: turned on for the user,
   * offered by the pool, and with somewhere to send a code. Empty when MFA is OFF.
   */
  enabled: MfaFactor[];
  /** The user's preferred factor when it is in `enabled`. With several enabled and none preferred: SELECT_MFA_TYPE. */
  preferred?: MfaFactor;
  /**
   * What MFA_SETUP can offer (MFAS_CAN_SETUP): the pool's factors, when `required` and nothing is
   * enabled; else empty.
   */
  canSetUp: MfaFactor[];
}

/**
 * Which factors this user's sign-in must pass, from the pool's configuration, the user's settings
 * and attributes. A factor counts when the pool offers it and:
 *  - SOFTWARE_TOKEN_MFA: the user has a verified token, and enabled it (SetUserMFAPreference) or
 *    the pool is ON (a token set up through MFA_SETUP counts at once);
 *  - SMS_MFA: the user has a phone_number (verified or not, as Cognito) and enabled SMS MFA, either
 *    way (SetUserMFAPreference or the legacy MFAOptions); in a pool that is ON, a user with a
 *    phone_number and no other factor gets SMS MFA without turning it on;
 *  - EMAIL_OTP: the user has an email and enabled email MFA.
 */
export function mfaState(pool: Pick<PoolRecord, 'settings'>, user: Pick<UserRecord, 'mfa' | 'attributes'>): MfaState {
  const configuration = (pool.settings.MfaConfiguration ?? 'OFF') as MfaState['configuration'];
  if (configuration === 'OFF') return { configuration, required: false, enabled: [], canSetUp: [] };
  const offered = new Set(poolFactorList(pool.settings));
  const m = user.mfa ?? {};
  const on = new Set(m.enabled ?? []);
  const phone = !!user.attributes.phone_number;
  const email = !!user.attributes.email;
  const usable = (f: MfaFactor): boolean => {
    if (!offered.has(f)) return false;
    if (f === 'SOFTWARE_TOKEN_MFA') return !!m.totp && (on.has(f) || configuration === 'ON');
    if (f === 'SMS_MFA') return phone && (on.has(f) || !!m.mfaOptions?.length);
    return email && on.has(f);
  };
  let enabled = MFA_FACTORS.filter(usable);
  if (enabled.length === 0 && configuration === 'ON' && offered.has('SMS_MFA') && phone) enabled = ['SMS_MFA'];
  const required = configuration === 'ON' || enabled.length > 0;
  return {
    configuration,
    required,
    enabled,
    ...(m.preferred && enabled.includes(m.preferred) ? { preferred: m.preferred } : {}),
    canSetUp: required && enabled.length === 0 ? [...offered] : [],
  };
}

// ---------------------------------------------------------------------------------------------
// How users are shown
// ---------------------------------------------------------------------------------------------

const SMS_OPTION: LegacyMfaOption = { DeliveryMedium: 'SMS', AttributeName: 'phone_number' };

/** UserType.MFAOptions (AdminGetUser, GetUser, ListUsers): SMS MFA, however it was turned on; undefined when off. */
export function mfaOptionsOf(m: UserMfa | undefined): MFAOptionType[] | undefined {
  if (!m) return undefined;
  return m.mfaOptions?.length || m.enabled?.includes('SMS_MFA') ? [{ ...SMS_OPTION }] : undefined;
}

/**
 * The MFA members of GetUser and AdminGetUser: MFAOptions (SMS MFA, legacy or not),
 * UserMFASettingList (the factors turned on with SetUserMFAPreference) and PreferredMfaSetting,
 * each absent when empty, as Cognito leaves them out.
 */
export function userMfaFields(m: UserMfa | undefined): { MFAOptions?: MFAOptionType[]; UserMFASettingList?: string[]; PreferredMfaSetting?: string } {
  const options = mfaOptionsOf(m);
  return {
    ...(options ? { MFAOptions: options } : {}),
    ...(m?.enabled?.length ? { UserMFASettingList: [...m.enabled] } : {}),
    ...(m?.preferred ? { PreferredMfaSetting: m.preferred } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Changing a user's settings
// ---------------------------------------------------------------------------------------------

/**
 * Re-reads the user locked, applies `change` to its MFA settings and writes it back, in one
 * transaction; returns the user as written. `touch`: whether UserLastModifiedDate moves (a setting
 * changed) or not (a sign-in recorded the step of a code).
 */
async function updateMfa(
  s: MfaServices,
  user: Pick<UserRecord, 'poolId' | 'usernameKey'>,
  change: (u: UserRecord) => UserMfa,
  touch = true,
): Promise<UserRecord> {
  return s.store.transaction(async (tx) => {
    const u = await tx.users.get(user.poolId, user.usernameKey, { forUpdate: true });
    if (!u) throw errors.userNotFound('User does not exist.');
    const next: UserRecord = { ...u, mfa: change(u), updatedAt: touch ? s.now : u.updatedAt };
    if (!(await tx.users.update(next))) throw errors.userNotFound('User does not exist.');
    return next;
  });
}

/** Sorted as MFA_FACTORS, without repeats. */
const inOrder = (fs: Iterable<MfaFactor>): MfaFactor[] => {
  const set = new Set(fs);
  return MFA_FACTORS.filter((f) => set.has(f));
};

/** `m` without empty members, so that a user whose settings are all off stores null (users.mfa). */
function tidy(m: UserMfa): UserMfa {
  const out: UserMfa = {};
  if (m.totp) out.totp = m.totp;
  if (m.pendingTotp) out.pendingTotp = m.pendingTotp;
  if (m.enabled?.length) out.enabled = inOrder(m.enabled);
  if (m.preferred && out.enabled?.includes(m.preferred)) out.preferred = m.preferred;
  if (m.mfaOptions?.length) out.mfaOptions = m.mfaOptions;
  if (m.webAuthnMfa) out.webAuthnMfa = true;
  return out;
}

/**
 * AssociateSoftwareToken: a new secret for the user, kept (sealed) as the pending one until
 * VerifySoftwareToken accepts a code of it; an earlier pending secret is dropped, a verified token
 * keeps working meanwhile. Returns the base32 SecretCode (the only time it leaves in clear).
 */
export async function associateSoftwareToken(
  s: MfaServices,
  pool: Pick<PoolRecord, 'id'>,
  user: Pick<UserRecord, 'poolId' | 'usernameKey' | 'username'>,
): Promise<{ secretCode: string; user: UserRecord }> {
  const secretCode = newTotpSecret();
  const written = await updateMfa(s, user, (u) => tidy({ ...u.mfa, pendingTotp: { secret: sealTotpSecret(s.secrets, u, secretCode), createdAt: s.now } }));
  return { secretCode, user: written };
}

/** VerifySoftwareToken's answer to a wrong code. */
export const softwareTokenMismatch = () => new CognitoError('EnableSoftwareTokenMFAException', 'Code mismatch and fail enable Software Token MFA');

/**
 * VerifySoftwareToken: checks a code of the pending secret at s.now (one step of drift either way)
 * and makes that secret the user's software token, with its FriendlyDeviceName; the code cannot be
 * used again (its step is recorded). The token is then verified, not yet enabled: SOFTWARE_TOKEN_MFA
 * goes into UserMFASettingList with SetUserMFAPreference, or at once with `enable` (the sign-in
 * engine's MFA_SETUP, where finishing the set-up turns the factor on).
 * Errors: no pending secret, SoftwareTokenMFANotFoundException; a wrong code,
 * EnableSoftwareTokenMFAException "Code mismatch and fail enable Software Token MFA" (nothing written).
 */
export async function verifySoftwareToken(
  s: MfaServices,
  pool: Pick<PoolRecord, 'id'>,
  user: Pick<UserRecord, 'poolId' | 'usernameKey' | 'username'>,
  code: string,
  opts: { friendlyName?: string; enable?: boolean } = {},
): Promise<UserRecord> {
  return updateMfa(s, user, (u) => {
    const pending = u.mfa.pendingTotp;
    if (!pending) throw softwareTokenNotFound();
    const step = checkTotp(openTotpSecret(s.secrets, u, pending.secret), code, s.now);
    if (step === undefined) throw softwareTokenMismatch();
    const { pendingTotp: _, ...rest } = u.mfa;
    return tidy({
      ...rest,
      totp: { secret: pending.secret, ...(opts.friendlyName ? { friendlyName: opts.friendlyName } : {}), lastStep: step, verifiedAt: s.now },
      ...(opts.enable ? { enabled: [...(rest.enabled ?? []), 'SOFTWARE_TOKEN_MFA'] } : {}),
    });
  });
}

/** The user has no (verified, or for VerifySoftwareToken pending) software token. */
export const softwareTokenNotFound = () => new CognitoError('SoftwareTokenMFANotFoundException', 'Software Token MFA does not exist for the user.');

/**
 * After a right SMS_MFA code the phone has proved it receives messages: phone_number_verified
 * becomes true, as in Cognito ("After users complete the SMS text message MFA verification, Amazon
 * Cognito sets the phone_number_verified attribute to true": AWS re:Post Knowledge Center, "How do
 * I troubleshoot MFA errors in my Amazon Cognito user pool?"). A phone that is an alias another
 * user holds stays unverified (the sign-in goes on). Returns the user as it is now.
 */
export async function verifyPhoneBySmsMfa(s: MfaServices, pool: PoolRecord, user: UserRecord): Promise<UserRecord> {
  const phone = user.attributes.phone_number;
  if (!phone || isTrue(user.attributes.phone_number_verified)) return user;
  try {
    return await s.store.transaction(async (tx) => {
      const u = await tx.users.get(pool.id, user.usernameKey, { forUpdate: true });
      // Changed meanwhile (another phone, or verified already): leave it as it is.
      if (!u || u.attributes.phone_number !== phone || isTrue(u.attributes.phone_number_verified)) return u ?? user;
      const next: UserRecord = { ...u, attributes: { ...u.attributes, phone_number_verified: 'true' }, updatedAt: s.now };
      await saveUser(tx, pool, next, { now: s.now });
      return next;
    });
  } catch (e) {
    if (e instanceof CognitoError && e.type === 'AliasExistsException') return user;
    throw e;
  }
}

/** A wrong MFA code at sign-in (SOFTWARE_TOKEN_MFA, SMS_MFA, EMAIL_OTP). */
export const mfaCodeMismatch = () => errors.codeMismatch('Invalid code received for user');

/**
 * A right code of a step already used (by VerifySoftwareToken or an earlier sign-in) at the
 * SOFTWARE_TOKEN_MFA challenge: Cognito's text and type (amplify-swift's MFA integration tests wait
 * for the next step "to avoid RespondToAuthChallengeOutputError.expiredCodeException - Your software
 * token has already been used once."; see docs/decisions.md).
 */
export const softwareTokenUsed = () => errors.expiredCode('Your software token has already been used once.');

/**
 * The SOFTWARE_TOKEN_MFA challenge: checks a code of the user's verified token at s.now (one step
 * of drift either way) and records its step, so the same code (or an older one) is refused from
 * then on, also by a concurrent request (the row is locked while checked). Does not move
 * UserLastModifiedDate. Errors: CodeMismatchException "Invalid code received for user" (a wrong
 * code; nothing written; the engine counts it toward the lockout), ExpiredCodeException "Your
 * software token has already been used once." (a code of a step already used; not counted),
 * SoftwareTokenMFANotFoundException (no verified token).
 */
export async function checkSoftwareTokenCode(
  s: MfaServices,
  pool: Pick<PoolRecord, 'id'>,
  user: Pick<UserRecord, 'poolId' | 'usernameKey' | 'username'>,
  code: string,
): Promise<UserRecord> {
  return updateMfa(
    s,
    user,
    (u) => {
      const totp = u.mfa.totp;
      if (!totp) throw softwareTokenNotFound();
      const secret = openTotpSecret(s.secrets, u, totp.secret);
      const step = checkTotp(secret, code, s.now, totp.lastStep);
      if (step === undefined) {
        // A code of the window that matches only steps already used: spent, not wrong.
        if (typeof totp.lastStep === 'number' && checkTotp(secret, code, s.now) !== undefined) throw softwareTokenUsed();
        throw mfaCodeMismatch();
      }
      return { ...u.mfa, totp: { ...totp, lastStep: step } };
    },
    false,
  );
}

/** (Admin)SetUserMFAPreference's request, less who. */
export interface MfaPreferenceInput {
  SMSMfaSettings?: SMSMfaSettingsType;
  SoftwareTokenMfaSettings?: SoftwareTokenMfaSettingsType;
  EmailMfaSettings?: EmailMfaSettingsType;
  WebAuthnMfaSettings?: WebAuthnMfaSettingsType;
}

const noDeliveryConfig = (f: MfaFactor) => errors.invalidParameter(`User does not have delivery config set to turn on ${f}`);

/**
 * SetUserMFAPreference and AdminSetUserMFAPreference. Each settings object given replaces that
 * factor's state (Enabled and PreferredMfa, each false when omitted); a factor not given is left as
 * it is. Preferring a factor makes it the only preferred one; turning a factor off (or un-preferring
 * it) drops the preference when it was that one; turning SMS MFA off also clears the legacy
 * MFAOptions. Errors (InvalidParameterException unless said):
 *  - PreferredMfa without Enabled, or more than one factor preferred;
 *  - SOFTWARE_TOKEN_MFA before a software token is verified: "User does not have delivery config
 *    set to turn on SOFTWARE_TOKEN_MFA"; SMS_MFA without a phone_number, EMAIL_OTP without an email:
 *    the same message with that factor;
 *  - EMAIL_OTP in a LITE pool: FeatureUnavailableInTierException;
 *  - WebAuthnMfaSettings Enabled (passkey MFA): in a LITE pool FeatureUnavailableInTierException;
 *    in a pool whose WebAuthnConfiguration FactorConfiguration is not
 *    MULTI_FACTOR_WITH_USER_VERIFICATION, or for a user left with no other MFA method enabled
 *    (SMS, TOTP or email, "to prevent account lockout", WebAuthnMfaSettingsType): InvalidParameterException
 *    (messages ours). Turning the last other method off while passkey MFA is on is refused the same way.
 */
export async function setMfaPreference(
  s: MfaServices,
  pool: Pick<PoolRecord, 'settings'>,
  user: Pick<UserRecord, 'poolId' | 'usernameKey'>,
  input: MfaPreferenceInput,
): Promise<UserRecord> {
  const given: [MfaFactor, { Enabled?: boolean; PreferredMfa?: boolean } | undefined][] = [
    ['SMS_MFA', input.SMSMfaSettings],
    ['SOFTWARE_TOKEN_MFA', input.SoftwareTokenMfaSettings],
    ['EMAIL_OTP', input.EmailMfaSettings],
  ];
  const preferredNow = given.filter(([, v]) => v?.PreferredMfa === true).map(([f]) => f);
  for (const [f, v] of given) {
    if (v?.PreferredMfa === true && v.Enabled !== true) {
      // Message ours.
      throw errors.invalidParameter(`${f} cannot be the preferred MFA method without being enabled (PreferredMfa needs Enabled).`);
    }
  }
  if (preferredNow.length > 1) {
    // Message ours (the model: "Only one factor can be set as preferred").
    throw errors.invalidParameter(`Only one MFA method can be preferred; ${preferredNow.join(' and ')} both are.`);
  }
  if (input.EmailMfaSettings?.Enabled === true && pool.settings.UserPoolTier === 'LITE') {
    // Message ours.
    throw errors.featureUnavailableInTier('Email MFA requires the ESSENTIALS or PLUS user pool tier.');
  }
  const passkeyMfa = input.WebAuthnMfaSettings?.Enabled;
  if (passkeyMfa === true) checkPasskeyMfaPool(pool);
  return updateMfa(s, user, (u) => {
    const enabled = new Set(u.mfa.enabled ?? []);
    let preferred = u.mfa.preferred;
    let mfaOptions = u.mfa.mfaOptions;
    for (const [f, v] of given) {
      if (!v) continue;
      if (v.Enabled === true) {
        if (f === 'SOFTWARE_TOKEN_MFA' && !u.mfa.totp) throw noDeliveryConfig(f);
        if (f === 'SMS_MFA' && !u.attributes.phone_number) throw noDeliveryConfig(f);
        if (f === 'EMAIL_OTP' && !u.attributes.email) throw noDeliveryConfig(f);
        enabled.add(f);
        if (v.PreferredMfa === true) preferred = f;
        else if (preferred === f) preferred = undefined;
      } else {
        enabled.delete(f);
        if (preferred === f) preferred = undefined;
        if (f === 'SMS_MFA') mfaOptions = undefined;
      }
    }
    const webAuthnMfa = passkeyMfa === undefined ? u.mfa.webAuthnMfa : passkeyMfa || undefined;
    if (webAuthnMfa && enabled.size === 0 && !mfaOptions?.length) {
      // Message ours (WebAuthnMfaSettingsType: "The user must also have at least one other MFA method such as SMS, TOTP, or email activated to prevent account lockout").
      throw errors.invalidParameter(
        passkeyMfa === true
          ? 'Passkey MFA (WebAuthnMfaSettings) needs another MFA method enabled for the user first (SMSMfaSettings, SoftwareTokenMfaSettings or EmailMfaSettings), so that the user is not locked out without the passkey.'
          : 'Passkey MFA (WebAuthnMfaSettings) is enabled for this user and needs another MFA method: turn passkey MFA off (WebAuthnMfaSettings Enabled false) before the last other one.',
      );
    }
    return tidy({ ...u.mfa, enabled: [...enabled], preferred, mfaOptions, webAuthnMfa });
  });
}

/** Whether passkeys count as MFA in the pool (WebAuthnConfiguration FactorConfiguration MULTI_FACTOR_WITH_USER_VERIFICATION, a tier above LITE). */
export function passkeyIsMfa(pool: Pick<PoolRecord, 'settings'>): boolean {
  return pool.settings.UserPoolTier !== 'LITE' && pool.settings.WebAuthnConfiguration?.FactorConfiguration === 'MULTI_FACTOR_WITH_USER_VERIFICATION';
}

/** WebAuthnMfaSettings Enabled needs a pool where passkeys count as MFA. */
function checkPasskeyMfaPool(pool: Pick<PoolRecord, 'settings'>): void {
  if (pool.settings.UserPoolTier === 'LITE') {
    // Message ours.
    throw errors.featureUnavailableInTier('Passkey MFA (WebAuthnMfaSettings) requires the ESSENTIALS or PLUS user pool tier.');
  }
  if (!passkeyIsMfa(pool)) {
    // Message ours.
    throw errors.invalidParameter(
      'Passkey MFA (WebAuthnMfaSettings) needs the user pool to count passkeys as MFA: set WebAuthnConfiguration.FactorConfiguration to MULTI_FACTOR_WITH_USER_VERIFICATION (SetUserPoolMfaConfig).',
    );
  }
}

/**
 * The legacy MFAOptions of SetUserSettings / AdminSetUserSettings: only SMS to phone_number can be
 * set (InvalidParameterException otherwise); returns them as stored.
 */
export function checkMfaOptions(options: MFAOptionType[] | undefined): LegacyMfaOption[] {
  for (const o of options ?? []) {
    if (o.DeliveryMedium !== 'SMS' || o.AttributeName !== 'phone_number') {
      // Message ours.
      throw errors.invalidParameter('Only SMS MFA with the phone_number attribute can be set with MFAOptions.');
    }
  }
  return options?.length ? [{ ...SMS_OPTION }] : [];
}

/**
 * SetUserSettings / AdminSetUserSettings: sets the legacy MFAOptions (SMS MFA on). An empty list
 * turns SMS MFA off, however it was turned on (the legacy switch), and drops an SMS preference.
 */
export async function setLegacyMfaOptions(s: MfaServices, user: Pick<UserRecord, 'poolId' | 'usernameKey'>, options: MFAOptionType[] | undefined): Promise<UserRecord> {
  const list = checkMfaOptions(options);
  return updateMfa(s, user, (u) => {
    if (list.length) return tidy({ ...u.mfa, mfaOptions: list });
    return tidy({ ...u.mfa, mfaOptions: undefined, enabled: (u.mfa.enabled ?? []).filter((f) => f !== 'SMS_MFA') });
  });
}

// ---------------------------------------------------------------------------------------------
// Codes by SMS and email (SMS_MFA, EMAIL_OTP)
// ---------------------------------------------------------------------------------------------

/** How long an SMS or email MFA code is good for (Cognito: 3 minutes, the challenge session's life). */
export const MFA_CODE_LIFETIME_MS = 3 * 60_000;

/** Cognito's SMS MFA text when the pool sets no SmsAuthenticationMessage. */
export const DEFAULT_MFA_SMS_MESSAGE = 'Your authentication code is {####}. ';
/** The email MFA text and subject when EmailMfaConfiguration sets none. Ours (Cognito's default not documented). */
export const DEFAULT_MFA_EMAIL_MESSAGE = 'Your authentication code is {####}. ';
export const DEFAULT_MFA_EMAIL_SUBJECT = 'Your authentication code';

/** What the sign-in engine keeps in its session after sendMfaCode: never the code itself. */
export interface SentMfaCode {
  medium: 'SMS' | 'EMAIL';
  /** `<salt>.<HMAC under the master key>` of the code: checkMfaCode compares against it. */
  codeHash: string;
  /** For the challenge parameters (CODE_DELIVERY_DELIVERY_MEDIUM, CODE_DELIVERY_DESTINATION). */
  deliveryDetails: CodeDeliveryDetailsType;
  /** Epoch milliseconds after which checkMfaCode refuses the code. */
  expiresAt: number;
}

const codeMac = (secrets: Secrets, user: Pick<UserRecord, 'poolId' | 'usernameKey'>, salt: string, code: string) =>
  createHmac('sha256', secrets.mac('mfa-code', `${user.poolId}\u0000${user.usernameKey}`)).update(salt).update('\u0000').update(code).digest('base64url');

/**
 * SMS_MFA / EMAIL_OTP: makes a 6-digit code and sends it to the user's phone_number (SMS) or email
 * (EMAIL) through the delivery (outbox, console, SMTP), from the pool's template: the
 * SmsAuthenticationMessage, or EmailMfaConfiguration's Message and Subject (Cognito's default text
 * otherwise); outbox kind 'MFA'. Returns what the session keeps: a salted keyed hash of the code, the
 * CodeDeliveryDetails (destination masked) and the expiry. Call it outside any transaction.
 * InvalidParameterException when the user has nowhere to send it (mfaState lists no such factor then).
 */
export async function sendMfaCode(
  s: Pick<MfaServices, 'secrets' | 'now'> & MessageContext,
  pool: Pick<PoolRecord, 'id' | 'settings'> & Partial<Pick<PoolRecord, 'region'>>,
  user: Pick<UserRecord, 'poolId' | 'usernameKey' | 'username' | 'attributes'> & Partial<Pick<UserRecord, 'sub' | 'status'>>,
  medium: 'SMS' | 'EMAIL',
  clientId: string = NO_CLIENT,
): Promise<SentMfaCode> {
  const destination = medium === 'SMS' ? user.attributes.phone_number : user.attributes.email;
  if (!destination) {
    // Message ours.
    throw errors.invalidParameter(`The user has no ${medium === 'SMS' ? 'phone_number' : 'email'} to send an MFA code to.`);
  }
  const channel: Channel = medium === 'SMS' ? { medium, attribute: 'phone_number', destination } : { medium, attribute: 'email', destination };
  const code = String(randomInt(0, 1_000_000)).padStart(6, '0');
  const salt = randomBytes(12).toString('base64url');
  const email = poolMfaFactors(pool.settings).email;
  const template = medium === 'SMS' ? pool.settings.SmsAuthenticationMessage ?? DEFAULT_MFA_SMS_MESSAGE : email?.Message ?? DEFAULT_MFA_EMAIL_MESSAGE;
  // Through the pool's message triggers: CustomMessage_Authentication, CustomEmailSender_ /
  // CustomSMSSender_Authentication (delivery/messages.ts).
  await sendMessage(
    s,
    {
      pool,
      user,
      medium,
      destination,
      source: 'Authentication',
      kind: 'MFA',
      clientId,
      template,
      ...(medium === 'EMAIL' ? { subject: email?.Subject ?? DEFAULT_MFA_EMAIL_SUBJECT } : {}),
    },
    code,
  );
  return { medium, codeHash: `${salt}.${codeMac(s.secrets, user, salt, code)}`, deliveryDetails: deliveryDetails(channel), expiresAt: s.now + MFA_CODE_LIFETIME_MS };
}

/**
 * Whether `code` is the one sendMfaCode sent (compared in constant time) and still good at `now`.
 * A boolean: the engine answers CodeMismatchException (mfaCodeMismatch) and counts the failure.
 */
export function checkMfaCode(
  s: Pick<MfaServices, 'secrets' | 'now'>,
  user: Pick<UserRecord, 'poolId' | 'usernameKey'>,
  sent: Pick<SentMfaCode, 'codeHash' | 'expiresAt'>,
  code: string,
): boolean {
  if (typeof code !== 'string' || !/^[0-9]{6}$/.test(code) || s.now > sent.expiresAt) return false;
  const [salt, mac] = sent.codeHash.split('.');
  if (!salt || !mac) return false;
  const expected = Buffer.from(mac);
  const given = Buffer.from(codeMac(s.secrets, user, salt, code));
  return expected.length === given.length && timingSafeEqual(expected, given);
}
