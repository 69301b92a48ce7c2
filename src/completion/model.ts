/**
 * The model the completion scripts are generated from, and what all three generators share:
 * the command paths, the flags that take values, and quoting for each shell.
 */
/** What a flag's value or a positional argument completes to. */
export type ValueCompletion =
  /** Free text: nothing is offered. */
  | { kind: 'none' }
  | { kind: 'files' }
  /** A file written `@FILE`; offered only once the word starts with `@`. */
  | { kind: 'at-file' }
  /** One stored name, from `gcmpush ids list`. */
  | { kind: 'names' }
  /** Comma-separated stored names; the part after the last comma is completed. */
  | { kind: 'name-list' }
  /** A fixed set of plain words without spaces. */
  | { kind: 'words'; words: string[] };

export interface CompletionOption {
  /** `--to`; absent for a flag with only a short form. */
  long?: string;
  /** `-h`, when the flag has one. */
  short?: string;
  description: string;
  /** How its value completes; undefined when the flag takes no value. */
  value?: ValueCompletion;
}

export interface CompletionArgument {
  value: ValueCompletion;
  /** The last argument, repeated (`<names...>`). */
  variadic: boolean;
}

export interface CompletionCommand {
  name: string;
  description: string;
  /** Its own visible flags, `--help` included. */
  options: CompletionOption[];
  arguments: CompletionArgument[];
  subcommands: CompletionCommand[];
}

/** The whole tree, as the generators see it. */
export interface CompletionSpec {
  /** The program itself, named `gcmpush`. */
  root: CompletionCommand;
  /** Root flags accepted after any subcommand too (commander's default), such as `--no-color`. */
  globalOptions: CompletionOption[];
}

/** A command with the names leading to it, program name first. */
export interface PlacedCommand {
  path: string[];
  command: CompletionCommand;
  /** Its own flags plus the global ones, each once. */
  options: CompletionOption[];
}

export function placeCommands(spec: CompletionSpec): PlacedCommand[] {
  const placed: PlacedCommand[] = [];
  const visit = (command: CompletionCommand, path: string[]) => {
    const own = new Set(command.options.map(optionKey));
    const inherited = spec.globalOptions.filter((option) => !own.has(optionKey(option)));
    placed.push({ path, command, options: [...command.options, ...inherited] });
    for (const child of command.subcommands) visit(child, [...path, child.name]);
  };
  visit(spec.root, ['gcmpush']);
  return placed;
}

export function optionKey(option: CompletionOption): string {
  return option.long ?? option.short ?? '';
}

/** The flags of a command whose next word is their value, long and short forms. */
export function valueFlags(options: CompletionOption[]): string[] {
  return options.filter((option) => option.value).flatMap(flagNames);
}

export function flagNames(option: CompletionOption): string[] {
  return [option.long, option.short].filter((name): name is string => name !== undefined);
}

/** The flags offered as candidates: long ones only, as a short form is there to save typing. */
export function longFlags(options: CompletionOption[]): { name: string; description: string }[] {
  return options.flatMap((option) =>
    option.long ? [{ name: option.long, description: option.description }] : [],
  );
}

/** Index of the repeated last argument, which completes like every word after it; -1 if none. */
export function repeatedIndex(command: CompletionCommand): number {
  const last = command.arguments.at(-1);
  return last?.variadic ? command.arguments.length - 1 : -1;
}

/**
 * The value cases of one command for the bash and zsh scripts: a pattern of `PATH|FLAG` or
 * `PATH|#INDEX` and the completion it selects. Free-text values are left out: they offer nothing.
 */
export function valueCases(
  placed: PlacedCommand,
): { patterns: string[]; value: ValueCompletion }[] {
  const key = placed.path.join(' ');
  const flags = placed.options.flatMap((option) =>
    option.value ? [{ patterns: flagNames(option), value: option.value }] : [],
  );
  const positions = placed.command.arguments.map((argument, index) => ({
    patterns: [`#${index}`],
    value: argument.value,
  }));
  return [...flags, ...positions]
    .filter((entry) => entry.value.kind !== 'none')
    .map((entry) => ({ ...entry, patterns: entry.patterns.map((name) => `${key}|${name}`) }));
}

/** A completion as words for the scripts' reply function: its kind, then any fixed words. */
export function kindWords(value: ValueCompletion): string[] {
  return value.kind === 'words' ? ['words', ...value.words] : [value.kind];
}

/** Single-quoted for bash and zsh. */
export function quotePosix(text: string): string {
  return `'${text.replaceAll("'", `'\\''`)}'`;
}

/** Single-quoted for fish, where a backslash escapes a quote or a backslash. */
export function quoteFish(text: string): string {
  return `'${text.replace(/[\\']/g, '\\$&')}'`;
}

export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** A `case` statement over command paths, one branch of assignments per command. */
export function caseByPath(
  placed: PlacedCommand[],
  branch: (entry: PlacedCommand) => string[],
): string {
  const branches = placed.flatMap((entry) => [
    `    ${quotePosix(entry.path.join(' '))})`,
    ...branch(entry).map((line) => `      ${line}`),
    '      ;;',
  ]);
  return ['_gcmpush_describe() {', '  case $1 in', ...branches, '  esac', '}'].join('\n');
}

/** A `case` statement over `PATH|FLAG` and `PATH|#INDEX`, setting the value's kind words. */
export function caseByValue(placed: PlacedCommand[]): string {
  const branches = placed.flatMap(valueCases).map(({ patterns, value }) => {
    const words = kindWords(value).map(quotePosix).join(' ');
    return `    ${patterns.map(quotePosix).join(' | ')}) _gcmpush_kind=(${words}) ;;`;
  });
  const lines = ['_gcmpush_value() {', '  _gcmpush_kind=()', '  case "$1|$2" in', ...branches];
  return [...lines, '  esac', '}'].join('\n');
}

export const DATA_COMMENTS = [
  '# Sets the subcommands, the long flags, the flags taking a value and the index of the repeated',
  '# last argument (-1 if none) of the command path in $1.',
].join('\n');

export const VALUE_COMMENT = [
  '# Sets _gcmpush_kind to how the value of flag $2, or of argument #N, of the command path',
  '# in $1 completes: a kind, then any fixed words.',
].join('\n');

export const REGENERATE =
  '# Generate it again after upgrading gcmpush, so new commands and flags are completed.';

export function joinNames(items: { name: string }[]): string {
  return items.map((item) => item.name).join(' ');
}
