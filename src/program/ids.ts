/** `gcmpush ids add|list|rm|rename`. */
import type { Command } from 'commander';
import { examples, type CommandContext } from './context.js';

export function declareIds(program: Command, context: CommandContext): void {
  const { run, io, store } = context;
  const commands = () => import('../commands/ids.js');
  const ids = program
    .command('ids')
    .description('manage named registration IDs')
    .addHelpText(
      'after',
      examples(
        "gcmpush ids add phone1 'cXk2_9aB3dE:APA91b…'",
        'gcmpush ids list',
        'gcmpush ids rename phone1 pixel8',
      ),
    );
  ids
    .command('add <name> <registration-id>')
    .description('store a registration ID under a name')
    .option('--force', 'replace the ID of an existing name')
    .addHelpText(
      'after',
      examples(
        "gcmpush ids add phone1 'cXk2_9aB3dE:APA91b…'",
        'gcmpush ids add phone1 "$NEW_ID" --force',
      ),
    )
    .action((name: string, id: string, options: { force?: boolean }) =>
      run(async () => {
        const force = options.force === true;
        return (await commands()).runIdsAdd(name, id, { force }, await store(), io());
      }),
    );
  ids
    .command('list')
    .description('list stored names and their registration IDs')
    .option('--json', 'print a JSON array')
    .addHelpText(
      'after',
      examples('gcmpush ids list', "gcmpush ids list --json | jq -r '.[].name'"),
    )
    .action((options: { json?: boolean }) =>
      run(async () =>
        (await commands()).runIdsList({ json: options.json === true }, await store(), io()),
      ),
    );
  ids
    .command('rm <names...>')
    .description('remove stored names (all or none)')
    .addHelpText('after', examples('gcmpush ids rm phone1', 'gcmpush ids rm phone1 tablet'))
    .action((names: string[]) =>
      run(async () => (await commands()).runIdsRemove(names, await store(), io())),
    );
  ids
    .command('rename <old> <new>')
    .description('rename a stored name')
    .option('--force', 'overwrite an existing name')
    .addHelpText(
      'after',
      examples('gcmpush ids rename phone1 pixel8', 'gcmpush ids rename old-phone phone1 --force'),
    )
    .action((oldName: string, newName: string, options: { force?: boolean }) =>
      run(async () => {
        const force = options.force === true;
        return (await commands()).runIdsRename(oldName, newName, { force }, await store(), io());
      }),
    );
}
