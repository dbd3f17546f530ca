/**
 * What the real-client suites share: a record of the Cognito operations the clients send (both
 * amazon-cognito-identity-js and Amplify call the global fetch), an in-memory storage for
 * amazon-cognito-identity-js, the `navigator` Amplify reads the device name from, and the code an
 * authenticator app shows.
 */
import { Secret, TOTP } from 'otpauth';
import type { ICognitoStorage } from 'amazon-cognito-identity-js';

/**
 * Starts recording, once per process, the operation (and challenge name) of every Cognito call made
 * through the global fetch: `Operation` or `Operation:CHALLENGE`. Returns the list it appends to.
 */
export function recordCognitoCalls(): string[] {
  const g = globalThis as { __cognitoCalls?: string[] };
  if (g.__cognitoCalls) return g.__cognitoCalls;
  const calls: string[] = (g.__cognitoCalls = []);
  const realFetch = globalThis.fetch;
  globalThis.fetch = (input: Parameters<typeof fetch>[0], init?: RequestInit) => {
    const headers = init?.headers as Record<string, string> | Headers | undefined;
    const target = headers instanceof Headers ? headers.get('x-amz-target') : (headers?.['x-amz-target'] ?? headers?.['X-Amz-Target']);
    if (target) {
      const op = target.replace('AWSCognitoIdentityProviderService.', '');
      let challenge = '';
      try {
        challenge = (JSON.parse(String(init?.body)) as { ChallengeName?: string }).ChallengeName ?? '';
      } catch {
        // not JSON
      }
      calls.push(challenge ? `${op}:${challenge}` : op);
    }
    return realFetch(input, init);
  };
  return calls;
}

/**
 * Amplify names the device from `navigator` (getDeviceName), which Node 20 lacks: without it
 * Amplify skips ConfirmDevice silently. A browser has it; the tests give it.
 */
export function giveNavigator(): void {
  (globalThis as { navigator?: unknown }).navigator ??= { userAgent: 'incognito-tests (Node.js)' };
}

/** An amazon-cognito-identity-js storage in memory (its `data` readable by the test). */
export function memoryStorage(): ICognitoStorage & { data: Map<string, string> } {
  const data = new Map<string, string>();
  return {
    data,
    getItem: (k) => data.get(k) ?? null,
    setItem: (k, v) => void data.set(k, v),
    removeItem: (k) => void data.delete(k),
    clear: () => data.clear(),
  };
}

/** The code an authenticator app shows for a base32 secret at a time (epoch ms): RFC 6238, SHA-1, 30 s, 6 digits. */
export const totpAt = (secret: string, timestamp: number): string =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({ timestamp });
