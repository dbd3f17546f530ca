/** Store-level failures that operations turn into Cognito errors. */

/** A unique key was taken: the row exists already (a username, an alias, a group name...). */
export class ConflictError extends Error {
  constructor(readonly what: string) {
    super(`conflict on ${what}`);
  }
}

/** True for a unique/primary-key violation on either engine. */
export function isUniqueViolation(e: unknown): boolean {
  const err = e as { code?: string } | null;
  return !!err && (err.code === '23505' || err.code === 'SQLITE_CONSTRAINT_PRIMARYKEY' || err.code === 'SQLITE_CONSTRAINT_UNIQUE');
}
