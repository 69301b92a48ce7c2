/**
 * Bad or odd input at the edges: a payload file far too big, a device that never ends, a target
 * file of a million lines in every line-ending style, and control characters where names and
 * IDs go. Each is refused with exit 2 and nothing sent, or read exactly.
 */
import { closeSync, existsSync, mkdtempSync, openSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { openTargets, toSendFlags } from '../../src/commands/send-input.js';
import { checkTargets, streamRecipients } from '../../src/engine/targets.js';
import { runCli } from '../helpers/cli.js';
import { createTestIo } from '../helpers/io.js';

function tempDir(): string {
  return mkdtempSync(path.join(tmpdir(), 'gcmpush-edges-'));
}

describe('payload files', () => {
  it('refuses a 100 MB --data file from its size, without reading it', async () => {
    const file = path.join(tempDir(), 'huge.json');
    // Sparse: 100 MB long without 100 MB on disk, so only a stat can tell its size cheaply.
    const fd = openSync(file, 'w');
    closeSync(fd);
    const { truncateSync } = await import('node:fs');
    truncateSync(file, 100 * 1024 * 1024);

    const run = await runCli(['send', '--emulator', '--to', 'phone', '--data', `@${file}`]);

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toBe(
      `gcmpush: --data file ${file} is 104857600 bytes; a push payload is at most 4096 bytes\n`,
    );
  });

  it('stops reading a device that never ends, such as /dev/zero', async () => {
    const run = await runCli(['send', '--emulator', '--to', 'phone', '--data', '@/dev/zero']);

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^gcmpush: --data file \/dev\/zero is larger than \d+ bytes\n$/);
  });

  it('stops reading standard input past the same bound', async () => {
    const run = await runCli(['send', '--emulator', '--to', 'phone', '--data', '-'], {
      input: `{"a":"${'x'.repeat(2 * 1024 * 1024)}"}`,
    });

    expect(run.code).toBe(2);
    expect(run.stderr).toMatch(/^gcmpush: --data - is larger than \d+ bytes\n$/);
  });
});

describe('a --to-file of a million lines', () => {
  it('is read exactly: BOM, CRLF, blank lines and comments included', async () => {
    const count = 1_000_000;
    const id = (index: number) => `${String(index).padStart(11, '0')}:APA91b-edge`;
    const lines: string[] = [];
    for (let index = 0; index < count; index++) {
      lines.push(id(index));
      if (index % 1000 === 0) lines.push('', '   ', '# a comment');
    }
    const file = path.join(tempDir(), 'million.txt');
    writeFileSync(file, `\uFEFF${lines.join('\r\n')}\r\n`);
    const flags = toSendFlags({ toFile: file });
    const source = await openTargets(flags, createTestIo().io, {});

    const scan = await checkTargets(source.read(), {});
    let seen = 0;
    let outOfOrder = 0;
    let first: string | undefined;
    let last: string | undefined;
    for await (const recipient of streamRecipients(source.read(), {})) {
      first ??= recipient.registrationId;
      last = recipient.registrationId;
      if (recipient.index !== seen) outOfOrder++;
      seen++;
    }

    expect(scan).toEqual({ count, toTopic: false });
    expect(seen).toBe(count);
    expect(outOfOrder).toBe(0);
    expect(first).toBe(id(0));
    expect(last).toBe(id(count - 1));
  }, 60_000);
});

describe('control characters', () => {
  it.each([
    ['a name with a newline', ['ids', 'add', 'ph\none', 'abc:def']],
    ['a name with a bell', ['ids', 'add', 'ph\u0007one', 'abc:def']],
    ['an ID with a bell', ['ids', 'add', 'phone', 'abc:\u0007def']],
    ['an ID with a tab', ['ids', 'add', 'phone', 'abc:\tdef']],
    ['an ID with an escape sequence', ['ids', 'add', 'phone', 'abc:\u001b[31mdef']],
  ])('refuses %s at ids add and writes no config', async (_what, args) => {
    const dir = path.join(tempDir(), 'config');

    const run = await runCli(args, { env: { GCMPUSH_CONFIG_DIR: dir } });

    expect(run.code).toBe(2);
    expect(run.stderr.split('\n')[0]).toMatch(/^gcmpush: (invalid name|the registration ID)/);
    expect(existsSync(path.join(dir, 'config.json'))).toBe(false);
  });
});
