/**
 * The command-line entry point: declares the commands and flags, runs one, and is the only
 * place that prints errors and sets the exit code. Command modules are imported only when
 * their command runs, so `--version`, `--help`, `key` and `ids` never load the HTTP stack.
 */
import { ExitCode, GcmpushError } from './errors.js';
import type { Io } from './output/streams.js';
import { processIo } from './output/streams.js';

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
  GCMPUSH_API_KEY      server API key to use instead of the stored one
  GCMPUSH_ENDPOINT     send URL (default https://fcm.googleapis.com/fcm/send)
  GCMPUSH_CONFIG_DIR   folder of config.json (default ~/.config/gcmpush on Linux)
  NO_COLOR             turn colour off`;

function collect(value: string, previous: string[]): string[] {
  return [...previous, value];
}

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

  const run = async (task: () => Promise<number | void> | number | void) => {
    exitCode = (await task()) ?? ExitCode.ok;
  };
  const store = async () => (await import('./config/store.js')).openStore();
  const keyCommands = () => import('./commands/key.js');
  const idsCommands = () => import('./commands/ids.js');

  const key = program.command('key').description('manage the server API key');
  key
    .command('set [key]')
    .description('store the server API key (read from standard input when not given)')
    .action((value?: string) =>
      run(async () => (await keyCommands()).runKeySet(value, await store(), io)),
    );
  key
    .command('show')
    .description('print the key in use, masked')
    .action(() => run(async () => (await keyCommands()).runKeyShow(await store(), io)));
  key
    .command('rm')
    .description('delete the stored key')
    .action(() => run(async () => (await keyCommands()).runKeyRemove(await store(), io)));

  const ids = program.command('ids').description('manage named registration IDs');
  ids
    .command('add <name> <registration-id>')
    .description('store a registration ID under a name')
    .option('--force', 'replace the ID of an existing name')
    .action((name: string, id: string, options: { force?: boolean }) =>
      run(async () => {
        const force = options.force === true;
        return (await idsCommands()).runIdsAdd(name, id, { force }, await store(), io);
      }),
    );
  ids
    .command('list')
    .description('list stored names and their registration IDs')
    .option('--json', 'print a JSON array')
    .action((options: { json?: boolean }) =>
      run(async () =>
        (await idsCommands()).runIdsList({ json: options.json === true }, await store(), io),
      ),
    );
  ids
    .command('rm <names...>')
    .description('remove stored names (all or none)')
    .action((names: string[]) =>
      run(async () => (await idsCommands()).runIdsRemove(names, await store(), io)),
    );
  ids
    .command('rename <old> <new>')
    .description('rename a stored name')
    .option('--force', 'overwrite an existing name')
    .action((oldName: string, newName: string, options: { force?: boolean }) =>
      run(async () => {
        const force = options.force === true;
        return (await idsCommands()).runIdsRename(oldName, newName, { force }, await store(), io);
      }),
    );

  program
    .command('send')
    .description('send a push to stored names, registration IDs or a topic')
    .option(
      '--to <targets>',
      'names, registration IDs or /topics/NAME, comma-separated',
      collect,
      [],
    )
    .option('--all', 'send to every stored name')
    .option('--to-file <file>', 'read targets from a file, one per line (- for standard input)')
    .option('--condition <expr>', "topic condition, e.g. \"'news' in topics && 'eu' in topics\"")
    .option('--data <json>', 'data payload: a JSON object, @FILE, or - for standard input')
    .option('--notification <json>', 'notification payload: a JSON object, @FILE, or -')
    .option('--title <text>', 'notification title')
    .option('--body <text>', 'notification body')
    .option('--collapse-key <key>', 'collapse key')
    .option('--ttl <seconds>', 'time to live, 0 to 2419200 seconds')
    .option('--priority <priority>', 'high or normal')
    .option('--content-available', 'set content_available')
    .option('--restricted-package-name <name>', 'deliver only to this Android package')
    .option('--dry-run', 'have the service validate the message without delivering it')
    .option('--retries <n>', 'retries after the first attempt', '5')
    .option('--timeout <seconds>', 'bound on the whole send, retries and waits included', '60')
    .option('--concurrency <n>', 'requests in flight at once (default 4)')
    .option('--endpoint <url>', 'send URL (default $GCMPUSH_ENDPOINT, else FCM legacy)')
    .option('--emulator', 'send through a throwaway local emulator: no key, no network')
    .option('--json', 'print one JSON document with every result')
    .option('--prune', 'remove stored names the service reports as unregistered')
    .option('--verbose', 'print each request and response to stderr, key redacted')
    .addHelpText(
      'after',
      `
Examples:
  gcmpush send --to phone1 --title Hello --body 'It works'
  gcmpush send --all --data '{"kind":"sync"}' --json
  gcmpush send --to-file ids.txt --data @payload.json --prune
  gcmpush send --emulator --to phone1 --data '{"msg":"hi"}'`,
    )
    .action((options: Record<string, unknown>) =>
      run(async () => {
        const { runSendCommand, toSendFlags } = await import('./commands/send.js');
        return runSendCommand(toSendFlags(options), io, { store: await store() });
      }),
    );

  program
    .command('emulator')
    .description('run a local GCM/FCM emulator until interrupted')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port; 0 picks a free one', '8089')
    .option('--key <key>', 'accept only this API key (repeatable; default: any)', collect, [])
    .option('--devices <file>', 'register the devices in this JSON array at start')
    .option('--latency <ms>', 'delay every send request by this many milliseconds')
    .option('--fault <spec>', 'fail the next sends: STATUS:COUNT[:RETRY_AFTER]', collect, [])
    .addHelpText(
      'after',
      `
Examples:
  gcmpush emulator --port 0
  gcmpush emulator --key test-key --devices devices.json
  gcmpush emulator --fault 503:2:10 --latency 50`,
    )
    .action((options: Record<string, unknown>) =>
      run(async () => {
        const { runEmulator, toEmulatorOptions } = await import('./commands/emulator.js');
        await runEmulator(toEmulatorOptions(options), io, interruption());
      }),
    );

  program
    .command('inbox')
    .description("list what an emulator's devices received")
    .option('--endpoint <url>', 'any URL of the emulator (default $GCMPUSH_ENDPOINT)')
    .option('--to <target>', 'only messages to this stored name or registration ID')
    .option('--json', 'print a JSON array')
    .addHelpText(
      'after',
      `
Examples:
  gcmpush inbox --endpoint http://127.0.0.1:8089
  gcmpush inbox --to phone1 --json`,
    )
    .action((options: { endpoint?: string; to?: string; json?: boolean }) =>
      run(async () => {
        const { runInbox } = await import('./commands/inbox.js');
        const flags = { endpoint: options.endpoint, to: options.to, json: options.json === true };
        await runInbox(flags, await store(), io);
      }),
    );

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

/** Aborted on the first Ctrl-C or SIGTERM, so a server can close its connections and exit. */
function interruption(): AbortSignal {
  const controller = new AbortController();
  const stop = () => controller.abort();
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
  return controller.signal;
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
