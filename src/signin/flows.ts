/** Which sign-in flows an app client allows (ExplicitAuthFlows; legacy values read as Cognito did). */
import { DEFAULT_EXPLICIT_AUTH_FLOWS } from '../domain/client-settings.js';
import { errors } from '../protocol/errors.js';
import type { ClientRecord } from '../store/types.js';

export type ClientFlow = 'USER_PASSWORD_AUTH' | 'ADMIN_USER_PASSWORD_AUTH' | 'USER_SRP_AUTH' | 'REFRESH_TOKEN_AUTH' | 'CUSTOM_AUTH' | 'USER_AUTH';

function allows(client: ClientRecord, flow: ClientFlow): boolean {
  const flows = new Set<string>(client.settings.ExplicitAuthFlows ?? DEFAULT_EXPLICIT_AUTH_FLOWS);
  const legacy = ![...flows].some((f) => f.startsWith('ALLOW_'));
  switch (flow) {
    case 'USER_PASSWORD_AUTH':
      return flows.has('ALLOW_USER_PASSWORD_AUTH') || flows.has('USER_PASSWORD_AUTH');
    case 'ADMIN_USER_PASSWORD_AUTH':
      return flows.has('ALLOW_ADMIN_USER_PASSWORD_AUTH') || flows.has('ADMIN_NO_SRP_AUTH');
    case 'USER_SRP_AUTH':
      // Before the ALLOW_ values, SRP was always on unless CUSTOM_AUTH_FLOW_ONLY.
      return flows.has('ALLOW_USER_SRP_AUTH') || (legacy && !flows.has('CUSTOM_AUTH_FLOW_ONLY'));
    case 'REFRESH_TOKEN_AUTH':
      return flows.has('ALLOW_REFRESH_TOKEN_AUTH') || legacy;
    case 'CUSTOM_AUTH':
      // Before the ALLOW_ values, custom authentication was always on (CUSTOM_AUTH_FLOW_ONLY made it the only one).
      return flows.has('ALLOW_CUSTOM_AUTH') || legacy;
    case 'USER_AUTH':
      // Choice-based sign-in came after the ALLOW_ values: only ALLOW_USER_AUTH turns it on.
      return flows.has('ALLOW_USER_AUTH');
  }
}

/** Whether the client allows choice-based sign-in (USER_AUTH): ConfirmSignUp then returns a Session to sign in with. */
export function allowsUserAuth(client: ClientRecord): boolean {
  return allows(client, 'USER_AUTH');
}

const NOT_ENABLED: Record<ClientFlow, string> = {
  USER_PASSWORD_AUTH: 'USER_PASSWORD_AUTH flow not enabled for this client',
  ADMIN_USER_PASSWORD_AUTH: 'Auth flow not enabled for this client',
  USER_SRP_AUTH: 'USER_SRP_AUTH is not enabled for the client.',
  REFRESH_TOKEN_AUTH: 'Refresh Token flow not enabled for this client',
  // Ours, in the words of its neighbours (no source quotes Cognito's).
  CUSTOM_AUTH: 'Custom auth flow not enabled for this client',
  // Ours, in the same words.
  USER_AUTH: 'USER_AUTH flow not enabled for this client',
};

export function requireFlow(client: ClientRecord, flow: ClientFlow): void {
  if (!allows(client, flow)) throw errors.invalidParameter(NOT_ENABLED[flow]);
}

/** A flow name the model has that the engine does not start. */
export function unsupportedFlow(flow: string): never {
  throw errors.unsupportedOperation(`incognito does not support the ${flow} flow yet.`);
}
