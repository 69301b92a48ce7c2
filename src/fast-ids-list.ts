/**
 * `gcmpush ids list [--json]` without commander: scripts list the stored names in loops, and
 * this is the command's own code, called directly. The build bundles this file on its own, into
 * one file with everything it imports, because loading the eight small shared files the main
 * bundle would split it into costs more than the listing itself.
 */
import { runIdsList as listIds } from './commands/ids.js';
import { openStore } from './config/store.js';
import { ExitCode } from './errors.js';
import { reportError } from './output/report-error.js';
import { processIo } from './output/streams.js';

/** The exit code; errors are reported as the CLI reports them. */
export function runIdsList(json: boolean): number {
  const io = processIo();
  try {
    listIds({ json }, openStore(), io);
    return ExitCode.ok;
  } catch (error) {
    return reportError(error, io, false);
  }
}
