/**
 * The sign-in engine's vocabulary: what a sign-in has proven, what it asks next, how it ends.
 * Transport-neutral: the JSON operations (src/operations/auth/) and the hosted pages (src/oauth/)
 * translate these to their own answers.
 */
import type { MfaFactor } from '../domain/mfa.js';
import type { UserRecord } from '../store/types.js';

/** Where a sign-in runs: the JSON API (InitiateAuth and friends) or the hosted login pages. */
export type Channel = 'api' | 'hosted';

/** AuthParameters / ChallengeResponses. */
export type Params = Record<string, string>;

/**
 * What a sign-in has proven so far. The first factor is PASSWORD (sent in the request) or SRP
 * (a PASSWORD_VERIFIER proof); NEW_PASSWORD is a temporary password replaced; DEVICE is the
 * device SRP proof of a confirmed device (DEVICE_PASSWORD_VERIFIER); the MFA factors are a code of
 * the user's software token, or one sent by SMS or email (a software token set up and verified
 * during the sign-in, MFA_SETUP, counts as SOFTWARE_TOKEN_MFA). CUSTOM_CHALLENGE is a custom
 * sign-in (CUSTOM_AUTH) whose DefineAuthChallenge said issueTokens.
 */
/** PASSKEY_MFA: the WEB_AUTHN first factor verified the user where passkeys count as MFA (user-auth.ts passkeyUv). */
export type Factor = 'PASSWORD' | 'SRP' | 'NEW_PASSWORD' | 'DEVICE' | 'CUSTOM_CHALLENGE' | 'PASSKEY_MFA' | MfaFactor | PasswordlessFactor;

/**
 * The passwordless first factors of a choice-based sign-in (USER_AUTH, user-auth.ts): a code sent
 * by email (EMAIL_OTP as the first factor, not as MFA) or SMS, a passkey, or the code a user just
 * confirmed their sign-up with (the Session ConfirmSignUp returned).
 */
export type PasswordlessFactor = 'FIRST_EMAIL_OTP' | 'FIRST_SMS_OTP' | 'WEB_AUTHN' | 'SIGN_UP_CODE';

/** The challenges the engine asks (ChallengeNameType values). */
export type ChallengeName =
  | 'PASSWORD_VERIFIER'
  | 'NEW_PASSWORD_REQUIRED'
  | 'DEVICE_SRP_AUTH'
  | 'DEVICE_PASSWORD_VERIFIER'
  | 'MFA_SETUP'
  | 'SELECT_MFA_TYPE'
  | 'CUSTOM_CHALLENGE'
  | 'SELECT_CHALLENGE'
  | 'SMS_OTP'
  | 'WEB_AUTHN'
  | MfaFactor;

/** A step the user still has to take: the challenge, its public parameters, and how to answer it. */
export interface Challenge {
  kind: 'challenge';
  name: ChallengeName;
  parameters: Record<string, string>;
  /**
   * The opaque session to send back with the answer. PASSWORD_VERIFIER has none: its
   * SECRET_BLOCK parameter is the session, as the client returns it in PASSWORD_CLAIM_SECRET_BLOCK.
   */
  session?: string;
  /** The user being signed in, for a page to render the step (undefined for an unknown user). */
  user?: UserRecord;
  /** SELECT_CHALLENGE: the first factors the user may choose (the response's AvailableChallenges). */
  available?: string[];
}

/** The end of a sign-in. On the API, with its tokens; on the hosted pages, the page starts its session. */
export interface SignedIn {
  kind: 'signedIn';
  user: UserRecord;
  factors: Factor[];
  /** AuthenticationResult (API channel). */
  tokens?: object;
}

export type Outcome = Challenge | SignedIn;
