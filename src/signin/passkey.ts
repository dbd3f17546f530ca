/**
 * The WEB_AUTHN first factor of USER_AUTH (passkeys): what the sign-in engine asks of the passkey
 * module. The engine (user-auth.ts) decides when the factor is offered and keeps the challenge in
 * its sealed session; this module builds the request options and verifies the assertion against
 * the user's stored credentials (src/domain/passkeys.ts, @simplewebauthn/server).
 *
 * CONTRACT between the USER_AUTH engine and the passkey store: keep these three signatures.
 * Until the passkey store lands, no user has a passkey, so the engine never offers WEB_AUTHN.
 */
import type { Ctx } from '../operations/context.js';
import { errors } from '../protocol/errors.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';

/** Whether the user has at least one registered passkey (WEB_AUTHN is then an available first factor). */
export async function hasPasskey(_ctx: Ctx, _pool: PoolRecord, _user: UserRecord): Promise<boolean> {
  return false;
}

/**
 * A new WebAuthn assertion challenge for the user: `parameters` is the challenge's public
 * ChallengeParameters (CREDENTIAL_REQUEST_OPTIONS: the PublicKeyCredentialRequestOptionsJSON as a
 * JSON string, Cognito's shape), `challenge` is the base64url challenge the engine seals in the
 * session and hands back to passkeyVerify.
 */
export async function passkeyChallenge(
  _ctx: Ctx,
  _pool: PoolRecord,
  _client: ClientRecord,
  _user: UserRecord,
): Promise<{ parameters: { CREDENTIAL_REQUEST_OPTIONS: string }; challenge: string }> {
  throw errors.unsupportedOperation('incognito does not support passkeys yet.');
}

/**
 * Verifies the CREDENTIAL answer (an AuthenticationResponseJSON as a JSON string) against the
 * challenge and the user's credentials (origin, RP ID, user verification as the pool asks, the
 * signature counter); updates the credential's counter and last use. Throws Cognito's error
 * (NotAuthorizedException for a wrong or unknown credential, the WebAuthn* exceptions where the
 * model names them).
 */
export async function passkeyVerify(
  _ctx: Ctx,
  _pool: PoolRecord,
  _client: ClientRecord,
  _user: UserRecord,
  _challenge: string,
  _credential: string | undefined,
): Promise<void> {
  throw errors.unsupportedOperation('incognito does not support passkeys yet.');
}
