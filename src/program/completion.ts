/**
 * `gcmpush completion`, and the walk that turns the live commander tree into the model the
 * script generators read. Commands and flags come from the tree; only what their values are
 * comes from the tables below.
 */
import type { Argument, Command, Option } from 'commander';
import type {
  CompletionArgument,
  CompletionCommand,
  CompletionOption,
  CompletionSpec,
  ValueCompletion,
} from '../commands/completion.js';
import { examples, type CommandContext } from './context.js';

/**
 * The shells `gcmpush completion` writes for. Listed here, not in the generators' module, so
 * start-up does not load that; its generator table must cover exactly these.
 */
export const SHELL_NAMES = ['bash', 'zsh', 'fish'] as const;
export type Shell = (typeof SHELL_NAMES)[number];

const FILES: ValueCompletion = { kind: 'files' };
const NAMES: ValueCompletion = { kind: 'names' };
const words = (...list: string[]): ValueCompletion => ({ kind: 'words', words: list });

/**
 * How flag values complete, by long flag; a `COMMAND PATH --flag` key beats the flag alone.
 * A flag in neither (and without commander `.choices()`) takes free text: nothing is offered.
 */
export const FLAG_VALUES: Readonly<Record<string, ValueCompletion>> = {
  '--to': { kind: 'name-list' },
  'inbox --to': NAMES,
  '--to-file': FILES,
  '--devices': FILES,
  '--service-account': FILES,
  '--data': { kind: 'at-file' },
  '--notification': { kind: 'at-file' },
  '--priority': words('high', 'normal'),
  '--protocol': words('legacy', 'v1'),
};

/** How positional arguments complete, by command path, one entry per argument in order. */
export const ARGUMENT_VALUES: Readonly<Record<string, readonly ValueCompletion[]>> = {
  'ids rm': [NAMES],
  'ids rename': [NAMES],
  'account set': [FILES],
  completion: [words(...SHELL_NAMES)],
};

export function declareCompletion(program: Command, context: CommandContext): void {
  const { run, io } = context;
  program
    .command('completion <shell>')
    .description(`print a completion script for ${SHELL_NAMES.join(', ')}`)
    .addHelpText(
      'after',
      examples(
        'gcmpush completion bash > ~/.local/share/bash-completion/completions/gcmpush',
        'gcmpush completion zsh > ~/.zfunc/_gcmpush',
        'gcmpush completion fish > ~/.config/fish/completions/gcmpush.fish',
      ),
    )
    .action((shell: string) =>
      run(async () => {
        const { runCompletion } = await import('../commands/completion.js');
        runCompletion(shell, describeProgram(program), io());
      }),
    );
}

/** The model of the whole tree under `program`, as it stands when called. */
export function describeProgram(program: Command): CompletionSpec {
  const root = describeCommand(program, []);
  // Every command has its own --help, and --version belongs to the program alone.
  const globalOptions = root.options.filter(
    (option) => option.long !== '--help' && option.long !== '--version',
  );
  return { root, globalOptions };
}

function describeCommand(command: Command, path: string[]): CompletionCommand {
  const help = command.createHelp();
  // visibleCommands() drops hidden commands but adds commander's implicit `help` command;
  // keeping only declared ones leaves that out.
  const visible = new Set(help.visibleCommands(command));
  const subcommands = command.commands
    .filter((child) => visible.has(child))
    .map((child) => describeCommand(child, [...path, child.name()]));
  const key = path.join(' ');
  return {
    name: command.name(),
    description: command.summary() || command.description(),
    options: help.visibleOptions(command).map((option) => describeOption(option, key)),
    arguments: command.registeredArguments.map((argument, index) =>
      describeArgument(argument, ARGUMENT_VALUES[key]?.[index]),
    ),
    subcommands,
  };
}

function describeOption(option: Option, commandPath: string): CompletionOption {
  const described: CompletionOption = { description: option.description };
  if (option.long) described.long = option.long;
  if (option.short) described.short = option.short;
  if (option.required || option.optional) {
    const long = option.long ?? '';
    described.value =
      FLAG_VALUES[`${commandPath} ${long}`] ?? FLAG_VALUES[long] ?? choices(option.argChoices);
  }
  return described;
}

function describeArgument(argument: Argument, value?: ValueCompletion): CompletionArgument {
  return { value: value ?? choices(argument.argChoices), variadic: argument.variadic };
}

function choices(list: string[] | undefined): ValueCompletion {
  return list ? words(...list) : { kind: 'none' };
}
