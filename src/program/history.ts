/** `gcmpush history` and `gcmpush history show`. */
import type { Command } from 'commander';
import { examples, type CommandContext } from './context.js';

export function declareHistory(program: Command, context: CommandContext): void {
  const { run, io } = context;
  const commands = () => import('../commands/history.js');
  const history = program
    .command('history')
    .description('list recent sends, newest first')
    .option('-n, --limit <n>', 'how many sends to list (default 20)')
    .option('--json', 'print a JSON array of the send records')
    .addHelpText(
      'after',
      examples(
        'gcmpush history',
        'gcmpush history -n 5 --json',
        'gcmpush send --again 0193a5f2-7c1e --failed-only',
      ),
    )
    .action((options: { limit?: string; json?: boolean }) =>
      run(async () =>
        (await commands()).runHistoryList(
          { limit: options.limit, json: options.json === true },
          io(),
        ),
      ),
    );
  history
    .command('show <send-id>')
    .description('show one send and the outcome for each recipient')
    .option('--json', 'print the send record as JSON')
    .addHelpText(
      'after',
      examples(
        'gcmpush history show 0193a5f2-7c1e',
        "gcmpush history show 0193a5f2-7c1e --json | jq '.results[] | select(.ok | not)'",
      ),
    )
    .action((sendId: string, _options: unknown, command: Command) =>
      run(async () => {
        // `--json` after the ID is parsed by `history` itself, which declares one too.
        const json = command.optsWithGlobals<{ json?: boolean }>().json === true;
        return (await commands()).runHistoryShow(sendId, { json }, io());
      }),
    );
}
