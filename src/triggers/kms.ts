/**
 * The code a custom sender trigger receives, encrypted as Cognito encrypts it: with the AWS
 * Encryption SDK (@aws-crypto/client-node) under a KMS keyring whose generator key is the pool's
 * LambdaConfig.KMSKeyID, the message serialized and base64-encoded (AWS developer guide, "Custom
 * sender Lambda triggers"). The function decrypts it with the Encryption SDK and the same key.
 *
 * KMS is reached at AWS_ENDPOINT_URL_KMS (else AWS_ENDPOINT_URL), for LocalStack, a stand-in or any
 * KMS-compatible endpoint; with neither, at AWS itself with the standard credential chain. A local
 * endpoint with no credentials configured gets placeholder ones (local KMS services take any).
 */
import { errors } from '../protocol/errors.js';
import type { TriggerName } from './catalog.js';

/** The KMS endpoint, when one is configured (else AWS itself). */
export function kmsEndpoint(env: NodeJS.ProcessEnv = process.env): string | undefined {
  return env.AWS_ENDPOINT_URL_KMS || env.AWS_ENDPOINT_URL || undefined;
}

const haveCredentials = (env: NodeJS.ProcessEnv) =>
  !!(env.AWS_ACCESS_KEY_ID || env.AWS_PROFILE || env.AWS_WEB_IDENTITY_TOKEN_FILE || env.AWS_CONTAINER_CREDENTIALS_FULL_URI || env.AWS_CONTAINER_CREDENTIALS_RELATIVE_URI);

type Encrypt = (keyId: string, plaintext: string, context: Record<string, string>) => Promise<Uint8Array>;
let cached: { endpoint: string | undefined; encrypt: Encrypt } | undefined;

/** The Encryption SDK's encrypt with a KMS keyring, built once per endpoint (loaded on first use). */
async function encryptor(): Promise<Encrypt> {
  const endpoint = kmsEndpoint();
  if (cached && cached.endpoint === endpoint) return cached.encrypt;
  const sdk = await import('@aws-crypto/client-node');
  const { encrypt } = sdk.buildClient(sdk.CommitmentPolicy.REQUIRE_ENCRYPT_ALLOW_DECRYPT);
  const clientProvider = sdk.cacheClients(
    sdk.getClient(sdk.KMS, {
      maxAttempts: 1,
      ...(endpoint ? { endpoint } : {}),
      ...(endpoint && !haveCredentials(process.env) ? { credentials: { accessKeyId: 'incognito', secretAccessKey: 'incognito' } } : {}),
    }),
  );
  const keyrings = new Map<string, InstanceType<typeof sdk.KmsKeyringNode>>();
  const fn: Encrypt = async (keyId, plaintext, context) => {
    let keyring = keyrings.get(keyId);
    if (!keyring) {
      keyring = new sdk.KmsKeyringNode({ generatorKeyId: keyId, clientProvider });
      if (keyrings.size > 64) keyrings.clear();
      keyrings.set(keyId, keyring);
    }
    const { result } = await encrypt(keyring, Buffer.from(plaintext, 'utf8'), { encryptionContext: context });
    return result;
  };
  cached = { endpoint, encrypt: fn };
  return fn;
}

/**
 * `code` encrypted under `keyId` for `trigger`'s function, base64. The encryption context names the
 * pool ("userpool-id"). KMS unreachable, the key unknown or refused: UnexpectedLambdaException
 * "<Trigger> invocation failed due to error KMS <error>." (docs/decisions.md, "Custom sender triggers").
 */
export async function encryptCode(trigger: TriggerName, keyId: string | undefined, poolId: string, code: string): Promise<string> {
  if (!keyId) throw errors.unexpectedLambda(`${trigger} invocation failed due to error KMSKeyID is not configured for the user pool.`);
  try {
    const encrypt = await encryptor();
    return Buffer.from(await encrypt(keyId, code, { 'userpool-id': poolId })).toString('base64');
  } catch (e) {
    const err = e as { name?: string; message?: string; code?: string };
    const what = err?.name && err.name !== 'Error' ? err.name : err?.code ?? err?.message ?? 'unknown';
    throw errors.unexpectedLambda(`${trigger} invocation failed due to error KMS ${what}.`);
  }
}
