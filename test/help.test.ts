/**
 * The built CLI's `--help`, for every command it lists: each ends with a few examples, and the
 * top-level help documents the exit codes and every environment variable the code reads. The
 * commands come from the help itself, so a command added later is checked without a change here.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const SRC = fileURLToPath(new URL('../src', import.meta.url));

/** An example line: optional `NAME=value` assignments, then a gcmpush command. */
const EXAMPLE = /^ {2}(?:[A-Z_][A-Z0-9_]*=\S+ )*gcmpush \S/;

/**
 * Variables the code reads that the help leaves out on purpose: the platforms' own folder
 * variables only move the default folders the help already names, and FORCE_COLOR is the
 * colour libraries' convention, kept so tests can see colour.
 */
const UNLISTED = new Set([
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'APPDATA',
  'LOCALAPPDATA',
  'FORCE_COLOR',
]);

interface CommandHelp {
  path: string[];
  text: string;
}

async function readHelp(commandPath: string[]): Promise<string> {
  const run = await runCli([...commandPath, '--help']);
  if (run.code !== 0) throw new Error(`gcmpush ${commandPath.join(' ')} --help: ${run.stderr}`);
  return run.stdout;
}

/** The names in a help's `Commands:` block; wrapped descriptions are indented deeper. */
function listSubcommands(help: string): string[] {
  const block = /^Commands:\n((?: {2}.*\n?)*)/m.exec(help)?.[1] ?? '';
  return [...block.matchAll(/^ {2}(\S+)/gm)]
    .map((match) => match[1] ?? '')
    .filter((name) => name !== 'help');
}

async function walkHelp(commandPath: string[]): Promise<CommandHelp[]> {
  const text = await readHelp(commandPath);
  const children = await Promise.all(
    listSubcommands(text).map((name) => walkHelp([...commandPath, name])),
  );
  return [{ path: commandPath, text }, ...children.flat()];
}

/** The lines after the last `Examples:` heading, which must end the help. */
function readExamples(help: string): string[] | undefined {
  const lines = help.trimEnd().split('\n');
  const heading = lines.lastIndexOf('Examples:');
  return heading === -1 ? undefined : lines.slice(heading + 1);
}

/** Every environment variable src/ reads: `env.NAME`, `env[NAME_CONSTANT]`, `(env, 'NAME')`. */
function listVariablesRead(): string[] {
  const sources = readdirSync(SRC, { recursive: true, encoding: 'utf8' })
    .filter((file) => file.endsWith('.ts'))
    .map((file) => readFileSync(path.join(SRC, file), 'utf8'));
  const all = sources.join('\n');
  const constants = new Map(
    [...all.matchAll(/\bconst ([A-Z][A-Z0-9_]*) = '([A-Za-z_][A-Za-z0-9_]*)'/g)].map((match) => [
      match[1],
      match[2],
    ]),
  );
  const names = new Set<string>();
  for (const match of all.matchAll(/\benv\.([A-Za-z_][A-Za-z0-9_]*)/g)) names.add(match[1] ?? '');
  for (const match of all.matchAll(/\benv\[([A-Z][A-Z0-9_]*)\]/g)) {
    const value = constants.get(match[1] ?? '');
    if (value) names.add(value);
  }
  // Helpers handed the environment and the names to look up, as the proxy settings are.
  for (const call of all.matchAll(/\(\s*env\s*,([^)]*)\)/g)) {
    for (const literal of (call[1] ?? '').matchAll(/'([A-Za-z_][A-Za-z0-9_]*)'/g))
      names.add(literal[1] ?? '');
  }
  // `https_proxy` and `HTTPS_PROXY` are one setting to document.
  return [...new Set([...names].map((name) => name.toUpperCase()))].sort();
}

const tree = await walkHelp([]);
const topLevel = tree[0]?.text ?? '';
const commands = tree.slice(1).map(({ path: commandPath, text }) => [commandPath.join(' '), text]);

describe('gcmpush --help for each command', () => {
  it('reaches every command through the help', () => {
    const names = commands.map(([name]) => name);
    for (const known of ['key', 'key set', 'ids rename', 'account rm', 'send', 'history show'])
      expect(names).toContain(known);
  });

  it.each(commands)('gcmpush %s --help ends with two or three examples', (name, text) => {
    const examples = readExamples(text);
    expect(examples, 'no Examples: block').toBeDefined();
    expect(examples?.filter((line) => !EXAMPLE.test(line))).toEqual([]);
    const count = examples?.length ?? 0;
    expect(count).toBeGreaterThanOrEqual(2);
    expect(count).toBeLessThanOrEqual(3);
  });
});

describe('gcmpush --help', () => {
  it('lists every exit code', () => {
    const block = /^Exit codes:\n((?: {2}.*\n)*)/m.exec(topLevel)?.[1] ?? '';
    const codes = [...block.matchAll(/^ {2}(\d+) /gm)].map((match) => Number(match[1]));
    expect(codes).toEqual([0, 1, 2, 3, 4, 130]);
  });

  it('lists every environment variable the code reads', () => {
    const listed = topLevel.slice(topLevel.indexOf('\nEnvironment:\n')).toUpperCase();
    const read = listVariablesRead();
    expect(read).toContain('GCMPUSH_API_KEY');
    const missing = read.filter(
      (name) => !UNLISTED.has(name) && !new RegExp(`\\b${name}\\b`).test(listed),
    );
    expect(missing).toEqual([]);
  });
});
