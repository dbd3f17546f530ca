/**
 * The operations incognito implements, by name: one file each, grouped by resource. The target
 * header `AWSCognitoIdentityProviderService.<Name>` finds the handler here. An operation of the
 * Cognito model that is not listed answers UnsupportedOperationException (protocol/dispatch.ts).
 */
import type { Handler } from './context.js';
import { CreateUserPool } from './pools/CreateUserPool.js';
import { DescribeUserPool } from './pools/DescribeUserPool.js';
import { UpdateUserPool } from './pools/UpdateUserPool.js';
import { DeleteUserPool } from './pools/DeleteUserPool.js';
import { ListUserPools } from './pools/ListUserPools.js';
import { AddCustomAttributes } from './pools/AddCustomAttributes.js';
import { TagResource } from './pools/TagResource.js';
import { UntagResource } from './pools/UntagResource.js';
import { ListTagsForResource } from './pools/ListTagsForResource.js';
import { SetUserPoolMfaConfig } from './pools/SetUserPoolMfaConfig.js';
import { GetUserPoolMfaConfig } from './pools/GetUserPoolMfaConfig.js';
import { GetSigningCertificate } from './pools/GetSigningCertificate.js';
import { CreateUserPoolClient } from './clients/CreateUserPoolClient.js';
import { DescribeUserPoolClient } from './clients/DescribeUserPoolClient.js';
import { UpdateUserPoolClient } from './clients/UpdateUserPoolClient.js';
import { DeleteUserPoolClient } from './clients/DeleteUserPoolClient.js';
import { ListUserPoolClients } from './clients/ListUserPoolClients.js';
import { AddUserPoolClientSecret } from './clients/AddUserPoolClientSecret.js';
import { DeleteUserPoolClientSecret } from './clients/DeleteUserPoolClientSecret.js';
import { ListUserPoolClientSecrets } from './clients/ListUserPoolClientSecrets.js';
import { AdminCreateUser } from './users/AdminCreateUser.js';
import { AdminGetUser } from './users/AdminGetUser.js';
import { AdminDeleteUser } from './users/AdminDeleteUser.js';
import { AdminEnableUser, AdminDisableUser } from './users/enable.js';
import { AdminUpdateUserAttributes } from './users/AdminUpdateUserAttributes.js';
import { AdminDeleteUserAttributes } from './users/AdminDeleteUserAttributes.js';
import { AdminSetUserPassword } from './users/AdminSetUserPassword.js';
import { AdminResetUserPassword } from './users/AdminResetUserPassword.js';
import { AdminConfirmSignUp } from './users/AdminConfirmSignUp.js';
import { AdminSetUserSettings } from './users/AdminSetUserSettings.js';
import { AdminSetUserMFAPreference } from './users/AdminSetUserMFAPreference.js';
import { ListUsers } from './users/ListUsers.js';
import { SignUp } from './signup/SignUp.js';
import { ConfirmSignUp } from './signup/ConfirmSignUp.js';
import { ResendConfirmationCode } from './signup/ResendConfirmationCode.js';
import { ForgotPassword } from './signup/ForgotPassword.js';
import { ConfirmForgotPassword } from './signup/ConfirmForgotPassword.js';
import { CreateGroup } from './groups/CreateGroup.js';
import { GetGroup } from './groups/GetGroup.js';
import { UpdateGroup } from './groups/UpdateGroup.js';
import { DeleteGroup } from './groups/DeleteGroup.js';
import { ListGroups } from './groups/ListGroups.js';
import { AdminAddUserToGroup } from './groups/AdminAddUserToGroup.js';
import { AdminRemoveUserFromGroup } from './groups/AdminRemoveUserFromGroup.js';
import { ListUsersInGroup } from './groups/ListUsersInGroup.js';
import { AdminListGroupsForUser } from './groups/AdminListGroupsForUser.js';
import { InitiateAuth } from './auth/InitiateAuth.js';
import { AdminInitiateAuth } from './auth/AdminInitiateAuth.js';
import { RespondToAuthChallenge } from './auth/RespondToAuthChallenge.js';
import { AdminRespondToAuthChallenge } from './auth/AdminRespondToAuthChallenge.js';
import { GetTokensFromRefreshToken } from './auth/GetTokensFromRefreshToken.js';
import { RevokeToken } from './auth/RevokeToken.js';
import { AdminUserGlobalSignOut } from './auth/AdminUserGlobalSignOut.js';
import { GetUser } from './self/GetUser.js';
import { GetUserAuthFactors } from './self/GetUserAuthFactors.js';
import { UpdateUserAttributes } from './self/UpdateUserAttributes.js';
import { DeleteUser } from './self/DeleteUser.js';
import { DeleteUserAttributes } from './self/DeleteUserAttributes.js';
import { ChangePassword } from './self/ChangePassword.js';
import { GetUserAttributeVerificationCode } from './self/GetUserAttributeVerificationCode.js';
import { VerifyUserAttribute } from './self/VerifyUserAttribute.js';
import { GlobalSignOut } from './self/GlobalSignOut.js';
import { AssociateSoftwareToken } from './self/AssociateSoftwareToken.js';
import { VerifySoftwareToken } from './self/VerifySoftwareToken.js';
import { SetUserMFAPreference } from './self/SetUserMFAPreference.js';
import { SetUserSettings } from './self/SetUserSettings.js';
import { StartWebAuthnRegistration } from './passkeys/StartWebAuthnRegistration.js';
import { CompleteWebAuthnRegistration } from './passkeys/CompleteWebAuthnRegistration.js';
import { ListWebAuthnCredentials } from './passkeys/ListWebAuthnCredentials.js';
import { DeleteWebAuthnCredential } from './passkeys/DeleteWebAuthnCredential.js';
import { GetCSVHeader } from './imports/GetCSVHeader.js';
import { CreateUserImportJob } from './imports/CreateUserImportJob.js';
import { DescribeUserImportJob } from './imports/DescribeUserImportJob.js';
import { ListUserImportJobs } from './imports/ListUserImportJobs.js';
import { StartUserImportJob } from './imports/StartUserImportJob.js';
import { StopUserImportJob } from './imports/StopUserImportJob.js';
import { CreateResourceServer } from './resource-servers/CreateResourceServer.js';
import { DescribeResourceServer } from './resource-servers/DescribeResourceServer.js';
import { UpdateResourceServer } from './resource-servers/UpdateResourceServer.js';
import { DeleteResourceServer } from './resource-servers/DeleteResourceServer.js';
import { ListResourceServers } from './resource-servers/ListResourceServers.js';
import { CreateUserPoolDomain } from './domains/CreateUserPoolDomain.js';
import { DescribeUserPoolDomain } from './domains/DescribeUserPoolDomain.js';
import { UpdateUserPoolDomain } from './domains/UpdateUserPoolDomain.js';
import { DeleteUserPoolDomain } from './domains/DeleteUserPoolDomain.js';
import { ConfirmDevice } from './devices/ConfirmDevice.js';
import { UpdateDeviceStatus } from './devices/UpdateDeviceStatus.js';
import { GetDevice } from './devices/GetDevice.js';
import { ListDevices } from './devices/ListDevices.js';
import { ForgetDevice } from './devices/ForgetDevice.js';
import { AdminGetDevice } from './devices/AdminGetDevice.js';
import { AdminListDevices } from './devices/AdminListDevices.js';
import { AdminForgetDevice } from './devices/AdminForgetDevice.js';
import { AdminUpdateDeviceStatus } from './devices/AdminUpdateDeviceStatus.js';
import { AdminListUserAuthEvents } from './security/AdminListUserAuthEvents.js';
import { AdminUpdateAuthEventFeedback } from './security/AdminUpdateAuthEventFeedback.js';
import { UpdateAuthEventFeedback } from './security/UpdateAuthEventFeedback.js';
import { DescribeRiskConfiguration } from './security/DescribeRiskConfiguration.js';
import { SetRiskConfiguration } from './security/SetRiskConfiguration.js';
import { CreateIdentityProvider } from './identity-providers/CreateIdentityProvider.js';
import { DescribeIdentityProvider } from './identity-providers/DescribeIdentityProvider.js';
import { UpdateIdentityProvider } from './identity-providers/UpdateIdentityProvider.js';
import { DeleteIdentityProvider } from './identity-providers/DeleteIdentityProvider.js';
import { ListIdentityProviders } from './identity-providers/ListIdentityProviders.js';
import { GetIdentityProviderByIdentifier } from './identity-providers/GetIdentityProviderByIdentifier.js';
import { AdminLinkProviderForUser } from './identity-providers/AdminLinkProviderForUser.js';
import { AdminDisableProviderForUser } from './identity-providers/AdminDisableProviderForUser.js';
import { SetLogDeliveryConfiguration } from './logging/SetLogDeliveryConfiguration.js';
import { GetLogDeliveryConfiguration } from './logging/GetLogDeliveryConfiguration.js';
import { SetUICustomization } from './branding/SetUICustomization.js';
import { GetUICustomization } from './branding/GetUICustomization.js';
import { CreateManagedLoginBranding } from './branding/CreateManagedLoginBranding.js';
import { DescribeManagedLoginBranding } from './branding/DescribeManagedLoginBranding.js';
import { DescribeManagedLoginBrandingByClient } from './branding/DescribeManagedLoginBrandingByClient.js';
import { UpdateManagedLoginBranding } from './branding/UpdateManagedLoginBranding.js';
import { DeleteManagedLoginBranding } from './branding/DeleteManagedLoginBranding.js';
import { CreateTerms } from './terms/CreateTerms.js';
import { DescribeTerms } from './terms/DescribeTerms.js';
import { UpdateTerms } from './terms/UpdateTerms.js';
import { DeleteTerms } from './terms/DeleteTerms.js';
import { ListTerms } from './terms/ListTerms.js';

export const operations: Record<string, Handler> = {
  // pools/
  CreateUserPool,
  DescribeUserPool,
  UpdateUserPool,
  DeleteUserPool,
  ListUserPools,
  AddCustomAttributes,
  TagResource,
  UntagResource,
  ListTagsForResource,
  SetUserPoolMfaConfig,
  GetUserPoolMfaConfig,
  GetSigningCertificate,
  // clients/
  CreateUserPoolClient,
  DescribeUserPoolClient,
  UpdateUserPoolClient,
  DeleteUserPoolClient,
  ListUserPoolClients,
  AddUserPoolClientSecret,
  DeleteUserPoolClientSecret,
  ListUserPoolClientSecrets,
  // users/ (administrator operations)
  AdminCreateUser,
  AdminGetUser,
  AdminDeleteUser,
  AdminEnableUser,
  AdminDisableUser,
  AdminUpdateUserAttributes,
  AdminDeleteUserAttributes,
  AdminSetUserPassword,
  AdminResetUserPassword,
  AdminConfirmSignUp,
  AdminSetUserSettings,
  AdminSetUserMFAPreference,
  ListUsers,
  // signup/ (client-side account operations)
  SignUp,
  ConfirmSignUp,
  ResendConfirmationCode,
  ForgotPassword,
  ConfirmForgotPassword,
  // groups/
  CreateGroup,
  GetGroup,
  UpdateGroup,
  DeleteGroup,
  ListGroups,
  AdminAddUserToGroup,
  AdminRemoveUserFromGroup,
  ListUsersInGroup,
  AdminListGroupsForUser,
  // auth/ (sign-in flows, challenges, refresh, revocation)
  InitiateAuth,
  AdminInitiateAuth,
  RespondToAuthChallenge,
  AdminRespondToAuthChallenge,
  GetTokensFromRefreshToken,
  RevokeToken,
  AdminUserGlobalSignOut,
  // self/ (operations authorized by the user's access token)
  GetUser,
  GetUserAuthFactors,
  UpdateUserAttributes,
  DeleteUser,
  DeleteUserAttributes,
  ChangePassword,
  GetUserAttributeVerificationCode,
  VerifyUserAttribute,
  GlobalSignOut,
  AssociateSoftwareToken,
  VerifySoftwareToken,
  SetUserMFAPreference,
  SetUserSettings,
  StartWebAuthnRegistration,
  CompleteWebAuthnRegistration,
  ListWebAuthnCredentials,
  DeleteWebAuthnCredential,
  // imports/ (user import jobs from CSV; the runner is src/imports/runner.ts)
  GetCSVHeader,
  CreateUserImportJob,
  DescribeUserImportJob,
  ListUserImportJobs,
  StartUserImportJob,
  StopUserImportJob,
  // identity-providers/ (federation: OIDC, SAML and social providers; links to native users)
  CreateIdentityProvider,
  DescribeIdentityProvider,
  UpdateIdentityProvider,
  DeleteIdentityProvider,
  ListIdentityProviders,
  GetIdentityProviderByIdentifier,
  AdminLinkProviderForUser,
  AdminDisableProviderForUser,
  // resource-servers/ (OAuth resource servers and their custom scopes)
  CreateResourceServer,
  DescribeResourceServer,
  UpdateResourceServer,
  DeleteResourceServer,
  ListResourceServers,
  // domains/ (prefix and custom domains of the hosted endpoints)
  CreateUserPoolDomain,
  DescribeUserPoolDomain,
  UpdateUserPoolDomain,
  DeleteUserPoolDomain,
  // devices/ (remembered devices)
  ConfirmDevice,
  UpdateDeviceStatus,
  GetDevice,
  ListDevices,
  ForgetDevice,
  AdminGetDevice,
  AdminListDevices,
  AdminForgetDevice,
  AdminUpdateDeviceStatus,
  // security/ (advanced security: auth events and risk configurations)
  AdminListUserAuthEvents,
  AdminUpdateAuthEventFeedback,
  UpdateAuthEventFeedback,
  DescribeRiskConfiguration,
  SetRiskConfiguration,
  // terms/ (terms documents, linked from the hosted sign-up page)
  CreateTerms,
  DescribeTerms,
  UpdateTerms,
  DeleteTerms,
  ListTerms,
  // logging/ (log delivery: stored; the events go to the server log)
  SetLogDeliveryConfiguration,
  GetLogDeliveryConfiguration,
  // branding/ (the hosted pages' look: UI customization, managed login branding)
  SetUICustomization,
  GetUICustomization,
  CreateManagedLoginBranding,
  DescribeManagedLoginBranding,
  DescribeManagedLoginBrandingByClient,
  UpdateManagedLoginBranding,
  DeleteManagedLoginBranding,
};
