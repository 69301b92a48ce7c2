/**
 * `gcmpush completion bash|zsh|fish`: shell completion scripts generated from a small model of
 * the command tree, so every command and flag declared anywhere is completed without edits here.
 * The scripts hold the tree as static data and run only `gcmpush ids list` at completion time.
 */
import { UsageError } from '../errors.js';
import type { Io } from '../output/streams.js';
import type { Shell } from '../program/completion.js';
import { generateBash } from '../completion/bash.js';
import { generateFish } from '../completion/fish.js';
import type { CompletionSpec } from '../completion/model.js';
import { generateZsh } from '../completion/zsh.js';

export type {
  CompletionArgument,
  CompletionCommand,
  CompletionOption,
  CompletionSpec,
  ValueCompletion,
} from '../completion/model.js';

/** Prints the completion script for `shell`, or refuses a shell it has no generator for. */
export function runCompletion(shell: string, spec: CompletionSpec, io: Io): void {
  if (!isShell(shell)) {
    const known = Object.keys(GENERATORS).join(', ');
    throw new UsageError(`unknown shell ${JSON.stringify(shell)}; choose one of ${known}`);
  }
  io.out(generateCompletion(shell, spec));
}

function isShell(name: string): name is Shell {
  return Object.hasOwn(GENERATORS, name);
}

/** The completion script for one shell: no blank line first (zsh reads `#compdef` there). */
export function generateCompletion(shell: Shell, spec: CompletionSpec): string {
  return `${GENERATORS[shell](spec).trim()}\n`;
}

/** One generator per shell that `gcmpush completion` accepts; a gap fails the typecheck. */
const GENERATORS = {
  bash: generateBash,
  zsh: generateZsh,
  fish: generateFish,
} satisfies Record<Shell, (spec: CompletionSpec) => string>;
