/** Message delivery: codes, invitations and notices leave incognito through this interface. */

export interface OutgoingMessage {
  poolId: string;
  /** The user's username (as created). */
  username: string;
  medium: 'EMAIL' | 'SMS';
  /** The email address or phone number. */
  destination: string;
  /** What the message is for: SIGN_UP, RESEND_CODE, FORGOT_PASSWORD, VERIFY_ATTRIBUTE, INVITATION, ... */
  kind: string;
  /** Email subject (none for SMS). */
  subject?: string;
  body: string;
  /** The code or temporary password the message carries (kept in the outbox so tests can read it). */
  code?: string;
}

export interface Delivery {
  /**
   * Records the message in the outbox and sends it on (console, SMTP). Resolves once the outbox
   * has it; sending happens in the background and never throws (Cognito sends asynchronously).
   * Rejects only when the outbox cannot be written. Uses the root store: call it after the
   * operation's transaction, not inside it.
   */
  deliver(msg: OutgoingMessage): Promise<void>;
  /** Resolves when every send started so far has finished (sent or failed). For tests. */
  flush?(): Promise<void>;
  /** Waits (bounded) for the sends under way, then closes the SMTP connections. */
  close(): Promise<void>;
}
