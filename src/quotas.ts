/**
 * Request quotas (`--quotas cognito`): Cognito's default request rates per operation category
 * ("Quotas in Amazon Cognito", user pools API operation categories), enforced with one token bucket
 * per category and region on this node, answering TooManyRequestsException "Too many requests" so
 * apps can exercise their retry logic. As in Cognito, a category's rate is shared by every pool of
 * the account in a region. Off by default.
 *
 * Several nodes: each node counts alone (no shared state), so N nodes behind a load balancer allow
 * up to N times the rate (docs/decisions.md).
 */
import { errors } from './protocol/errors.js';

export type QuotaCategory =
  | 'UserAuthentication'
  | 'UserAuthenticationChallenge'
  | 'UserCreation'
  | 'UserAccountRecovery'
  | 'UserRead'
  | 'UserList'
  | 'UserUpdate'
  | 'UserDelete'
  | 'UserToken'
  | 'UserResourceRead'
  | 'UserResourceUpdate'
  | 'UserPoolRead'
  | 'UserPoolUpdate'
  | 'UserPoolClientRead'
  | 'UserPoolClientUpdate'
  | 'UserPoolResourceRead'
  | 'UserPoolResourceUpdate'
  | 'ClientAuthentication';

/** Default requests per second of each category. */
export const DEFAULT_RATES: Record<QuotaCategory, number> = {
  UserAuthentication: 120,
  // RespondToAuthChallenge and AdminRespondToAuthChallenge: a quota of their own, three times UserAuthentication's.
  UserAuthenticationChallenge: 360,
  UserCreation: 50,
  UserAccountRecovery: 30,
  UserRead: 120,
  UserList: 30,
  UserUpdate: 25,
  UserDelete: 25,
  UserToken: 120,
  UserResourceRead: 50,
  UserResourceUpdate: 25,
  UserPoolRead: 15,
  UserPoolUpdate: 15,
  UserPoolClientRead: 15,
  UserPoolClientUpdate: 15,
  UserPoolResourceRead: 20,
  UserPoolResourceUpdate: 15,
  ClientAuthentication: 150,
};

const CATEGORIES: Record<QuotaCategory, string[]> = {
  UserAuthentication: ['InitiateAuth', 'AdminInitiateAuth'],
  UserAuthenticationChallenge: ['RespondToAuthChallenge', 'AdminRespondToAuthChallenge'],
  UserCreation: ['SignUp', 'ConfirmSignUp', 'AdminCreateUser', 'AdminConfirmSignUp'],
  UserAccountRecovery: ['ChangePassword', 'ConfirmForgotPassword', 'ForgotPassword', 'AdminResetUserPassword', 'AdminSetUserPassword', 'ResendConfirmationCode'],
  UserRead: ['AdminGetUser', 'GetUser', 'AdminListGroupsForUser', 'AdminListUserAuthEvents', 'GetUserAttributeVerificationCode'],
  UserList: ['ListUsers', 'ListUsersInGroup'],
  UserUpdate: [
    'AdminAddUserToGroup', 'AdminDeleteUserAttributes', 'AdminDisableUser', 'AdminEnableUser', 'AdminRemoveUserFromGroup',
    'AdminLinkProviderForUser', 'AdminDisableProviderForUser',
    'AdminSetUserMFAPreference', 'AdminSetUserSettings', 'AdminUpdateAuthEventFeedback', 'AdminUpdateUserAttributes',
    'AdminUserGlobalSignOut', 'AssociateSoftwareToken', 'DeleteUserAttributes', 'GlobalSignOut', 'SetUserMFAPreference',
    'SetUserSettings', 'UpdateAuthEventFeedback', 'UpdateUserAttributes', 'VerifySoftwareToken', 'VerifyUserAttribute',
  ],
  UserDelete: ['AdminDeleteUser', 'DeleteUser'],
  UserToken: ['GetTokensFromRefreshToken', 'RevokeToken'],
  UserResourceRead: ['AdminGetDevice', 'AdminListDevices', 'GetDevice', 'ListDevices'],
  UserResourceUpdate: ['AdminForgetDevice', 'AdminUpdateDeviceStatus', 'ConfirmDevice', 'ForgetDevice', 'UpdateDeviceStatus'],
  UserPoolRead: [
    'DescribeUserPool', 'ListUserPools', 'GetUserPoolMfaConfig', 'DescribeRiskConfiguration', 'GetSigningCertificate',
    'GetCSVHeader', 'DescribeUserImportJob', 'ListUserImportJobs', 'ListTagsForResource', 'GetUICustomization',
    'GetLogDeliveryConfiguration',
  ],
  UserPoolUpdate: [
    'UpdateUserPool', 'SetUserPoolMfaConfig', 'AddCustomAttributes', 'SetRiskConfiguration', 'TagResource', 'UntagResource',
    'CreateUserImportJob', 'StartUserImportJob', 'StopUserImportJob', 'SetUICustomization', 'SetLogDeliveryConfiguration',
  ],
  UserPoolClientRead: ['DescribeUserPoolClient', 'ListUserPoolClients', 'ListUserPoolClientSecrets'],
  UserPoolClientUpdate: ['CreateUserPoolClient', 'UpdateUserPoolClient', 'DeleteUserPoolClient', 'AddUserPoolClientSecret', 'DeleteUserPoolClientSecret'],
  UserPoolResourceRead: [
    'DescribeResourceServer', 'ListResourceServers', 'DescribeUserPoolDomain', 'GetGroup', 'ListGroups',
    'DescribeIdentityProvider', 'ListIdentityProviders', 'GetIdentityProviderByIdentifier', 'DescribeTerms', 'ListTerms',
    'DescribeManagedLoginBranding', 'DescribeManagedLoginBrandingByClient',
  ],
  UserPoolResourceUpdate: [
    'CreateResourceServer', 'UpdateResourceServer', 'DeleteResourceServer', 'CreateUserPoolDomain', 'UpdateUserPoolDomain',
    'DeleteUserPoolDomain', 'CreateGroup', 'UpdateGroup', 'DeleteGroup',
    'CreateIdentityProvider', 'UpdateIdentityProvider', 'DeleteIdentityProvider', 'CreateTerms', 'UpdateTerms', 'DeleteTerms',
    'CreateManagedLoginBranding', 'UpdateManagedLoginBranding', 'DeleteManagedLoginBranding',
  ],
  // The token endpoint's client_credentials grant (oauth/token.ts), not a JSON operation.
  ClientAuthentication: [],
};

const CATEGORY_OF = new Map<string, QuotaCategory>(
  (Object.entries(CATEGORIES) as [QuotaCategory, string[]][]).flatMap(([c, ops]) => ops.map((op) => [op, c] as [string, QuotaCategory])),
);

/** The quota category of a JSON operation, if Cognito rate-limits it in one. */
export const categoryOf = (operation: string): QuotaCategory | undefined => CATEGORY_OF.get(operation);

interface Bucket {
  tokens: number;
  at: number;
}

/** Token buckets, one per (region, category): a second's worth of requests as burst, refilled continuously. */
export class Quotas {
  private readonly buckets = new Map<string, Bucket>();

  constructor(private readonly rates: Record<QuotaCategory, number> = DEFAULT_RATES) {}

  /** Takes one request from the category's bucket, or throws TooManyRequestsException. `now`: epoch ms. */
  take(category: QuotaCategory, region: string, now: number): void {
    const rate = this.rates[category];
    const key = `${region}\0${category}`;
    const b = this.buckets.get(key) ?? { tokens: rate, at: now };
    const tokens = Math.min(rate, b.tokens + (Math.max(0, now - b.at) * rate) / 1000);
    if (tokens < 1) {
      this.buckets.set(key, { tokens, at: Math.max(now, b.at) });
      throw errors.tooManyRequests('Too many requests');
    }
    this.buckets.set(key, { tokens: tokens - 1, at: Math.max(now, b.at) });
  }

  /** As take, for a JSON operation (those in no category are not limited). */
  takeOperation(operation: string, region: string, now: number): void {
    const c = categoryOf(operation);
    if (c) this.take(c, region, now);
  }
}
