/** `gcmpush emulator` and `gcmpush inbox`. */
import type { Command } from 'commander';
import { collect, examples, interruption, type CommandContext } from './context.js';

export function declareEmulator(program: Command, context: CommandContext): void {
  const { run, io, store } = context;
  program
    .command('emulator')
    .description('run a local GCM/FCM emulator until interrupted')
    .option('--host <host>', 'interface to listen on', '127.0.0.1')
    .option('--port <port>', 'TCP port; 0 picks a free one', '8089')
    .option('--key <key>', 'accept only this API key (repeatable; default: any)', collect, [])
    .option('--devices <file>', 'register the devices in this JSON array at start')
    .option('--latency <ms>', 'delay every send request by this many milliseconds')
    .option('--fault <spec>', 'fail the next sends: STATUS:COUNT[:RETRY_AFTER]', collect, [])
    .option(
      '--service-account <file>',
      'trust this key for FCM v1 (a new one is written there if the file does not exist)',
    )
    .addHelpText(
      'after',
      examples(
        'gcmpush emulator --port 0',
        'gcmpush emulator --key test-key --devices devices.json --fault 503:2:10',
        'gcmpush emulator --service-account emulator-key.json --latency 50',
      ),
    )
    .action((options: Record<string, unknown>) =>
      run(async () => {
        const { runEmulator, toEmulatorOptions } = await import('../commands/emulator.js');
        await runEmulator(toEmulatorOptions(options), io(), interruption());
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
      examples(
        'gcmpush inbox --endpoint http://127.0.0.1:8089',
        'gcmpush inbox --to phone1 --json',
      ),
    )
    .action((options: { endpoint?: string; to?: string; json?: boolean }) =>
      run(async () => {
        const { runInbox } = await import('../commands/inbox.js');
        const flags = { endpoint: options.endpoint, to: options.to, json: options.json === true };
        await runInbox(flags, await store(), io());
      }),
    );
}
