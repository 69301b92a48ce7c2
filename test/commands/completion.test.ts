import { execFile, spawnSync } from 'node:child_process';
import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { Command, CommanderError, Option } from 'commander';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  generateCompletion,
  runCompletion,
  type CompletionSpec,
} from '../../src/commands/completion.js';
import { UsageError } from '../../src/errors.js';
import { declareCompletion, describeProgram, SHELL_NAMES } from '../../src/program/completion.js';
import type { CommandContext } from '../../src/program/context.js';
import { declareEmulator } from '../../src/program/emulator.js';
import { declareIds } from '../../src/program/ids.js';
import { declareKey } from '../../src/program/key.js';
import { declareSend } from '../../src/program/send.js';
import { runCli } from '../helpers/cli.js';
import { createTestIo, type TestIo } from '../helpers/io.js';

const execute = promisify(execFile);

/** A context whose `run` lets errors through, so tests see what src/cli.ts would print. */
function createContext(testIo: TestIo): CommandContext {
  return {
    run: async (task) => void (await task()),
    io: () => testIo.io,
    store: () => Promise.reject(new Error('completion must not open the config store')),
  };
}

/** The program as src/cli.ts builds it, with `completion` declared after the other commands. */
function buildProgram(testIo: TestIo = createTestIo()): Command {
  const program = new Command('gcmpush')
    .version('0.0.0')
    .option('--no-color', 'turn colour off')
    .exitOverride();
  const context = createContext(testIo);
  declareKey(program, context);
  declareIds(program, context);
  declareSend(program, context);
  declareEmulator(program, context);
  declareCompletion(program, context);
  return program;
}

/** The full program plus a command declared the way a later engineer would add one. */
function buildGrownProgram(): Command {
  const program = buildProgram();
  program
    .command('account')
    .description('manage the service account')
    .command('set <file>')
    .description('store a service account key file')
    .option('--protocol <protocol>', 'legacy or v1');
  return program;
}

describe('describeProgram', () => {
  const program = new Command('gcmpush').version('1.2.3').option('--no-color', 'turn colour off');
  program
    .command('send')
    .description('send a push')
    .option('--to <targets>', 'comma-separated targets')
    .option('--priority <priority>', 'high or normal')
    .option('--dry-run', 'validate only')
    .option('-q, --quiet', 'say less')
    .addOption(new Option('--secret <value>', 'internal').hideHelp())
    .addOption(new Option('--mode <mode>', 'how').choices(['fast', 'slow']));
  program.command('internal', { hidden: true }).description('not for users');
  const ids = program.command('ids').description('manage names');
  ids.command('rm <names...>').description('remove names');
  ids.command('rename <old> <new>').description('rename a name');
  program.command('inbox').option('--to <target>', 'one target');
  const spec = describeProgram(program);
  const command = (...names: string[]) =>
    names.reduce(
      (node, name) => node.subcommands.find((child) => child.name === name) ?? fail(name),
      spec.root,
    );
  const option = (long: string, ...names: string[]) =>
    command(...names).options.find((candidate) => candidate.long === long);

  it('lists declared commands, without hidden ones or the implicit help command', () => {
    expect(spec.root.subcommands.map((child) => child.name)).toEqual(['send', 'ids', 'inbox']);
    expect(command('ids').subcommands.map((child) => child.name)).toEqual(['rm', 'rename']);
    expect(command('send').description).toBe('send a push');
  });

  it('records which flags take a value, their short forms, and leaves hidden flags out', () => {
    expect(option('--dry-run', 'send')).toEqual({
      long: '--dry-run',
      description: 'validate only',
    });
    expect(option('--quiet', 'send')).toEqual({
      long: '--quiet',
      short: '-q',
      description: 'say less',
    });
    expect(option('--secret', 'send')).toBeUndefined();
    expect(option('--help', 'send')).toMatchObject({ short: '-h' });
  });

  it('takes value lists from the flag table, a command-path entry first, then from choices', () => {
    expect(option('--to', 'send')?.value).toEqual({ kind: 'name-list' });
    expect(option('--to', 'inbox')?.value).toEqual({ kind: 'names' });
    expect(option('--priority', 'send')?.value).toEqual({
      kind: 'words',
      words: ['high', 'normal'],
    });
    expect(option('--mode', 'send')?.value).toEqual({ kind: 'words', words: ['fast', 'slow'] });
  });

  it('completes stored names for the arguments the table names, and repeats a variadic one', () => {
    expect(command('ids', 'rm').arguments).toEqual([{ value: { kind: 'names' }, variadic: true }]);
    expect(command('ids', 'rename').arguments).toEqual([
      { value: { kind: 'names' }, variadic: false },
      { value: { kind: 'none' }, variadic: false },
    ]);
  });

  it('treats root flags other than --help and --version as accepted everywhere', () => {
    expect(spec.globalOptions.map((flag) => flag.long)).toEqual(['--no-color']);
    expect(spec.root.options.map((flag) => flag.long)).toEqual([
      '--version',
      '--no-color',
      '--help',
    ]);
  });

  it('completes the shells as the argument of completion', () => {
    const completion = describeProgram(buildProgram()).root.subcommands.find(
      (child) => child.name === 'completion',
    );
    expect(completion?.arguments[0]?.value).toEqual({ kind: 'words', words: [...SHELL_NAMES] });
  });
});

function fail(name: string): never {
  throw new Error(`no command ${name}`);
}

describe('the generators', () => {
  const spec: CompletionSpec = {
    root: {
      name: 'gcmpush',
      description: 'root',
      options: [{ long: '--no-color', description: 'no colour' }],
      arguments: [],
      subcommands: [
        {
          name: 'push',
          description: "push it, it's quick",
          options: [
            { long: '--to', description: 'targets', value: { kind: 'name-list' } },
            {
              long: '--level',
              description: 'a level',
              value: { kind: 'words', words: ['a', 'b'] },
            },
            { long: '--quiet', short: '-q', description: 'say less' },
          ],
          arguments: [{ value: { kind: 'files' }, variadic: true }],
          subcommands: [],
        },
      ],
    },
    globalOptions: [{ long: '--no-color', description: 'no colour' }],
  };

  it('writes a bash function with every command, flag and value list', () => {
    const script = generateCompletion('bash', spec);
    expect(script).toContain("_gcmpush_commands='push'");
    expect(script).toContain("_gcmpush_flags='--to --level --quiet --no-color'");
    expect(script).toContain("_gcmpush_value_flags='--to --level'");
    expect(script).toContain("'gcmpush push|--level') _gcmpush_kind=('words' 'a' 'b') ;;");
    expect(script).toContain("'gcmpush push|#0') _gcmpush_kind=('files') ;;");
    expect(script).toContain('_gcmpush_repeat=0');
    expect(script.trimEnd().endsWith('complete -F _gcmpush gcmpush')).toBe(true);
  });

  it('writes a zsh script with described commands and flags', () => {
    const script = generateCompletion('zsh', spec);
    expect(script.startsWith('#compdef gcmpush\n')).toBe(true);
    expect(script).toContain(`_gcmpush_commands=('push:push it, it'\\''s quick')`);
    expect(script).toContain("_gcmpush_flags=('--to:targets' '--level:a level' '--quiet:say less'");
    expect(script).toContain('compdef _gcmpush gcmpush');
  });

  it('writes fish complete lines guarded by the subcommand seen', () => {
    const script = generateCompletion('fish', spec);
    const seen = "-n '__fish_seen_subcommand_from push'";
    expect(script).toContain(
      "complete -c gcmpush -n '__fish_use_subcommand' -a 'push' -d 'push it, it\\'s quick'",
    );
    expect(script).toContain(`complete -c gcmpush ${seen} -l to -x -a '(__gcmpush_name_list)'`);
    expect(script).toContain(`complete -c gcmpush ${seen} -l level -x -a 'a b' -d 'a level'`);
    expect(script).toContain(`complete -c gcmpush ${seen} -s q -l quiet -d 'say less'`);
    expect(script).toContain("complete -c gcmpush -l no-color -d 'no colour'");
  });

  it.each([
    ['bash', 'gcmpush completion bash > ~/.local/share/bash-completion/completions/gcmpush'],
    ['bash', "echo 'source <(gcmpush completion bash)' >> ~/.bashrc"],
    ['zsh', 'fpath=(~/.zfunc $fpath) before compinit'],
    ['zsh', "echo 'source <(gcmpush completion zsh)' >> ~/.zshrc"],
    ['fish', 'gcmpush completion fish > ~/.config/fish/completions/gcmpush.fish'],
  ] as const)('says in the %s header how to install it: %s', (shell, line) => {
    const header = generateCompletion(shell, spec).split('\n\n')[0] ?? '';
    expect(header).toContain(line);
  });

  it('refuses an unknown shell with one line naming the shells, printing nothing', () => {
    const testIo = createTestIo();
    const attempt = () => runCompletion('tcsh', spec, testIo.io);
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow('unknown shell "tcsh"; choose one of bash, zsh, fish');
    expect(testIo.stdout()).toBe('');
  });
});

describe('gcmpush completion, declared on the program', () => {
  it('prints the script for the tree as it is when run, later commands included', async () => {
    const testIo = createTestIo();
    const program = buildProgram(testIo);
    program.command('late').description('declared after completion');
    await program.parseAsync(['completion', 'bash'], { from: 'user' });
    expect(testIo.stdout()).toBe(generateCompletion('bash', describeProgram(program)));
    expect(testIo.stdout()).toMatch(
      /_gcmpush_commands='key ids send emulator inbox completion late'/,
    );
  });

  it('fails with exit code 2 and a one-line message on an unknown shell', async () => {
    const testIo = createTestIo();
    const parse = buildProgram(testIo).parseAsync(['completion', 'tcsh'], { from: 'user' });
    const error = await parse.catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect(error).toMatchObject({ exitCode: 2, hint: undefined });
    expect((error as Error).message).toMatch(
      /^unknown shell "tcsh"; choose one of bash, zsh, fish$/,
    );
    expect(testIo.stdout() + testIo.stderr()).toBe('');
  });

  it('ends its help with examples', async () => {
    let help = '';
    const program = buildProgram().configureOutput({ writeOut: (text) => (help += text) });
    const completion = program.commands.find((child) => child.name() === 'completion');
    completion?.configureOutput({ writeOut: (text) => (help += text) });
    const parse = program.parseAsync(['completion', '--help'], { from: 'user' });
    await expect(parse).rejects.toBeInstanceOf(CommanderError);
    expect(help).toMatch(/Examples:\n {2}gcmpush completion bash > [^\n]+\n[\s\S]*\.fish\n$/);
  });
});

/** Files and a fake `gcmpush` on PATH that real shells complete against. */
let work: string;
let env: NodeJS.ProcessEnv;
const scripts = {} as Record<(typeof SHELL_NAMES)[number], string>;

beforeAll(() => {
  const root = mkdtempSync(path.join(tmpdir(), 'gcmpush-completion-'));
  const bin = path.join(root, 'bin');
  work = path.join(root, 'work');
  mkdirSync(bin);
  mkdirSync(path.join(work, 'reports'), { recursive: true });
  for (const file of ['devices.json', 'data.json', 'notes.txt'])
    writeFileSync(path.join(work, file), '');
  // The real `ids list` prints NAME<TAB>ID to a pipe; the note on stderr must be discarded.
  const fake = `#!/bin/sh
if [ "$1 $2" = "ids list" ]; then
  printf 'phone1\\tID1\\nphone2\\tID2\\n'
  echo 'a note on stderr' >&2
  exit 0
fi
echo "fake gcmpush: unexpected arguments: $*" >&2
exit 2
`;
  writeFileSync(path.join(bin, 'gcmpush'), fake);
  chmodSync(path.join(bin, 'gcmpush'), 0o755);
  env = { PATH: `${bin}:${process.env.PATH}`, HOME: root, XDG_CONFIG_HOME: root, TERM: 'dumb' };
  const spec = describeProgram(buildGrownProgram());
  for (const shell of SHELL_NAMES) {
    scripts[shell] = path.join(root, `completion.${shell}`);
    writeFileSync(scripts[shell], generateCompletion(shell, spec));
  }
});

function hasShell(name: string): boolean {
  return spawnSync('sh', ['-c', `command -v ${name}`]).status === 0;
}

/** Each case: the command line up to the cursor, and exactly what should be offered. */
const CASES: [line: string, expected: string[]][] = [
  ['gcmpush se', ['send']],
  ['gcmpush --no-color ids r', ['rename', 'rm']],
  ['gcmpush send --to ', ['phone1', 'phone2']],
  ['gcmpush send --to phone1,ph', ['phone1,phone1', 'phone1,phone2']],
  ['gcmpush inbox --to p', ['phone1', 'phone2']],
  ['gcmpush ids rm ph', ['phone1', 'phone2']],
  ['gcmpush ids rm phone1 ', ['phone1', 'phone2']],
  ['gcmpush ids rename ', ['phone1', 'phone2']],
  ['gcmpush send --priority ', ['high', 'normal']],
  ['gcmpush send --title ids --js', ['--json']],
  ['gcmpush emulator --devices d', ['data.json', 'devices.json']],
  ['gcmpush send --to-file n', ['notes.txt']],
  ['gcmpush send --data @d', ['@data.json', '@devices.json']],
  ['gcmpush completion ', ['bash', 'fish', 'zsh']],
  ['gcmpush account set --protocol ', ['legacy', 'v1']],
  ['gcmpush account set d', ['data.json', 'devices.json']],
];

/** Flags are checked apart: other engineers add send flags, and these must follow them. */
function sendFlagsStartingWith(prefix: string): string[] {
  const send = describeProgram(buildGrownProgram()).root.subcommands.find(
    (child) => child.name === 'send',
  );
  const flags = [...(send?.options ?? []), { long: '--no-color' }].map((flag) => flag.long ?? '');
  return flags.filter((flag) => flag.startsWith(prefix)).sort();
}

function sorted(lines: string[]): string[] {
  return [...new Set(lines.filter((line) => line !== ''))].sort();
}

describe('in a real bash', () => {
  /** Sets COMP_WORDS the way bash splits the line (at "=" too) and prints COMPREPLY. */
  async function completeBash(words: string[], script = scripts.bash): Promise<string[]> {
    const driver =
      'source "$0"; COMP_WORDS=("$@"); COMP_CWORD=$(( $# - 1 )); _gcmpush; ' +
      'printf "%s\\n" "${COMPREPLY[@]}"';
    const { stdout, stderr } = await execute(
      'bash',
      ['--norc', '--noprofile', '-c', driver, script, ...words],
      { cwd: work, env, timeout: 10_000 },
    );
    expect(stderr).toBe('');
    return sorted(stdout.split('\n'));
  }

  const words = (line: string) => line.split(' ');

  it.each(CASES)('completes "%s"', async (line, expected) => {
    expect(await completeBash(words(line))).toEqual(expected);
  });

  it('offers nothing for free text, nor for a second argument it has no list for', async () => {
    expect(await completeBash(words('gcmpush send --title '))).toEqual([]);
    expect(await completeBash(words('gcmpush ids rename phone1 '))).toEqual([]);
  });

  it('completes the value of --to=, which bash splits into three words', async () => {
    expect(await completeBash(['gcmpush', 'send', '--to', '=', 'ph'])).toEqual([
      'phone1',
      'phone2',
    ]);
    expect(await completeBash(['gcmpush', 'send', '--to', '='])).toEqual(['phone1', 'phone2']);
  });

  it('completes flags of send from the live tree', async () => {
    expect(await completeBash(words('gcmpush send --pr'))).toEqual(sendFlagsStartingWith('--pr'));
    expect(await completeBash(words('gcmpush send --'))).toContain('--no-color');
  });

  it('completes every declared command and nothing else after gcmpush', async () => {
    const names = buildGrownProgram().commands.map((child) => child.name());
    expect(await completeBash(['gcmpush', ''])).toEqual([...names].sort());
  });
});

/** Loaded into the interactive zsh: records every match offered, after any ignored prefix. */
const ZSH_PROBE = `
compadd() {
  local -a hits
  builtin compadd -O hits "$@"
  print -rl -- "\${(@)hits/#/$IPREFIX}" >> $PROBE_OUT
  builtin compadd "$@"
}
probe() {
  zle complete-word
  print -r -- '<<done>>' >> $PROBE_OUT
  zle kill-whole-line
}
zle -N probe
bindkey '^T' probe
`;

/** Types each line, then Ctrl-T, into an interactive zsh on a pty; prints what was offered. */
const ZSH_DRIVER = `
zmodload zsh/zpty
script=$1 probe=$2
shift 2
zpty shell zsh -f -i
zpty -w shell "PROMPT=''; autoload -Uz compinit && compinit -u -D"
zpty -w shell "source \${(q)script}; source \${(q)probe}"
for line in "$@"; do
  : > $PROBE_OUT
  zpty -w -n shell "$line"$'\\x14'
  for (( tries = 0; tries < 200; tries++ )); do
    grep -q '<<done>>' $PROBE_OUT && break
    sleep 0.05
  done
  print -r -- "== $line"
  grep -v '<<done>>' $PROBE_OUT
done
zpty -d shell
`;

/** Splits `== LINE` sections into the sorted matches offered for each line. */
function readSections(output: string): Map<string, string[]> {
  const sections = new Map<string, string[]>();
  for (const block of output.split(/^== /m).slice(1)) {
    const [line = '', ...matches] = block.split('\n');
    sections.set(line, sorted(matches.map((match) => match.split('\t')[0] ?? '')));
  }
  return sections;
}

const lines = [...CASES.map(([line]) => line), 'gcmpush send --pr', 'gcmpush send --to=ph'];

describe.skipIf(!hasShell('zsh'))(
  `in a real zsh${hasShell('zsh') ? '' : ' (skipped: zsh is not installed)'}`,
  () => {
    let offered: Map<string, string[]>;

    beforeAll(async () => {
      const folder = path.join(work, '..');
      const [driver, probe] = [path.join(folder, 'driver.zsh'), path.join(folder, 'probe.zsh')];
      writeFileSync(driver, ZSH_DRIVER);
      writeFileSync(probe, ZSH_PROBE);
      const probeEnv = { ...env, PROBE_OUT: path.join(folder, 'zsh-matches.txt') };
      const args = ['-f', driver, scripts.zsh, probe, ...lines];
      const { stdout } = await execute('zsh', args, { cwd: work, env: probeEnv, timeout: 60_000 });
      offered = readSections(stdout);
    }, 60_000);

    it.each(CASES)('completes "%s"', (line, expected) => {
      expect(offered.get(line)).toEqual(expected);
    });

    it('completes flags of send from the live tree, and the value after --to=', () => {
      expect(offered.get('gcmpush send --pr')).toEqual(sendFlagsStartingWith('--pr'));
      expect(offered.get('gcmpush send --to=ph')).toEqual(['--to=phone1', '--to=phone2']);
    });
  },
);

describe.skipIf(!hasShell('fish'))(
  `in a real fish${hasShell('fish') ? '' : ' (skipped: fish is not installed)'}`,
  () => {
    let offered: Map<string, string[]>;

    beforeAll(async () => {
      const driver =
        'source $argv[1]; for line in $argv[2..]; echo "== $line"; complete -C $line; end';
      const args = ['--no-config', '-c', driver, scripts.fish, ...lines];
      const { stdout } = await execute('fish', args, { cwd: work, env, timeout: 30_000 });
      offered = readSections(stdout);
    }, 30_000);

    it.each(CASES)('completes "%s"', (line, expected) => {
      expect(offered.get(line)).toEqual(expected);
    });

    it('completes flags of send from the live tree, and the value after --to=', () => {
      expect(offered.get('gcmpush send --pr')).toEqual(sendFlagsStartingWith('--pr'));
      expect(offered.get('gcmpush send --to=ph')).toEqual(['--to=phone1', '--to=phone2']);
    });
  },
);

describe('the built CLI', () => {
  it('prints a bash script that completes stored names', async () => {
    const run = await runCli(['completion', 'bash']);
    expect(run).toMatchObject({ code: 0, stderr: '' });
    const script = path.join(work, '..', 'from-cli.bash');
    writeFileSync(script, run.stdout);
    const driver =
      'source "$0"; COMP_WORDS=(gcmpush ids rm ph); COMP_CWORD=3; _gcmpush; ' +
      'printf "%s\\n" "${COMPREPLY[@]}"';
    const { stdout } = await execute('bash', ['--norc', '--noprofile', '-c', driver, script], {
      cwd: work,
      env,
      timeout: 10_000,
    });
    expect(sorted(stdout.split('\n'))).toEqual(['phone1', 'phone2']);
  });

  it('exits 2 on an unknown shell with one line on stderr and nothing on stdout', async () => {
    const run = await runCli(['completion', 'tcsh']);
    expect(run).toMatchObject({ code: 2, stdout: '' });
    expect(run.stderr).toBe('gcmpush: unknown shell "tcsh"; choose one of bash, zsh, fish\n');
  });
});
