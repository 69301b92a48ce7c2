/**
 * The command-line entry point: declares the commands and flags, runs one, and is the only
 * place that prints errors and sets the exit code. Command modules are imported only when
 * their command runs, so `--version`, `--help`, `key` and `ids` never load the HTTP stack.
 *
 * Three invocations that scripts run in loops are answered before commander and the command
 * declarations load: `--version`, `--help` (from the text the build rendered with commander,
 * see scripts/build.js) and `ids list [--json]` (the same code as the command, called directly,
 * from a file of its own: see fast-ids-list.ts). Anything else, and these with any other flag,
 * goes through commander.
 */
import { readFileSync } from 'node:fs';
import { ExitCode } from './errors.js';
import { reportError } from './output/report-error.js';
import type { Io } from './output/streams.js';
import { processIo } from './output/streams.js';
import type { CommandContext } from './program/context.js';

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
  LC_ALL, LC_COLLATE, LANG
                       the locale, whose rules put the names of \`ids list\` in order
  HTTPS_PROXY, HTTP_PROXY, NO_PROXY
                       proxy for requests to the push service (and which hosts skip it)`;

/** The root help as commander prints it to a pipe, written beside this file by the build. */
const PRERENDERED_HELP = new URL('./help.txt', import.meta.url);

/** `--help` from the prerendered text, when commander would print exactly that: 80 columns. */
function prerenderedHelp(): string | undefined {
  const stdout = process.stdout;
  if (stdout.isTTY && stdout.columns !== 80) return undefined;
  try {
    return readFileSync(PRERENDERED_HELP, 'utf8');
  } catch {
    // Not built (running from source): commander renders it.
    return undefined;
  }
}

async function main(argv: string[]): Promise<number> {
  const args = argv.slice(2);
  if (args.length === 1 && (args[0] === '--version' || args[0] === '-V')) {
    process.stdout.write(`${version}\n`);
    return ExitCode.ok;
  }
  if (args.length === 1 && (args[0] === '--help' || args[0] === '-h')) {
    const help = prerenderedHelp();
    if (help !== undefined) {
      process.stdout.write(help);
      return ExitCode.ok;
    }
  }
  if (args[0] === 'ids' && args[1] === 'list') {
    const json = args.length === 3 && args[2] === '--json';
    if (args.length === 2 || json) return (await import('./fast-ids-list.js')).runIdsList(json);
  }
  return runProgram(argv);
}

/**
 * Registration IDs may begin with `-`, and commander then takes one for an option. An unknown
 * "option" shaped like an ID (a `:` in it, or longer than a name may be) gets told about `--`.
 */
function hintForDashedId(error: string): string {
  const option = /^error: unknown option '(-[^']+)'/.exec(error)?.[1];
  if (option === undefined || !(option.includes(':') || option.length > 64)) return '';
  return `hint: an ID that starts with "-" goes after "--", as in \`-- ${option}\`\n`;
}

async function runProgram(argv: string[]): Promise<number> {
  const [
    { Command, CommanderError },
    { declareAccount },
    { declareCompletion },
    { declareDoctor },
    { declareEmulator },
    { declareHistory },
    { declareIds },
    { declareKey },
    { declareSend },
  ] = await Promise.all([
    import('commander'),
    import('./program/account.js'),
    import('./program/completion.js'),
    import('./program/doctor.js'),
    import('./program/emulator.js'),
    import('./program/history.js'),
    import('./program/ids.js'),
    import('./program/key.js'),
    import('./program/send.js'),
  ]);
  let io: Io = processIo();
  let exitCode: number = ExitCode.ok;
  const program = new Command('gcmpush')
    .description('Send test push notifications to Android devices over GCM/FCM')
    .version(version)
    .option('--no-color', 'turn colour off')
    .showHelpAfterError('(add --help for usage)')
    .exitOverride()
    .configureOutput({
      outputError: (text, write) =>
        write(`gcmpush: ${text.replace(/^error: /, '')}${hintForDashedId(text)}`),
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

process.exitCode = await main(process.argv);
