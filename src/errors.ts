/**
 * Errors that reach the user. Anything may throw them; only src/cli.ts prints them and turns
 * them into an exit code, so the rest of the code never prints or exits.
 */

/** Exit codes are part of the command-line contract; the README lists the same table. */
export const ExitCode = {
  ok: 0,
  recipientFailed: 1,
  usage: 2,
  auth: 3,
  unreachable: 4,
  interrupted: 130,
} as const;

export class GcmpushError extends Error {
  readonly exitCode: number;
  /** A second line telling the user what to do next. */
  readonly hint: string | undefined;

  constructor(message: string, options: { exitCode: number; hint?: string; cause?: unknown }) {
    super(message, { cause: options.cause });
    this.name = new.target.name;
    this.exitCode = options.exitCode;
    this.hint = options.hint;
  }
}

/** Bad flags or bad input: nothing was sent and nothing was changed. */
export class UsageError extends GcmpushError {
  constructor(message: string, hint?: string) {
    super(message, { exitCode: ExitCode.usage, hint });
  }
}

/** The config file cannot be read or written. It is reported, never reset. */
export class ConfigError extends GcmpushError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.usage, hint, cause });
  }
}

/**
 * The push service or its token endpoint refused the credentials: a rejected API key, a
 * service account whose JWT the token endpoint refuses, or a 401 that a fresh token did not cure.
 */
export class AuthError extends GcmpushError {
  constructor(message: string, hint?: string, cause?: unknown) {
    super(message, { exitCode: ExitCode.auth, hint, cause });
  }
}
