import { spawn } from 'node:child_process';
import {
  chmodSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { build } from 'esbuild';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  appendHistory,
  findRecord,
  historyEnabled,
  readHistory,
  shortenSendIds,
} from '../../src/history/log.js';
import type { HistoryRecord } from '../../src/history/record.js';
import { buildHistoryRecord } from '../../src/history/record.js';
import { recordSends, sampleInput, tempDataDir } from './helpers.js';

const posix = process.platform !== 'win32';
const ids = (records: HistoryRecord[]) => records.map((record) => record.send_id);
const sendId = (n: number) => `0193a5f2-7c1e-7abc-8def-${String(n).padStart(12, '0')}`;

describe('appendHistory', () => {
  it.runIf(posix)('creates the folder 0700 and the log 0600', () => {
    const dir = tempDataDir();
    recordSends(dir, [{}]);
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'history.jsonl')).mode & 0o777).toBe(0o600);
  });

  it.runIf(posix)('tightens a log left readable by others to 0600', () => {
    const dir = tempDataDir();
    mkdirSync(dir, { mode: 0o700 });
    writeFileSync(path.join(dir, 'history.jsonl'), '', { mode: 0o644 });
    chmodSync(path.join(dir, 'history.jsonl'), 0o644);
    recordSends(dir, [{}]);
    expect(statSync(path.join(dir, 'history.jsonl')).mode & 0o777).toBe(0o600);
  });

  it('writes one JSON line per send and reads them back newest first', () => {
    const dir = tempDataDir();
    const written = recordSends(
      dir,
      [1, 2, 3].map((n) => ({ sendId: sendId(n) })),
    );
    const lines = readFileSync(path.join(dir, 'history.jsonl'), 'utf8').split('\n');
    expect(lines).toHaveLength(4);
    expect(lines[3]).toBe('');
    expect(JSON.parse(lines[0] as string)).toEqual(written[0]);
    const history = readHistory({ GCMPUSH_DATA_DIR: dir });
    expect(ids(history.records)).toEqual([sendId(3), sendId(2), sendId(1)]);
    expect(history).toMatchObject({ skipped: 0, dir });
  });

  it('returns a one-line warning instead of throwing when the folder cannot be made', () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'gcmpush-history-'));
    writeFileSync(path.join(parent, 'file'), '');
    const dir = path.join(parent, 'file', 'data');
    const warning = appendHistory(buildHistoryRecord(sampleInput()), { GCMPUSH_DATA_DIR: dir });
    expect(warning).toMatch(/^warning: send 0193a5f2-.* was not recorded in the history in /);
    expect(warning).toContain('GCMPUSH_NO_HISTORY=1');
    expect(warning).not.toContain('\n');
  });
});

describe('rotation', () => {
  const lineBytes = Buffer.byteLength(`${JSON.stringify(buildHistoryRecord(sampleInput()))}\n`);

  function appendAll(dir: string, count: number, maxBytes: number) {
    for (let n = 1; n <= count; n++) {
      const record = buildHistoryRecord(sampleInput({ sendId: sendId(n) }));
      expect(appendHistory(record, { GCMPUSH_DATA_DIR: dir }, maxBytes)).toBeUndefined();
    }
  }

  it('moves a full log to history.1.jsonl and keeps the newest two generations', () => {
    const dir = tempDataDir();
    appendAll(dir, 10, lineBytes * 3);
    const rotated = readFileSync(path.join(dir, 'history.1.jsonl'), 'utf8');
    const current = readFileSync(path.join(dir, 'history.jsonl'), 'utf8');
    expect(rotated.split('\n').filter(Boolean)).toHaveLength(3);
    expect(current.split('\n').filter(Boolean)).toHaveLength(1);
    expect(ids(readHistory({ GCMPUSH_DATA_DIR: dir }).records)).toEqual([10, 9, 8, 7].map(sendId));
    if (posix) expect(statSync(path.join(dir, 'history.1.jsonl')).mode & 0o777).toBe(0o600);
  });

  it('writes a record larger than the bound into a log of its own', () => {
    const dir = tempDataDir();
    appendAll(dir, 3, Math.floor(lineBytes / 2));
    const current = readFileSync(path.join(dir, 'history.jsonl'), 'utf8');
    expect(current.split('\n').filter(Boolean)).toHaveLength(1);
    expect(ids(readHistory({ GCMPUSH_DATA_DIR: dir }).records)).toEqual([3, 2].map(sendId));
  });

  it('leaves a log under the bound where it is', () => {
    const dir = tempDataDir();
    appendAll(dir, 3, lineBytes * 3);
    expect(existsSync(path.join(dir, 'history.1.jsonl'))).toBe(false);
  });
});

describe('readHistory', () => {
  it('is empty when nothing was recorded, without creating the folder', () => {
    const dir = tempDataDir();
    expect(readHistory({ GCMPUSH_DATA_DIR: dir })).toEqual({ records: [], skipped: 0, dir });
    expect(existsSync(dir)).toBe(false);
  });

  it('skips and counts lines that are not records, and keeps reading', () => {
    const dir = tempDataDir();
    const [first, second] = recordSends(dir, [{ sendId: sendId(1) }, { sendId: sendId(2) }]);
    const bad = ['{"send_id":', 'not json', '[]', '{}', '{"send_id":"x","results":[1]}'];
    const lines = [first, ...bad, second].map((line) =>
      typeof line === 'string' ? line : JSON.stringify(line),
    );
    // The last line is cut short, as by a crash in the middle of a write.
    writeFileSync(path.join(dir, 'history.jsonl'), `${lines.join('\n')}\n{"send_id":"trunc`);
    const history = readHistory({ GCMPUSH_DATA_DIR: dir });
    expect(ids(history.records)).toEqual([sendId(2), sendId(1)]);
    expect(history.skipped).toBe(6);
  });
});

describe('parallel appends', () => {
  it('never interleaves lines from ten processes writing at once', async () => {
    const work = mkdtempSync(path.join(tmpdir(), 'gcmpush-parallel-'));
    // The real module, bundled, so the child processes run exactly the code under test.
    await build({
      entryPoints: [path.resolve('src/history/log.ts')],
      outfile: path.join(work, 'log.mjs'),
      bundle: true,
      format: 'esm',
      platform: 'node',
      logLevel: 'silent',
    });
    const record = buildHistoryRecord(sampleInput());
    writeFileSync(
      path.join(work, 'append.mjs'),
      [
        "import { appendHistory } from './log.mjs';",
        `const record = ${JSON.stringify(record)};`,
        'const worker = process.argv[2];',
        'for (let n = 0; n < 40; n++) {',
        // 64 KiB lines: far past what a single small write would hide.
        "  const padded = { ...record, send_id: `${worker}-${n}`, pad: 'p'.repeat(65536) };",
        '  const warning = appendHistory(padded, process.env, 1e12);',
        '  if (warning) { console.error(warning); process.exit(1); }',
        '}',
      ].join('\n'),
    );
    const dir = path.join(work, 'data');
    const codes = await Promise.all(
      Array.from({ length: 10 }, (_, worker) => runNode(work, String(worker), dir)),
    );
    expect(codes).toEqual(Array(10).fill(0));
    const history = readHistory({ GCMPUSH_DATA_DIR: dir });
    expect(history.skipped).toBe(0);
    expect(new Set(ids(history.records)).size).toBe(400);
    const pads = history.records.map((entry) => (entry as unknown as { pad: string }).pad.length);
    expect(new Set(pads)).toEqual(new Set([65536]));
  });
});

function runNode(cwd: string, worker: string, dir: string): Promise<number | null> {
  const child = spawn(process.execPath, ['append.mjs', worker], {
    cwd,
    env: { GCMPUSH_DATA_DIR: dir },
    stdio: ['ignore', 'ignore', 'inherit'],
  });
  return new Promise((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
}

describe('findRecord', () => {
  const records = [
    sendId(12),
    sendId(11),
    '0193a5f2-9999-7abc-8def-000000000001',
    '0194ffff-0000-7abc-8def-000000000001',
  ].map((id) => buildHistoryRecord(sampleInput({ sendId: id })));

  it('finds a whole ID, ignoring case and spaces around it', () => {
    expect(findRecord(records, ` ${sendId(11).toUpperCase()} `)?.send_id).toBe(sendId(11));
  });

  it('finds the one ID a prefix starts', () => {
    expect(findRecord(records, '0194')?.send_id).toBe('0194ffff-0000-7abc-8def-000000000001');
    expect(findRecord(records, '0193a5f2-9')?.send_id).toBe('0193a5f2-9999-7abc-8def-000000000001');
  });

  it('refuses an ambiguous prefix, naming the candidates', () => {
    const attempt = () => findRecord(records, '0193a5f2-7c1e');
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(`it starts ${sendId(12)}, ${sendId(11)}`);
  });

  it('refuses a prefix under 4 characters', () => {
    expect(() => findRecord(records, '019')).toThrow(/is too short/);
  });

  it('gives undefined for an ID nothing starts with', () => {
    expect(findRecord(records, 'ffff')).toBeUndefined();
  });
});

describe('shortenSendIds', () => {
  it('gives 8 characters, or as many more as it takes to tell IDs apart', () => {
    const short = shortenSendIds([
      '0193a5f2-7c1e-7abc',
      '0193a5f2-7c2e-7abc',
      '0193a5f3-0000-7abc',
      '0194b000-0000-7abc',
    ]);
    expect([...short.values()]).toEqual(['0193a5f2-7c1', '0193a5f2-7c2', '0193a5f3', '0194b000']);
  });
});

describe('historyEnabled', () => {
  it.each([
    [{}, false, true],
    [{ GCMPUSH_NO_HISTORY: '1' }, false, false],
    [{ GCMPUSH_NO_HISTORY: 'true' }, false, false],
    [{ GCMPUSH_NO_HISTORY: 'TRUE' }, false, false],
    [{ GCMPUSH_NO_HISTORY: '0' }, false, true],
    [{ GCMPUSH_NO_HISTORY: '' }, false, true],
    [{}, true, false],
  ])('with %o and --no-history %s says %s', (env, flag, enabled) => {
    expect(historyEnabled(env, flag)).toBe(enabled);
  });
});
