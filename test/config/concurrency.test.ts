/**
 * Many gcmpush processes changing one config at once, run as child processes of the built CLI
 * (`npm run build` first; `npm test` does it).
 */
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli } from '../helpers/cli.js';

const PROBE = fileURLToPath(new URL('../helpers/lock-library-probe.cjs', import.meta.url));
const PROCESSES = 20;

let configDir: string;

beforeEach(() => {
  // A folder that does not exist yet: the first writer creates it while the others race it.
  configDir = path.join(mkdtempSync(path.join(tmpdir(), 'gcmpush-concurrency-')), 'config');
});

describe('gcmpush processes that change the config at once', () => {
  it(`keep all ${PROCESSES} names added at the same moment`, { timeout: 60_000 }, async () => {
    const env = { GCMPUSH_CONFIG_DIR: configDir };
    const names = Array.from({ length: PROCESSES }, (_, index) => `name${index}`);
    const runs = await Promise.all(
      names.map((name) => runCli(['ids', 'add', name, `${name}:id`], { env, timeoutMs: 45_000 })),
    );
    expect(runs.map((run) => run.code)).toEqual(names.map(() => 0));
    const list = await runCli(['ids', 'list', '--json'], { env });
    const stored = (JSON.parse(list.stdout) as { name: string }[]).map((entry) => entry.name);
    expect(stored.sort()).toEqual([...names].sort());
    expect(statSync(path.join(configDir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
    // No lock folder and no half-written temporary file is left behind.
    expect(readdirSync(configDir)).toEqual(['config.json']);
  });
});

describe('the lock library', () => {
  const probeEnv = () => ({ GCMPUSH_CONFIG_DIR: configDir, NODE_OPTIONS: `--require ${PROBE}` });

  it('is loaded by a command that writes the config', async () => {
    const run = await runCli(['ids', 'add', 'phone', 'a:1'], { env: probeEnv() });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('lock library loaded: true');
  });

  it.each([
    ['ids', 'list'],
    ['key', 'show'],
  ])('is not loaded by `%s %s`, which only reads', async (...args) => {
    await runCli(['ids', 'add', 'phone', 'a:1'], { env: { GCMPUSH_CONFIG_DIR: configDir } });
    const run = await runCli(args, { env: { ...probeEnv(), GCMPUSH_API_KEY: 'AIzaTestKey1234' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('lock library loaded: false');
  });
});
