/**
 * `--help` and `ids list` are answered before commander loads. These runs of the built CLI
 * check that the short way prints exactly what commander's way prints: `--no-color` in front
 * of the command sends it through commander, and changes nothing in what these commands print.
 */
import { chmodSync, mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const PRERENDERED = fileURLToPath(new URL('../dist/help.txt', import.meta.url));

function configDir(config?: string | object): string {
  const dir = mkdtempSync(path.join(tmpdir(), 'gcmpush-fast-'));
  if (config !== undefined) {
    const text = typeof config === 'string' ? config : JSON.stringify(config);
    writeFileSync(path.join(dir, 'config.json'), text, { mode: 0o600 });
  }
  return dir;
}

/** The short way and commander's way, with the same environment. */
async function bothWays(args: string[], env: NodeJS.ProcessEnv = {}) {
  const fast = await runCli(args, { env });
  const full = await runCli(['--no-color', ...args], { env });
  return { fast, full };
}

describe('gcmpush --help', () => {
  it('prints the prerendered text, byte for byte what commander prints', async () => {
    const { fast, full } = await bothWays(['--help']);
    expect(fast.code).toBe(0);
    expect(full.code).toBe(0);
    expect(fast.stdout).toContain('Usage: gcmpush');
    expect(fast.stdout).toBe(full.stdout);
    expect(fast.stderr).toBe(full.stderr);
    // The text printed is the build's file, so this is the short way and not commander again.
    expect(fast.stdout).toBe(readFileSync(PRERENDERED, 'utf8'));
  });

  it('answers -h the same way', async () => {
    const short = await runCli(['-h']);
    const full = await runCli(['--no-color', '--help']);
    expect(short.code).toBe(0);
    expect(short.stdout).toBe(full.stdout);
  });
});

describe('gcmpush ids list', () => {
  const stored = {
    ids: {
      tablet: 'tablet-token:APA91b-0123456789',
      phone10: 'phone10-token:APA91b-0123456789',
      phone2: 'phone2-token:APA91b-0123456789',
      'Pixel.8': 'pixel-token:APA91b-0123456789',
      alpha_1: 'alpha-token:APA91b-0123456789',
    },
    api_key: 'AIzaSyDoNotPrintThisKey000000000000000',
  };

  for (const args of [
    ['ids', 'list'],
    ['ids', 'list', '--json'],
  ]) {
    it(`${args.join(' ')} prints what commander's way prints`, async () => {
      const env = { GCMPUSH_CONFIG_DIR: configDir(stored) };
      const { fast, full } = await bothWays(args, env);
      expect(fast.code).toBe(0);
      expect(fast.stdout).toContain('phone10');
      expect(fast.stdout).not.toContain('DoNotPrint');
      expect(fast.stdout).toBe(full.stdout);
      expect(fast.stderr).toBe(full.stderr);
    });
  }

  it('sorts plain names as the locale does, under English and other locales', async () => {
    const ids = Object.fromEntries(
      ['b2', 'a10', 'a9', 'z', 'aa', '0x', 'y1', 'i1'].map((name) => [name, `${name}:APA91b`]),
    );
    const dir = configDir({ ids });
    const locales = { 'C.UTF-8': 'en-US', 'en_US.UTF-8': 'en-US', 'da_DK.UTF-8': 'da-DK' };
    for (const [LANG, locale] of Object.entries(locales)) {
      const run = await runCli(['ids', 'list', '--json'], {
        env: { GCMPUSH_CONFIG_DIR: dir, LANG },
      });
      const names = (JSON.parse(run.stdout) as Array<{ name: string }>).map((entry) => entry.name);
      expect(names).toEqual(Object.keys(ids).sort(new Intl.Collator(locale).compare));
    }
    // Danish sorts "aa" after "z": the locale's own rules were used, not the codes' order.
    const danish = await runCli(['ids', 'list'], {
      env: { GCMPUSH_CONFIG_DIR: dir, LANG: 'da_DK.UTF-8' },
    });
    expect(danish.stdout.indexOf('\naa\t')).toBeGreaterThan(danish.stdout.indexOf('\nz\t'));
  });

  it('says the same when nothing is stored', async () => {
    const env = { GCMPUSH_CONFIG_DIR: configDir() };
    const { fast, full } = await bothWays(['ids', 'list'], env);
    expect(fast.code).toBe(0);
    expect(fast.stdout).toBe('');
    expect(fast.stderr).toContain('No registration IDs stored');
    expect(fast.stderr).toBe(full.stderr);
  });

  const broken: Array<[string, () => string]> = [
    ['a config that is not JSON', () => configDir('{"ids": {"phone": ')],
    ['a config that is not an object', () => configDir('[1, 2]')],
    ['an "ids" entry that is not an object', () => configDir({ ids: ['phone'] })],
    [
      'a config file that is a folder',
      () => {
        const dir = configDir();
        mkdirSync(path.join(dir, 'config.json'));
        return dir;
      },
    ],
  ];
  for (const [what, make] of broken) {
    it(`fails the same way on ${what}`, async () => {
      const env = { GCMPUSH_CONFIG_DIR: make() };
      const { fast, full } = await bothWays(['ids', 'list', '--json'], env);
      expect(fast.code).toBe(full.code);
      expect(fast.code).not.toBe(0);
      expect(fast.stdout).toBe('');
      expect(fast.stderr).toMatch(/^gcmpush: .*config/);
      expect(fast.stderr).not.toMatch(/^\s+at /m);
      expect(fast.stderr).toBe(full.stderr);
    });
  }

  it.skipIf(process.getuid?.() === 0)('fails the same way on an unreadable config', async () => {
    const dir = configDir(stored);
    chmodSync(path.join(dir, 'config.json'), 0o000);
    const { fast, full } = await bothWays(['ids', 'list'], { GCMPUSH_CONFIG_DIR: dir });
    expect(fast.code).not.toBe(0);
    expect(fast.stderr).toContain('cannot read config file');
    expect(fast.stderr).toBe(full.stderr);
  });

  it('leaves other flags to commander', async () => {
    const env = { GCMPUSH_CONFIG_DIR: configDir(stored) };
    const run = await runCli(['ids', 'list', '--jsn'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("unknown option '--jsn'");
  });
});
