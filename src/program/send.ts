/** `gcmpush send`. */
import type { Command } from 'commander';
import { collect, examples, interruption, type CommandContext } from './context.js';

export function declareSend(program: Command, context: CommandContext): void {
  const { run, io, store } = context;
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
    .option('--concurrency <n>', 'requests in flight at once (default 4 legacy, 100 v1)')
    .option('--protocol <protocol>', 'legacy or v1 (default v1 with a service account and no key)')
    .option('--project <id>', "FCM v1 project ID (default: the service account's)")
    .option('--endpoint <url>', "send URL (default $GCMPUSH_ENDPOINT, else Google's)")
    .option('--emulator', 'send through a throwaway local emulator: no key, no network')
    .option('--json', 'print one JSON document with every result')
    .option('--ndjson', 'print one JSON line per recipient as it ends, then a summary line')
    .option('--prune', 'remove stored names the service reports as unregistered')
    .option('--again <send-id>', 'repeat a send from the history (see `gcmpush history`)')
    .option('--failed-only', 'with --again: only to the recipients that failed')
    .option('--no-history', 'do not record this send in the history')
    .option('--no-progress', 'do not show a progress bar')
    .option('--verbose', 'print each request and response to stderr, key redacted')
    .addHelpText(
      'after',
      examples(
        "gcmpush send --to phone1 --title Hello --body 'It works'",
        `gcmpush send --emulator --to phone1 --data '{"msg":"hi"}'`,
        'gcmpush send --again 01a23eed --failed-only',
      ),
    )
    .action((options: Record<string, unknown>) =>
      run(async () => {
        const { runSendCommand, toSendFlags } = await import('../commands/send.js');
        const signal = interruption();
        return runSendCommand(toSendFlags(options), io(), { store: await store(), signal });
      }),
    );
}
