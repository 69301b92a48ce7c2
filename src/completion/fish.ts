/** The fish completion script: `complete -c` lines guarded by the subcommand seen so far. */
import {
  type CompletionOption,
  type CompletionSpec,
  type PlacedCommand,
  REGENERATE,
  type ValueCompletion,
  oneLine,
  optionKey,
  placeCommands,
  quoteFish,
} from './model.js';

export function generateFish(spec: CompletionSpec): string {
  const placed = placeCommands(spec);
  const globals = spec.globalOptions.map((option) => fishOption('', option));
  const lines = placed.flatMap((entry) => fishCommandLines(spec, entry));
  return [FISH_HEADER, ...globals, ...lines].join('\n');
}

const FISH_HEADER = `
# fish completion for gcmpush, printed by \`gcmpush completion fish\`. Install it with:
#   gcmpush completion fish > ~/.config/fish/completions/gcmpush.fish
${REGENERATE}

# Stored names, each after $argv[1]: the part of a comma-separated list already typed.
function __gcmpush_names
    for stored in (command gcmpush ids list 2>/dev/null | string replace -r '\\t.*' '')
        printf '%s%s\\tstored name\\n' "$argv[1]" $stored
    end
end

# The word being completed, without a leading --flag=.
function __gcmpush_token
    commandline -ct | string replace -r -- '^--[^=]*=' ''
end

function __gcmpush_name_list
    __gcmpush_names (__gcmpush_token | string match -r -- '^.*,')
end

function __gcmpush_at_files
    set -l token (__gcmpush_token)
    string match -q -- '@*' $token; or return 0
    for file in (__fish_complete_path (string sub -s 2 -- $token))
        printf '@%s\\n' $file
    end
end

complete -c gcmpush -f`;

/** The condition under which words for the command at `entry` are offered. */
function fishCondition(entry: PlacedCommand): string {
  const seen = entry.path.slice(1).map((word) => `__fish_seen_subcommand_from ${word}`);
  const children = entry.command.subcommands.map((child) => child.name);
  if (seen.length === 0) return children.length > 0 ? '__fish_use_subcommand' : '';
  if (children.length > 0) seen.push(`not __fish_seen_subcommand_from ${children.join(' ')}`);
  return seen.join('; and ');
}

function fishCommandLines(spec: CompletionSpec, entry: PlacedCommand): string[] {
  const condition = fishCondition(entry);
  const guard = condition === '' ? '' : ` -n ${quoteFish(condition)}`;
  const globals = new Set(spec.globalOptions.map(optionKey));
  const children = entry.command.subcommands.map(
    (child) => `complete -c gcmpush${guard} -a ${quoteFish(child.name)}${fishDescription(child)}`,
  );
  const options = entry.command.options
    .filter((option) => !globals.has(optionKey(option)))
    .map((option) => fishOption(guard, option));
  const values = entry.command.arguments
    .map((argument) => fishValue(argument.value, false))
    .filter((words) => words !== '')
    .map((words) => `complete -c gcmpush${guard} ${words}`);
  return [...children, ...options, ...values];
}

function fishOption(guard: string, option: CompletionOption): string {
  const flags = [
    option.short ? ` -s ${option.short.slice(1)}` : '',
    option.long ? ` -l ${option.long.slice(2)}` : '',
  ].join('');
  const value = option.value ? ` ${fishValue(option.value, true)}` : '';
  return `complete -c gcmpush${guard}${flags}${value}${fishDescription(option)}`;
}

function fishDescription(item: { description: string }): string {
  return ` -d ${quoteFish(oneLine(item.description))}`;
}

/** The `complete` arguments offering a value; a flag's value also needs -r (or -x). */
function fishValue(value: ValueCompletion, isFlag: boolean): string {
  const exclusive = isFlag ? '-x ' : '';
  switch (value.kind) {
    case 'none':
      return isFlag ? '-x' : '';
    case 'files':
      return isFlag ? '-r -F' : '-F';
    case 'at-file':
      return `${exclusive}-a '(__gcmpush_at_files)'`;
    case 'names':
      return `${exclusive}-a '(__gcmpush_names)'`;
    case 'name-list':
      return `${exclusive}-a '(__gcmpush_name_list)'`;
    case 'words':
      return `${exclusive}-a ${quoteFish(value.words.join(' '))}`;
  }
}
