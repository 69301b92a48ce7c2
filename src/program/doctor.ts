/** `gcmpush doctor`. */
import type { Command } from 'commander';
import { examples, type CommandContext } from './context.js';

export function declareDoctor(program: Command, context: CommandContext): void {
  const { run, io, store } = context;
  program
    .command('doctor')
    .description('check the config, credentials, proxy, clock and endpoint a send depends on')
    .option('--protocol <protocol>', 'check a send over legacy or v1 (default: as send picks)')
    .option('--project <id>', "FCM v1 project ID (default: the service account's)")
    .option('--endpoint <url>', "send URL to check (default $GCMPUSH_ENDPOINT, else Google's)")
    .option('--timeout <seconds>', 'how long the endpoint may take to answer', '10')
    .option('--json', 'print one JSON document with every check')
    .addHelpText(
      'after',
      examples(
        'gcmpush doctor',
        'gcmpush doctor --protocol v1 --json | jq \'.checks[] | select(.status == "fail")\'',
        'gcmpush doctor --endpoint http://127.0.0.1:8089 --timeout 2',
      ),
    )
    .action((options: Record<string, unknown>) =>
      run(async () => {
        const { runDoctor } = await import('../commands/doctor.js');
        const flags = { ...options, json: options.json === true };
        return runDoctor(flags, io(), { store: await store() });
      }),
    );
}
