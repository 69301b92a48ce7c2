/** How the CLI reports an error that ended a command: one line and a hint, or an internal error. */
import { GcmpushError } from '../errors.js';
import type { Io } from './streams.js';

export function reportError(error: unknown, io: Io, verbose: boolean): number {
  if (error instanceof GcmpushError) {
    io.err(`gcmpush: ${error.message}\n`);
    if (error.hint) io.err(`hint: ${error.hint}\n`);
    if (verbose && error.stack) io.err(`${error.stack}\n`);
    return error.exitCode;
  }
  const message = error instanceof Error ? error.message : String(error);
  io.err(`gcmpush: internal error: ${message}\n`);
  if (verbose && error instanceof Error && error.stack) io.err(`${error.stack}\n`);
  else io.err('hint: run again with --verbose to see where it happened, and report it\n');
  return 1;
}
