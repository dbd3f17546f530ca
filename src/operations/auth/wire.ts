/** The JSON API's form of a sign-in engine outcome (src/signin): a challenge, or AuthenticationResult. */
import type { Outcome } from '../../signin/index.js';

export interface AuthResponse {
  ChallengeName?: string;
  ChallengeParameters: Record<string, string>;
  Session?: string;
  AuthenticationResult?: object;
  /** SELECT_CHALLENGE (USER_AUTH): the first factors the user can choose. */
  AvailableChallenges?: string[];
}

export function toWire(o: Outcome): AuthResponse {
  if (o.kind === 'challenge') {
    return {
      ChallengeName: o.name,
      ChallengeParameters: o.parameters,
      ...(o.session !== undefined ? { Session: o.session } : {}),
      ...(o.available ? { AvailableChallenges: o.available } : {}),
    };
  }
  return { ChallengeParameters: {}, ...(o.tokens ? { AuthenticationResult: o.tokens } : {}) };
}
