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
  /** Records the message in the outbox and sends it on (console, SMTP). Never throws for a send failure. */
  deliver(msg: OutgoingMessage): Promise<void>;
  close(): Promise<void>;
}
