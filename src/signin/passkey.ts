/**
 * The WEB_AUTHN first factor of USER_AUTH (passkeys): what the sign-in engine asks of the passkey
 * module. The engine (user-auth.ts) decides when the factor is offered and keeps the challenge in
 * its sealed session; this module builds the request options and verifies the assertion against
 * the user's stored credentials (src/domain/passkeys.ts, @simplewebauthn/server).
 *
 * CONTRACT between the USER_AUTH engine and the passkey store: keep these three signatures.
 */
import type { Ctx } from '../operations/context.js';
import { authenticationOptions, MAX_PASSKEYS_PER_USER, passkeysEnabled, relyingPartyIdOf, verifyAssertion } from '../domain/passkeys.js';
import { errors } from '../protocol/errors.js';
import type { ClientRecord, PoolRecord, UserRecord } from '../store/types.js';

/**
 * Whether the user has at least one registered passkey it can use now (WEB_AUTHN is then an
 * available first factor): the pool offers passkeys, and a passkey was registered for the pool's
 * current relying party ID (one made for an earlier RP ID, or a domain since deleted, cannot answer).
 */
export async function hasPasskey(ctx: Ctx, pool: PoolRecord, user: UserRecord): Promise<boolean> {
  if (!passkeysEnabled(pool)) return false;
  const creds = await ctx.store.webauthn.list(pool.id, user.usernameKey, undefined, MAX_PASSKEYS_PER_USER);
  if (!creds.length) return false;
  const rpId = await relyingPartyIdOf(ctx.store, pool);
  return creds.some((c) => c.rpId === rpId);
}

/**
 * A new WebAuthn assertion challenge for the user: `parameters` is the challenge's public
 * ChallengeParameters (CREDENTIAL_REQUEST_OPTIONS: the PublicKeyCredentialRequestOptionsJSON as a
 * JSON string, Cognito's shape), `challenge` is the base64url challenge the engine seals in the
 * session and hands back to passkeyVerify. `opts.mfa`: the passkey is to count as MFA, its
 * options ask for user verification (required) whatever the pool's UserVerification.
 */
export async function passkeyChallenge(
  ctx: Ctx,
  pool: PoolRecord,
  _client: ClientRecord,
  user: UserRecord,
  opts: { mfa?: boolean } = {},
): Promise<{ parameters: { CREDENTIAL_REQUEST_OPTIONS: string }; challenge: string }> {
  if (!passkeysEnabled(pool)) {
    // Message ours: the engine offers WEB_AUTHN only when hasPasskey says so; a pool changed since gets this.
    throw errors.invalidParameter('Passkey sign-in (WEB_AUTHN) is not enabled for this user pool.');
  }
  const { options, challenge } = await authenticationOptions(ctx.store, pool, user, opts.mfa ? 'required' : undefined);
  return { parameters: { CREDENTIAL_REQUEST_OPTIONS: JSON.stringify(options) }, challenge };
}

/**
 * Verifies the CREDENTIAL answer (an AuthenticationResponseJSON as a JSON string) against the
 * challenge and the user's credentials (origin, RP ID, user verification as the pool asks, the
 * signature counter); updates the credential's counter and last use. Throws Cognito's error
 * (NotAuthorizedException for a wrong or unknown credential, with the reason; RespondToAuthChallenge
 * names no WebAuthn exception). `opts.requireUserVerification`: the assertion must carry the UV
 * flag whatever the pool's UserVerification (passkey MFA).
 */
export async function passkeyVerify(
  ctx: Ctx,
  pool: PoolRecord,
  client: ClientRecord,
  user: UserRecord,
  challenge: string,
  credential: string | undefined,
  opts: { requireUserVerification?: boolean } = {},
): Promise<void> {
  await verifyAssertion(ctx, pool, client, user, challenge, credential, opts);
}
