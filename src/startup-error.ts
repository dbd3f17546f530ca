/**
 * A reason the server cannot start that the person starting it can fix: a port in use, a data
 * directory another incognito owns, a master key that does not fit. The command line prints the
 * message as one line and exits 1, without a stack trace.
 */
export class StartupError extends Error {}
