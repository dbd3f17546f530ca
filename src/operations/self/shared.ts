/** What the access-token operations share: the token checked first, then the user's state. */
import { verifyAccessToken, type VerifiedAccess } from '../../domain/tokens.js';
import { errors } from '../../protocol/errors.js';
import type { CodeDeliveryDetailsType } from '@aws-sdk/client-cognito-identity-provider';
import { pendingOf, type Verifiable } from '../../domain/attribute-updates.js';
import { issueCode } from '../../domain/codes.js';
import { sendCode } from '../../domain/notify.js';
import type { PoolRecord, UserRecord } from '../../store/types.js';
import type { Ctx } from '../context.js';

/** The access token's pool, client and user, after every check (domain/tokens.ts verifyAccessToken). */
export async function authorize(ctx: Ctx, accessToken: string): Promise<VerifiedAccess> {
  const v = await verifyAccessToken(ctx, accessToken, ctx.now);
  if (v.user.status === 'RESET_REQUIRED') throw errors.passwordResetRequired('Password reset required for the user');
  if (v.user.status === 'UNCONFIRMED') throw errors.userNotConfirmed('User is not confirmed.');
  return v;
}

/**
 * Issues a VERIFY:<attribute> code and sends it to the attribute's new value (a pending one, when
 * the pool keeps the original until verification) or its current value. `why`: the client asking
 * and the message's trigger source (CustomMessage_UpdateUserAttribute after an update,
 * CustomMessage_VerifyUserAttribute when the user asks for a code).
 */
export async function sendVerificationCode(
  ctx: Ctx,
  pool: PoolRecord,
  user: Pick<UserRecord, 'username' | 'usernameKey' | 'attributes' | 'extra' | 'sub' | 'status'>,
  attribute: Verifiable,
  why: { clientId: string; source: 'UpdateUserAttribute' | 'VerifyUserAttribute' },
): Promise<CodeDeliveryDetailsType> {
  const destination = pendingOf(user)[attribute] ?? user.attributes[attribute];
  if (!destination) throw errors.invalidParameter(`The user has no ${attribute} to verify.`);
  const code = await issueCode(ctx.store, pool.id, user.usernameKey, `VERIFY:${attribute}`, ctx.now);
  const channel = { medium: attribute === 'email' ? 'EMAIL' : 'SMS', attribute, destination } as const;
  return sendCode(ctx, pool, user, channel, 'VERIFY_ATTRIBUTE', code, why);
}

/**
 * AssociateSoftwareToken and VerifySoftwareToken are authorized by an AccessToken or by the Session
 * of an MFA_SETUP challenge, never both ("The request takes an access token or a session string,
 * but not both"). The Session variant is the sign-in engine's MFA_SETUP step (src/signin/mfa.ts).
 */
export function sessionOrToken(input: { AccessToken?: string; Session?: string }, operation: string): { accessToken: string } | { session: string } {
  if (input.AccessToken !== undefined && input.Session !== undefined) {
    // Message ours (the API reference: "The request takes an access token or a session string, but not both").
    throw errors.invalidParameter(`${operation} takes an AccessToken or a Session, but not both.`);
  }
  if (input.AccessToken !== undefined) return { accessToken: input.AccessToken };
  if (input.Session !== undefined) return { session: input.Session };
  // Message ours.
  throw errors.invalidParameter(`${operation} needs an AccessToken or a Session.`);
}
