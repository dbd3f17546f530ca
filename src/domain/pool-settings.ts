/**
 * User pool settings: Cognito's defaults and rules for CreateUserPool / UpdateUserPool /
 * AddCustomAttributes. The stored form (PoolSettings) is the UserPoolType the API returns, less the
 * fields the server computes (id, name, dates, ARN, user count, domain, tags).
 */
import type {
  CreateUserPoolRequest,
  EmailMfaConfigType,
  SchemaAttributeType,
  UpdateUserPoolRequest,
  UserPoolType,
  WebAuthnConfigurationType,
} from '@aws-sdk/client-cognito-identity-provider';
import { errors } from '../protocol/errors.js';
import { createdPoolMfa, updatedPoolMfa } from './mfa.js';

/**
 * The MFA factors a pool offers (SetUserPoolMfaConfig, domain/mfa.ts): kept with the settings but
 * not part of UserPoolType, so DescribeUserPool does not show it (GetUserPoolMfaConfig does).
 */
export interface PoolMfaFactors {
  sms: boolean;
  softwareToken: boolean;
  /** Email MFA, with its template when set. Absent: off. */
  email?: EmailMfaConfigType;
}

export type PoolSettings = Omit<
  UserPoolType,
  | 'Id'
  | 'Name'
  | 'LastModifiedDate'
  | 'CreationDate'
  | 'Arn'
  | 'EstimatedNumberOfUsers'
  | 'Domain'
  | 'CustomDomain'
  | 'UserPoolTags'
  | 'Status'
> & {
  MfaFactors?: PoolMfaFactors;
  /** SetUserPoolMfaConfig's WebAuthnConfiguration (domain/passkeys.ts): GetUserPoolMfaConfig shows it, DescribeUserPool does not. */
  WebAuthnConfiguration?: WebAuthnConfigurationType;
};

const str = (name: string, min = '0', max = '2048'): SchemaAttributeType => ({
  Name: name,
  AttributeDataType: 'String',
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
  StringAttributeConstraints: { MinLength: min, MaxLength: max },
});
const bool = (name: string): SchemaAttributeType => ({
  Name: name,
  AttributeDataType: 'Boolean',
  DeveloperOnlyAttribute: false,
  Mutable: true,
  Required: false,
});

/** The standard attributes every pool has, in the order DescribeUserPool lists them. */
export const STANDARD_SCHEMA: readonly SchemaAttributeType[] = Object.freeze([
  { ...str('sub', '1'), Mutable: false, Required: true },
  str('name'),
  str('given_name'),
  str('family_name'),
  str('middle_name'),
  str('nickname'),
  str('preferred_username'),
  str('profile'),
  str('picture'),
  str('website'),
  str('email'),
  bool('email_verified'),
  str('gender'),
  str('birthdate', '10', '10'),
  str('zoneinfo'),
  str('locale'),
  str('phone_number'),
  bool('phone_number_verified'),
  str('address'),
  {
    Name: 'updated_at',
    AttributeDataType: 'Number',
    DeveloperOnlyAttribute: false,
    Mutable: true,
    Required: false,
    NumberAttributeConstraints: { MinValue: '0' },
  },
  { Name: 'identities', AttributeDataType: 'String', DeveloperOnlyAttribute: false, Mutable: true, Required: false, StringAttributeConstraints: {} },
]);

const STANDARD_NAMES = new Set(STANDARD_SCHEMA.map((a) => a.Name!));
export const MAX_CUSTOM_ATTRIBUTES = 50;

export const DEFAULT_PASSWORD_POLICY = {
  MinimumLength: 8,
  RequireUppercase: true,
  RequireLowercase: true,
  RequireNumbers: true,
  RequireSymbols: true,
  TemporaryPasswordValidityDays: 7,
} as const;

/** The fields UpdateUserPool can set; anything it omits goes back to its default. */
type MutableInput = Omit<UpdateUserPoolRequest, 'UserPoolId' | 'PoolName' | 'UserPoolTags'>;

function buildMutable(input: MutableInput): PoolSettings {
  const out: PoolSettings = {};

  // Password policy and the deprecated UnusedAccountValidityDays, which mirrors the temporary password validity.
  const pp = input.Policies?.PasswordPolicy;
  const unused = input.AdminCreateUserConfig?.UnusedAccountValidityDays;
  const tempDays = pp?.TemporaryPasswordValidityDays;
  if (unused !== undefined && tempDays !== undefined && unused !== tempDays) {
    throw errors.invalidParameter('Please use TemporaryPasswordValidityDays in PasswordPolicy instead of UnusedAccountValidityDays');
  }
  const temporaryDays = tempDays ?? unused ?? DEFAULT_PASSWORD_POLICY.TemporaryPasswordValidityDays;
  const passwordPolicy = pp
    ? {
        MinimumLength: pp.MinimumLength ?? DEFAULT_PASSWORD_POLICY.MinimumLength,
        RequireUppercase: pp.RequireUppercase ?? false,
        RequireLowercase: pp.RequireLowercase ?? false,
        RequireNumbers: pp.RequireNumbers ?? false,
        RequireSymbols: pp.RequireSymbols ?? false,
        ...(pp.PasswordHistorySize !== undefined ? { PasswordHistorySize: pp.PasswordHistorySize } : {}),
        TemporaryPasswordValidityDays: temporaryDays,
      }
    : { ...DEFAULT_PASSWORD_POLICY, TemporaryPasswordValidityDays: temporaryDays };
  out.Policies = {
    PasswordPolicy: passwordPolicy,
    SignInPolicy: input.Policies?.SignInPolicy ?? { AllowedFirstAuthFactors: ['PASSWORD'] },
  };
  if (out.Policies.SignInPolicy?.AllowedFirstAuthFactors && !out.Policies.SignInPolicy.AllowedFirstAuthFactors.includes('PASSWORD')) {
    throw errors.invalidParameter('AllowedFirstAuthFactors must include PASSWORD.');
  }

  out.DeletionProtection = input.DeletionProtection ?? 'INACTIVE';
  out.LambdaConfig = input.LambdaConfig ?? {};
  // The custom sender triggers get codes encrypted under the pool's KMS key: no key, no sender
  // (developer guide, "Custom sender Lambda triggers": "you must configure a symmetric AWS KMS key").
  // Message ours (docs/decisions.md, "Custom sender triggers").
  for (const sender of ['CustomEmailSender', 'CustomSMSSender'] as const) {
    if (out.LambdaConfig[sender] && !out.LambdaConfig.KMSKeyID) {
      throw errors.invalidParameter(`LambdaConfig.KMSKeyID is required with LambdaConfig.${sender}: Amazon Cognito encrypts the codes it sends the function with that key.`);
    }
  }
  if (input.AutoVerifiedAttributes !== undefined) out.AutoVerifiedAttributes = dedupe(input.AutoVerifiedAttributes);

  // Verification messages: the legacy top-level fields and VerificationMessageTemplate mirror each other.
  const t = input.VerificationMessageTemplate ?? {};
  const template = {
    ...(t.SmsMessage ?? input.SmsVerificationMessage ? { SmsMessage: t.SmsMessage ?? input.SmsVerificationMessage } : {}),
    ...(t.EmailMessage ?? input.EmailVerificationMessage ? { EmailMessage: t.EmailMessage ?? input.EmailVerificationMessage } : {}),
    ...(t.EmailSubject ?? input.EmailVerificationSubject ? { EmailSubject: t.EmailSubject ?? input.EmailVerificationSubject } : {}),
    ...(t.EmailMessageByLink ? { EmailMessageByLink: t.EmailMessageByLink } : {}),
    ...(t.EmailSubjectByLink ? { EmailSubjectByLink: t.EmailSubjectByLink } : {}),
    DefaultEmailOption: t.DefaultEmailOption ?? 'CONFIRM_WITH_CODE',
  };
  if (template.SmsMessage) out.SmsVerificationMessage = template.SmsMessage;
  if (template.EmailMessage) out.EmailVerificationMessage = template.EmailMessage;
  if (template.EmailSubject) out.EmailVerificationSubject = template.EmailSubject;
  out.VerificationMessageTemplate = template;
  if (input.SmsAuthenticationMessage !== undefined) out.SmsAuthenticationMessage = input.SmsAuthenticationMessage;

  const requireVerification = input.UserAttributeUpdateSettings?.AttributesRequireVerificationBeforeUpdate ?? [];
  for (const a of requireVerification) {
    if (!(out.AutoVerifiedAttributes ?? []).includes(a)) {
      throw errors.invalidParameter(
        `AttributesRequireVerificationBeforeUpdate can only name attributes that are in AutoVerifiedAttributes; '${a}' is not.`,
      );
    }
  }
  out.UserAttributeUpdateSettings = { AttributesRequireVerificationBeforeUpdate: dedupe(requireVerification) };
  out.MfaConfiguration = input.MfaConfiguration ?? 'OFF';
  if (input.DeviceConfiguration !== undefined) out.DeviceConfiguration = input.DeviceConfiguration;
  out.EmailConfiguration = {
    ...input.EmailConfiguration,
    EmailSendingAccount: input.EmailConfiguration?.EmailSendingAccount ?? 'COGNITO_DEFAULT',
  };
  if (out.EmailConfiguration.EmailSendingAccount === 'DEVELOPER' && !out.EmailConfiguration.SourceArn) {
    throw errors.invalidParameter('EmailConfiguration.SourceArn is required when EmailSendingAccount is DEVELOPER.');
  }
  if (input.SmsConfiguration !== undefined) out.SmsConfiguration = input.SmsConfiguration;
  out.AdminCreateUserConfig = {
    AllowAdminCreateUserOnly: input.AdminCreateUserConfig?.AllowAdminCreateUserOnly ?? false,
    UnusedAccountValidityDays: temporaryDays,
    ...(input.AdminCreateUserConfig?.InviteMessageTemplate
      ? { InviteMessageTemplate: input.AdminCreateUserConfig.InviteMessageTemplate }
      : {}),
  };
  if (input.UserPoolAddOns !== undefined) out.UserPoolAddOns = input.UserPoolAddOns;
  if (input.AccountRecoverySetting !== undefined) {
    const names = input.AccountRecoverySetting.RecoveryMechanisms?.map((m) => m.Name) ?? [];
    if (new Set(names).size !== names.length) throw errors.invalidParameter('AccountRecoverySetting cannot name the same recovery mechanism twice.');
    const priorities = input.AccountRecoverySetting.RecoveryMechanisms?.map((m) => m.Priority) ?? [];
    if (new Set(priorities).size !== priorities.length) throw errors.invalidParameter('AccountRecoverySetting priorities must be unique.');
    if (names.includes('admin_only') && names.length > 1) {
      throw errors.invalidParameter('admin_only cannot be combined with another recovery mechanism.');
    }
    out.AccountRecoverySetting = input.AccountRecoverySetting;
  }
  out.UserPoolTier = input.UserPoolTier ?? 'ESSENTIALS';
  checkSignInPolicy(out);
  return out;
}

/**
 * Policies.SignInPolicy.AllowedFirstAuthFactors, the first factors of choice-based sign-in
 * (USER_AUTH): PASSWORD always (checked above), each factor once; the passwordless ones need the
 * ESSENTIALS or PLUS tier (FeatureUnavailableInTierException), and somewhere to send their codes:
 * EMAIL_OTP the pool's email through Amazon SES (EmailSendingAccount DEVELOPER, as email MFA),
 * SMS_OTP an SmsConfiguration. Messages ours (docs/decisions.md, "Choice-based sign-in").
 */
function checkSignInPolicy(out: PoolSettings): void {
  const policy = out.Policies?.SignInPolicy;
  const factors = policy?.AllowedFirstAuthFactors;
  if (!policy) return;
  if (!factors) {
    // SignInPolicy without AllowedFirstAuthFactors (`{}`) is the default: PASSWORD, stored and described so.
    policy.AllowedFirstAuthFactors = ['PASSWORD'];
    return;
  }
  policy.AllowedFirstAuthFactors = dedupe(factors);
  const passwordless = factors.filter((f) => f !== 'PASSWORD');
  if (passwordless.length && out.UserPoolTier === 'LITE') {
    throw errors.featureUnavailableInTier(`AllowedFirstAuthFactors ${passwordless.join(', ')} ${passwordless.length === 1 ? 'requires' : 'require'} the ESSENTIALS or PLUS user pool tier.`);
  }
  if (factors.includes('EMAIL_OTP') && out.EmailConfiguration?.EmailSendingAccount !== 'DEVELOPER') {
    throw errors.invalidParameter(
      'The EMAIL_OTP first factor requires the user pool to send email with Amazon SES: set EmailConfiguration.EmailSendingAccount to DEVELOPER.',
    );
  }
  if (factors.includes('SMS_OTP') && !out.SmsConfiguration?.SnsCallerArn) {
    throw errors.invalidParameter('The SMS_OTP first factor requires an SmsConfiguration (SnsCallerArn) to send its codes with.');
  }
}

function dedupe<T>(xs: T[]): T[] {
  return [...new Set(xs)];
}

/** Turns one Schema entry of a request into the attribute the pool stores. */
function schemaAttribute(a: SchemaAttributeType, standard: boolean): SchemaAttributeType {
  const name = a.Name ?? '';
  if (standard) {
    const base = STANDARD_SCHEMA.find((s) => s.Name === name)!;
    // One text for both (getmoto/moto#4493, the text the outside suite checks).
    if ((a.AttributeDataType && a.AttributeDataType !== base.AttributeDataType) || a.DeveloperOnlyAttribute) {
      throw errors.invalidParameter(`You can not change AttributeDataType or set developerOnlyAttribute for standard schema attribute ${name}`);
    }
    if (name === 'sub' && (a.Required === false || a.Mutable === true)) {
      throw errors.invalidParameter('The sub attribute is required and immutable; it cannot be changed.');
    }
    // The constraints given replace the standard ones they name; the result is what is checked.
    const merged: SchemaAttributeType = {
      ...(a.StringAttributeConstraints ? { StringAttributeConstraints: { ...base.StringAttributeConstraints, ...a.StringAttributeConstraints } } : {}),
      ...(a.NumberAttributeConstraints ? { NumberAttributeConstraints: { ...base.NumberAttributeConstraints, ...a.NumberAttributeConstraints } } : {}),
    };
    checkConstraints(merged, name, base.AttributeDataType!);
    return { ...base, Mutable: a.Mutable ?? base.Mutable, Required: a.Required ?? base.Required, ...merged };
  }
  // A custom attribute has no default type (the service's text: aws/aws-cdk#8585, anomalyco/sst#1645).
  const type = a.AttributeDataType;
  if (!type) throw errors.invalidParameter('Invalid AttributeDataType input, consider using the provided AttributeDataType enum.');
  if (a.Required) throw errors.invalidParameter('Required custom attributes are not supported currently.');
  const stored = (a.DeveloperOnlyAttribute ? 'dev:custom:' : 'custom:') + name;
  checkConstraints(a, stored, type);
  return {
    Name: stored,
    AttributeDataType: type,
    DeveloperOnlyAttribute: a.DeveloperOnlyAttribute ?? false,
    Mutable: a.Mutable ?? true,
    Required: false,
    ...(type === 'String' ? { StringAttributeConstraints: a.StringAttributeConstraints ?? {} } : {}),
    ...(type === 'Number' ? { NumberAttributeConstraints: a.NumberAttributeConstraints ?? {} } : {}),
  };
}

/** The longest a String attribute can be, and so the largest MinLength or MaxLength. */
const MAX_STRING_LENGTH = 2048;
const WHOLE = /^-?\d+$/;

/**
 * The constraints of one Schema entry named `name` (as stored: `custom:x`, `dev:custom:x`, `email`)
 * of data type `type`: lengths whole numbers from 0 to 2048, values whole numbers, and the minimum
 * no greater than the maximum. Texts as getmoto/moto#4493 has them (see docs/decisions.md).
 */
function checkConstraints(a: SchemaAttributeType, name: string, type: string): void {
  const whole = (v: string | undefined, what: string, negative: boolean): number | undefined => {
    if (v === undefined) return undefined;
    const n = Number(v);
    if (!WHOLE.test(v) || !Number.isSafeInteger(n) || (!negative && n < 0)) {
      throw errors.invalidParameter(`Invalid ${what} for schema attribute ${name}`);
    }
    return n;
  };
  if (a.StringAttributeConstraints) {
    if (type !== 'String') throw errors.invalidParameter(`StringAttributeConstraints are only valid for String attributes (${name} is ${type}).`);
    const min = whole(a.StringAttributeConstraints.MinLength, 'StringAttributeConstraints', false);
    const max = whole(a.StringAttributeConstraints.MaxLength, 'StringAttributeConstraints', false);
    if ((min ?? 0) > MAX_STRING_LENGTH || (max ?? 0) > MAX_STRING_LENGTH) {
      throw errors.invalidParameter(`user.${name}: String attributes cannot have a length of more than ${MAX_STRING_LENGTH}`);
    }
    if (min !== undefined && max !== undefined && min > max) throw errors.invalidParameter(`user.${name}: Max length cannot be less than min length.`);
  }
  if (a.NumberAttributeConstraints) {
    if (type !== 'Number') throw errors.invalidParameter(`NumberAttributeConstraints are only valid for Number attributes (${name} is ${type}).`);
    const min = whole(a.NumberAttributeConstraints.MinValue, 'NumberAttributeConstraints', true);
    const max = whole(a.NumberAttributeConstraints.MaxValue, 'NumberAttributeConstraints', true);
    if (min !== undefined && max !== undefined && min > max) throw errors.invalidParameter(`user.${name}: Max value cannot be less than min value.`);
  }
}

/** The pool's full schema from a CreateUserPool request: standard attributes, then custom ones. */
function buildSchema(requested: SchemaAttributeType[] | undefined): SchemaAttributeType[] {
  const schema = STANDARD_SCHEMA.map((a) => ({ ...a }));
  const custom: SchemaAttributeType[] = [];
  for (const a of requested ?? []) {
    const name = a.Name ?? '';
    if (STANDARD_NAMES.has(name)) {
      const i = schema.findIndex((s) => s.Name === name);
      schema[i] = schemaAttribute(a, true);
    } else {
      custom.push(schemaAttribute(a, false));
    }
  }
  return [...schema, ...addCustom([], custom)];
}

/** `custom:x` for `custom:x` and `dev:custom:x`: the name a custom attribute is known by. */
const customName = (stored: string) => (stored.startsWith('dev:') ? stored.slice('dev:'.length) : stored);

/**
 * Checks names are unique and the custom attribute limit holds; returns the attributes to add. A
 * name taken is Cognito's "custom:x: Existing attribute already has name <the attribute>."
 * (getmoto/moto#4498), developer-only or not on either side.
 */
function addCustom(existing: SchemaAttributeType[], added: SchemaAttributeType[]): SchemaAttributeType[] {
  const names = new Map(existing.map((a) => [customName(a.Name!), a.Name!]));
  for (const a of added) {
    const taken = names.get(customName(a.Name!));
    if (taken !== undefined) throw errors.invalidParameter(`${customName(a.Name!)}: Existing attribute already has name ${taken}.`);
    names.set(customName(a.Name!), a.Name!);
  }
  const count = [...names.keys()].filter((n) => n.startsWith('custom:')).length;
  if (count > MAX_CUSTOM_ATTRIBUTES) {
    throw errors.limitExceeded(`A user pool can have at most ${MAX_CUSTOM_ATTRIBUTES} custom attributes.`);
  }
  return added;
}

/** CreateUserPool: the stored settings, with Cognito's defaults filled in. */
export function createPoolSettings(input: CreateUserPoolRequest): PoolSettings {
  if (input.UsernameAttributes?.length && input.AliasAttributes?.length) {
    throw errors.invalidParameter('Only one of the aliasAttributes or usernameAttributes can be set in a User Pool.');
  }
  const settings = buildMutable(input);
  settings.SchemaAttributes = buildSchema(input.Schema);
  if (input.AliasAttributes !== undefined) settings.AliasAttributes = dedupe(input.AliasAttributes);
  if (input.UsernameAttributes !== undefined) settings.UsernameAttributes = dedupe(input.UsernameAttributes);
  if (input.UsernameConfiguration !== undefined) settings.UsernameConfiguration = input.UsernameConfiguration;
  settings.MfaFactors = createdPoolMfa(settings);
  return settings;
}

/**
 * UpdateUserPool replaces every field it can set: what the request omits goes back to its default.
 * The schema, username and alias attributes and username configuration cannot change.
 */
export function updatePoolSettings(current: PoolSettings, input: UpdateUserPoolRequest): PoolSettings {
  const settings = buildMutable(input);
  settings.SchemaAttributes = current.SchemaAttributes;
  if (current.AliasAttributes !== undefined) settings.AliasAttributes = current.AliasAttributes;
  if (current.UsernameAttributes !== undefined) settings.UsernameAttributes = current.UsernameAttributes;
  if (current.UsernameConfiguration !== undefined) settings.UsernameConfiguration = current.UsernameConfiguration;
  settings.MfaFactors = updatedPoolMfa(current, settings);
  if (current.WebAuthnConfiguration) settings.WebAuthnConfiguration = current.WebAuthnConfiguration;
  return settings;
}

/** AddCustomAttributes: the schema with the new custom attributes appended. */
export function withCustomAttributes(current: PoolSettings, added: SchemaAttributeType[]): SchemaAttributeType[] {
  const existing = current.SchemaAttributes ?? [];
  const attrs = added.map((a) => schemaAttribute(a, false));
  return [...existing, ...addCustom(existing, attrs)];
}

/** Attribute names a client may list in ReadAttributes / WriteAttributes for this pool. */
export function attributeNames(settings: PoolSettings): Set<string> {
  return new Set((settings.SchemaAttributes ?? []).map((a) => a.Name!));
}
