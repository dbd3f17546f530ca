/**
 * The single error factory. Every failure the API reports is a CognitoError whose `type` is the
 * Cognito exception name (the `__type` on the wire). Client faults are HTTP 400, as the real service
 * answers on the wire (see shared/reference/cognito-behaviour.md §6); only InternalErrorException is 500,
 * and a body of a Content-Type the API does not take is 404 (unknownOperationContentType).
 */
/**
 * Every exception the Cognito service model declares (@aws-sdk/client-cognito-identity-provider's
 * error classes), plus the two of AWS's JSON protocol layer (SerializationException,
 * UnknownOperationException) and the four of its request authentication (SigV4: src/iam): an error
 * type outside this list is a typo the compiler catches.
 */
export type ErrorType =
  | 'AccessDeniedException'
  | 'AliasExistsException'
  | 'CodeDeliveryFailureException'
  | 'CodeMismatchException'
  | 'ConcurrentModificationException'
  | 'DeviceKeyExistsException'
  | 'DuplicateProviderException'
  | 'EnableSoftwareTokenMFAException'
  | 'ExpiredCodeException'
  | 'FeatureUnavailableInTierException'
  | 'ForbiddenException'
  | 'GroupExistsException'
  | 'InternalErrorException'
  | 'InternalServerException'
  | 'InvalidEmailRoleAccessPolicyException'
  | 'InvalidLambdaResponseException'
  | 'InvalidOAuthFlowException'
  | 'InvalidParameterException'
  | 'InvalidPasswordException'
  | 'InvalidSmsRoleAccessPolicyException'
  | 'InvalidSmsRoleTrustRelationshipException'
  | 'InvalidUserPoolConfigurationException'
  | 'LimitExceededException'
  | 'MFAMethodNotFoundException'
  | 'ManagedLoginBrandingExistsException'
  | 'NotAuthorizedException'
  | 'OperationNotEnabledException'
  | 'PasswordHistoryPolicyViolationException'
  | 'PasswordResetRequiredException'
  | 'PreconditionNotMetException'
  | 'RefreshTokenReuseException'
  | 'ResourceNotFoundException'
  | 'ScopeDoesNotExistException'
  | 'ServiceQuotaExceededException'
  | 'SoftwareTokenMFANotFoundException'
  | 'TermsExistsException'
  | 'TierChangeNotAllowedException'
  | 'TooManyFailedAttemptsException'
  | 'TooManyRequestsException'
  | 'UnauthorizedException'
  | 'UnexpectedLambdaException'
  | 'UnsupportedIdentityProviderException'
  | 'UnsupportedOperationException'
  | 'UnsupportedTokenTypeException'
  | 'UnsupportedUserStateException'
  | 'UserImportInProgressException'
  | 'UserLambdaValidationException'
  | 'UserNotConfirmedException'
  | 'UserNotFoundException'
  | 'UserPoolAddOnNotEnabledException'
  | 'UserPoolTaggingException'
  | 'UsernameExistsException'
  | 'WebAuthnChallengeNotFoundException'
  | 'WebAuthnClientMismatchException'
  | 'WebAuthnConfigurationMissingException'
  | 'WebAuthnCredentialNotSupportedException'
  | 'WebAuthnNotEnabledException'
  | 'WebAuthnOriginNotAllowedException'
  | 'WebAuthnRelyingPartyMismatchException'
  | 'SerializationException'
  | 'UnknownOperationException'
  | 'MissingAuthenticationTokenException'
  | 'IncompleteSignatureException'
  | 'InvalidSignatureException'
  | 'UnrecognizedClientException';

export class CognitoError extends Error {
  readonly type: ErrorType;
  readonly status: number;
  /** Extra members of the error shape (for example InvalidParameterException's reasonCode). */
  readonly extra: Record<string, unknown> | undefined;

  constructor(type: ErrorType, message: string, status = 400, extra?: Record<string, unknown>) {
    super(message);
    this.name = type;
    this.type = type;
    this.status = status;
    this.extra = extra;
  }
}

const make =
  (type: ErrorType, status = 400) =>
  (message: string, extra?: Record<string, unknown>) =>
    new CognitoError(type, message, status, extra);

/** Named constructors, one per Cognito exception we raise. */
export const errors = {
  invalidParameter: make('InvalidParameterException'),
  resourceNotFound: make('ResourceNotFoundException'),
  notAuthorized: make('NotAuthorizedException'),
  serialization: make('SerializationException'),
  unknownOperation: make('UnknownOperationException'),
  /** A Content-Type the JSON API does not take: 404, as AWS's front end answers it (docs/decisions.md). */
  unknownOperationContentType: make('UnknownOperationException', 404),
  unsupportedOperation: make('UnsupportedOperationException'),
  invalidOAuthFlow: make('InvalidOAuthFlowException'),
  scopeDoesNotExist: make('ScopeDoesNotExistException'),
  limitExceeded: make('LimitExceededException'),
  concurrentModification: make('ConcurrentModificationException'),
  userImportInProgress: make('UserImportInProgressException'),
  invalidUserPoolConfiguration: make('InvalidUserPoolConfigurationException'),
  invalidSmsRoleAccessPolicy: make('InvalidSmsRoleAccessPolicyException'),
  invalidEmailRoleAccessPolicy: make('InvalidEmailRoleAccessPolicyException'),
  tooManyRequests: make('TooManyRequestsException'),
  featureUnavailableInTier: make('FeatureUnavailableInTierException'),
  usernameExists: make('UsernameExistsException'),
  userNotFound: make('UserNotFoundException'),
  userPoolAddOnNotEnabled: make('UserPoolAddOnNotEnabledException'),
  aliasExists: make('AliasExistsException'),
  invalidPassword: make('InvalidPasswordException'),
  userNotConfirmed: make('UserNotConfirmedException'),
  passwordResetRequired: make('PasswordResetRequiredException'),
  groupExists: make('GroupExistsException'),
  termsExists: make('TermsExistsException'),
  managedLoginBrandingExists: make('ManagedLoginBrandingExistsException'),
  unsupportedUserState: make('UnsupportedUserStateException'),
  unauthorized: make('UnauthorizedException'),
  unsupportedTokenType: make('UnsupportedTokenTypeException'),
  refreshTokenReuse: make('RefreshTokenReuseException'),
  codeMismatch: make('CodeMismatchException'),
  expiredCode: make('ExpiredCodeException'),
  userLambdaValidation: make('UserLambdaValidationException'),
  unexpectedLambda: make('UnexpectedLambdaException'),
  invalidLambdaResponse: make('InvalidLambdaResponseException'),
  internal: make('InternalErrorException', 500),
  accessDenied: make('AccessDeniedException'),
  duplicateProvider: make('DuplicateProviderException'),
  unsupportedIdentityProvider: make('UnsupportedIdentityProviderException'),
  missingAuthenticationToken: make('MissingAuthenticationTokenException'),
  webAuthnChallengeNotFound: make('WebAuthnChallengeNotFoundException'),
  webAuthnClientMismatch: make('WebAuthnClientMismatchException'),
  webAuthnConfigurationMissing: make('WebAuthnConfigurationMissingException'),
  webAuthnCredentialNotSupported: make('WebAuthnCredentialNotSupportedException'),
  webAuthnNotEnabled: make('WebAuthnNotEnabledException'),
  webAuthnOriginNotAllowed: make('WebAuthnOriginNotAllowedException'),
  webAuthnRelyingPartyMismatch: make('WebAuthnRelyingPartyMismatchException'),
} as const;

export function isCognitoError(e: unknown): e is CognitoError {
  return e instanceof CognitoError;
}
