/** `gcmpush account set|show|rm`: the FCM v1 service account. */
import type { Command } from 'commander';
import { examples, type CommandContext } from './context.js';

export function declareAccount(program: Command, context: CommandContext): void {
  const { run, io, store } = context;
  const commands = () => import('../commands/account.js');
  const account = program
    .command('account')
    .description('manage the FCM v1 service account')
    .addHelpText(
      'after',
      examples(
        'gcmpush account set ~/Downloads/my-project-firebase-adminsdk.json',
        'gcmpush account show',
        'gcmpush account rm',
      ),
    );
  account
    .command('set <file>')
    .description('store a service-account JSON key file in the config (mode 0600)')
    .addHelpText(
      'after',
      examples(
        'gcmpush account set ~/Downloads/my-project-firebase-adminsdk.json',
        'gcmpush account set service-account.json && gcmpush account show',
      ),
    )
    .action((file: string) =>
      run(async () => (await commands()).runAccountSet(file, await store(), io())),
    );
  account
    .command('show')
    .description('print the project ID and client email of the account in use')
    .addHelpText(
      'after',
      examples(
        'gcmpush account show',
        'GOOGLE_APPLICATION_CREDENTIALS=key.json gcmpush account show',
      ),
    )
    .action(() => run(async () => (await commands()).runAccountShow(await store(), io())));
  account
    .command('rm')
    .description('delete the stored service account')
    .addHelpText(
      'after',
      examples('gcmpush account rm', 'GCMPUSH_CONFIG_DIR=./ci-config gcmpush account rm'),
    )
    .action(() => run(async () => (await commands()).runAccountRemove(await store(), io())));
}
