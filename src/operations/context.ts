/** What every operation handler receives besides its validated input. */
import type { Config } from '../config.js';
import type { Store } from '../store/types.js';
import type { Delivery } from '../delivery/types.js';
import type { Secrets } from '../domain/secrets.js';
import type { SigningKeys } from '../domain/keys.js';
import type { Caller } from '../domain/auth-events.js';
import type { Quotas } from '../quotas.js';
import type { Metrics } from '../metrics.js';

export interface Ctx {
  store: Store;
  /** Where codes and invitations go (outbox, console, SMTP). */
  delivery: Delivery;
  config: Config;
  /** Seals and opens secrets at rest (signing keys, SRP verifiers, session state). */
  secrets: Secrets;
  /** The pools' token signing keys. */
  keys: SigningKeys;
  /** The node's import job runner: kick() makes it look for work now. */
  imports: { kick(): void };
  /** This server's public base URL (the configured one, or http://host:port), no trailing slash. */
  publicUrl: string;
  /** The request's region: the SigV4 credential scope, else the pool id's prefix, else the configured region. */
  region: string;
  requestId: string;
  /** The request's ClientMetadata, for the Lambda triggers it runs (src/triggers). */
  clientMetadata?: Record<string, string>;
  /**
   * InitiateAuth's / AdminInitiateAuth's ClientMetadata: PreAuthentication's validationData (the
   * model's InitiateAuth text: it reaches only pre sign-up, pre authentication and user migration).
   */
  signInValidationData?: Record<string, string>;
  /** Who made the request (IP address, User-Agent), for auth events (domain/auth-events.ts). */
  caller?: Caller;
  /** The request quotas (--quotas cognito), for the hosted token endpoint's own categories. */
  quotas?: Quotas;
  /** The server's metrics (src/metrics.ts); absent with --metrics false. */
  metrics?: Metrics;
  /** Epoch milliseconds at the start of the request. */
  now: number;
}

export type Handler<I = any> = (input: I, ctx: Ctx) => Promise<object>;

/** Epoch seconds with a fraction, the JSON 1.1 form of a timestamp. */
export const epochSeconds = (ms: number) => ms / 1000;
