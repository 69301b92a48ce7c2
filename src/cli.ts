/**
 * The command-line entry point: declares the commands and flags, runs one, and is the only
 * place that prints errors and sets the exit code. Command modules are imported only when
 * their command runs, so `--version`, `--help`, `key` and `ids` never load the HTTP stack.
 */
import { ExitCode, GcmpushError } from './errors.js';
import type { Io } from './output/streams.js';
import { processIo } from './output/streams.js';
import { declareAccount } from './program/account.js';
import { declareCompletion } from './program/completion.js';
import type { CommandContext } from './program/context.js';
import { declareDoctor } from './program/doctor.js';
import { declareEmulator } from './program/emulator.js';
import { declareHistory } from './program/history.js';
import { declareIds } from './program/ids.js';
import { declareKey } from './program/key.js';
import { declareSend } from './program/send.js';

/** Set by the bundler from package.json. */
declare const GCMPUSH_VERSION: string;
const version = GCMPUSH_VERSION;

const EXIT_CODES = `
Exit codes:
  0    every recipient accepted (other commands: success)
  1    the send ran, and at least one recipient failed
  2    bad usage or bad input: nothing was sent, nothing was changed
  3    the push service refused the key or credentials
  4    the service could not be reached, or kept failing until retries or time ran out
  130  interrupted with Ctrl-C

Environment:
  GCMPUSH_API_KEY      server API key to use instead of the stored one (legacy)
  GOOGLE_APPLICATION_CREDENTIALS
                       service-account JSON file to use instead of the stored one (v1)
  GCMPUSH_ENDPOINT     send URL (default https://fcm.googleapis.com/fcm/send; for v1
                       only its origin counts)
  GCMPUSH_CONFIG_DIR   folder of config.json (default ~/.config/gcmpush on Linux)
  GCMPUSH_CACHE_DIR    folder of cached OAuth tokens (default ~/.cache/gcmpush on Linux)
  GCMPUSH_DATA_DIR     folder of the send history (default ~/.local/share/gcmpush on Linux)
  GCMPUSH_NO_HISTORY   set to 1 to record no sends in the history
  NO_COLOR             turn colour off
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY
                       proxy for requests to the push service (and which hosts skip it)`;

async function main(argv: string[]): Promise<number> {
  // The version is asked for by scripts in loops: answer it before loading anything else.
  if (argv.length === 3 && (argv[2] === '--version' || argv[2] === '-V')) {
    process.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  const { Command, CommanderError } = await import('commander');
  let io: Io = processIo();
  let exitCode: number = ExitCode.ok;
  const program = new Command('gcmpush')
    .description('Send test push notifications to Android devices over GCM/FCM')
    .version(version)
    .option('--no-color', 'turn colour off')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      outputError: (text, write) => write(`gcmpush: ${text.replace(/^error: /, '')}`),
    })
    .addHelpText('after', EXIT_CODES)
    .hook('preAction', (command) => {
      io = processIo(command.opts().color === false);
    });

  const context: CommandContext = {
    run: async (task) => {
      exitCode = (await task()) ?? ExitCode.ok;
    },
    io: () => io,
    store: async () => (await import('./config/store.js')).openStore(),
  };
  declareKey(program, context);
  declareIds(program, context);
  declareAccount(program, context);
  declareSend(program, context);
  declareEmulator(program, context);
  declareHistory(program, context);
  declareCompletion(program, context);
  declareDoctor(program, context);

  try {
    await program.parseAsync(argv);
    return exitCode;
  } catch (error) {
    if (error instanceof CommanderError) {
      const clean = error.exitCode === 0 || error.code === 'commander.help';
      return clean ? ExitCode.ok : ExitCode.usage;
    }
    return reportError(error, io, argv.includes('--verbose'));
  }
}

function reportError(error: unknown, io: Io, verbose: boolean): number {
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

process.exitCode = await main(process.argv);
