/** `gcmpush key set|show|rm`. */
import type { Command } from 'commander';
import { examples, type CommandContext } from './context.js';

export function declareKey(program: Command, context: CommandContext): void {
  const { run, io, store } = context;
  const commands = () => import('../commands/key.js');
  const key = program
    .command('key')
    .description('manage the server API key')
    .addHelpText(
      'after',
      examples('gcmpush key set < server-key.txt', 'gcmpush key show', 'gcmpush key rm'),
    );
  key
    .command('set [key]')
    .description('store the server API key (read from standard input when not given)')
    .addHelpText(
      'after',
      examples('gcmpush key set', 'gcmpush key set < server-key.txt', 'gcmpush key set AIza…'),
    )
    .action((value?: string) =>
      run(async () => (await commands()).runKeySet(value, await store(), io())),
    );
  key
    .command('show')
    .description('print the key in use, masked')
    .addHelpText('after', examples('gcmpush key show', 'GCMPUSH_API_KEY=AIza… gcmpush key show'))
    .action(() => run(async () => (await commands()).runKeyShow(await store(), io())));
  key
    .command('rm')
    .description('delete the stored key')
    .addHelpText(
      'after',
      examples('gcmpush key rm', 'gcmpush key rm && gcmpush account set service-account.json'),
    )
    .action(() => run(async () => (await commands()).runKeyRemove(await store(), io())));
}
