import type { Kysely, Transaction } from 'kysely';
import type { Database } from './schema.js';

/** A connection or a transaction: repositories work the same on either. */
export type Db = Kysely<Database> | Transaction<Database>;
