/**
 * The built CLI under a real pseudo-terminal (util-linux `script`), stderr on the terminal and
 * stdout in a file: the bar shows where a person would see it and never reaches the results.
 */
import { spawn, spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { beforeEach, describe, expect, it } from 'vitest';
import { BIN } from '../helpers/cli.js';

const HAS_SCRIPT = spawnSync('script', ['--version']).status === 0;
const IDS = Array.from({ length: 1500 }, (_, index) => `raw:${String(index).padStart(70, '0')}`);
const BAR = /[█░]{20} \d+\/1500 {2}sent \d+/;

let dir: string;

beforeEach(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'gcmpush-pty-'));
  writeFileSync(path.join(dir, 'ids.txt'), `${IDS.join('\n')}\n`);
});

/** Runs `gcmpush send ...` in a terminal with stdout sent to `file`; returns what the terminal got. */
function sendInTerminal(
  flags: string,
  file: string,
): Promise<{ code: number | null; screen: string }> {
  const command =
    `${JSON.stringify(process.execPath)} ${JSON.stringify(BIN)} send --emulator ` +
    `--to-file ids.txt --data '{"a":"1"}' ${flags} > ${file}`;
  const env = {
    PATH: process.env.PATH,
    HOME: dir,
    GCMPUSH_CONFIG_DIR: path.join(dir, 'config'),
    GCMPUSH_DATA_DIR: path.join(dir, 'data'),
  };
  const child = spawn('script', ['-qfec', command, '/dev/null'], {
    cwd: dir,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.on('data', (chunk: Buffer) => (screen += chunk.toString()));
  const timer = setTimeout(() => child.kill('SIGKILL'), 15_000);
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, screen });
    });
  });
}

describe.skipIf(!HAS_SCRIPT)('the progress bar on a real terminal', () => {
  it('shows on the terminal, is cleared before the summary, and stays out of the rows', async () => {
    const { code, screen } = await sendInTerminal('', 'rows.txt');
    expect(code).toBe(0);
    expect(screen).toMatch(BAR);
    const cleared = screen.lastIndexOf('\u001b[2K');
    expect(cleared).toBeGreaterThan(screen.search(/[█░]+ 1500\/1500/));
    expect(screen.indexOf('1500 recipients, 1500 ok, 0 failed')).toBeGreaterThan(cleared);
    const rows = readFileSync(path.join(dir, 'rows.txt'), 'utf8');
    expect(rows.split('\n').filter((line) => line !== '')).toHaveLength(1500);
    expect(rows).not.toContain('\u001b');
  });

  it('with --json leaves the terminal bare and stdout exactly one JSON document', async () => {
    const { code, screen } = await sendInTerminal('--json', 'doc.json');
    expect(code).toBe(0);
    expect(screen).not.toMatch(/[█░]/);
    expect(screen).not.toContain('\u001b');
    const document = JSON.parse(readFileSync(path.join(dir, 'doc.json'), 'utf8'));
    expect(document).toMatchObject({ ok: true, success: 1500, failure: 0 });
  });
});
