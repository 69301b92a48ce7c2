import { Command } from 'commander';
import { describe, expect, it, vi } from 'vitest';
import { recallSend, runHistoryList, runHistoryShow } from '../../src/commands/history.js';
import { UsageError } from '../../src/errors.js';
import { appendHistory } from '../../src/history/log.js';
import { buildHistoryRecord } from '../../src/history/record.js';
import { shortenId } from '../../src/output/mask.js';
import { declareHistory } from '../../src/program/history.js';
import type { CommandContext } from '../../src/program/context.js';
import { RAW, recordSends, report, result, sampleInput, tempDataDir } from '../history/helpers.js';
import { createTestIo } from '../helpers/io.js';

const FIRST = '0193a5f2-7c1e-7abc-8def-000000000001';
const SECOND = '0193a5f2-7c1e-7abc-8def-000000000002';
const THIRD = '0193b000-0000-7abc-8def-000000000003';

/** Three sends, oldest first: to two names (one failed), to a topic, to a raw ID and more. */
function threeSends(dir = tempDataDir()) {
  recordSends(dir, [
    { sendId: FIRST },
    {
      sendId: SECOND,
      startedAt: Date.UTC(2024, 4, 2, 9, 0, 0),
      targets: ['/topics/news'],
      report: report([result(0, '/topics/news')]),
      message: { data: { n: '1' }, dryRun: true },
    },
    {
      sendId: THIRD,
      startedAt: Date.UTC(2024, 4, 3, 18, 30, 5),
      targets: [RAW, 'phone', 'tablet', 'watch'],
      report: report([result(0, RAW, { error: 'Unavailable', attempts: 6 })]),
    },
  ]);
  return dir;
}

function io(dir: string, options: { tty?: boolean } = {}) {
  return createTestIo({ tty: options.tty, env: { GCMPUSH_DATA_DIR: dir } });
}

function rows(text: string): string[][] {
  return text
    .trimEnd()
    .split('\n')
    .map((line) => line.split('\t'));
}

describe('gcmpush history', () => {
  it('prints one tab-separated row per send to a pipe, newest first, IDs whole', () => {
    const capture = io(threeSends());
    runHistoryList({ json: false }, capture.io);
    expect(rows(capture.stdout())).toEqual([
      [THIRD, '2024-05-03T18:30:05.000Z', 'legacy', `${RAW}, phone, tablet, +1 more`, '0', '1'],
      [SECOND, '2024-05-02T09:00:00.000Z', 'legacy, dry run', '/topics/news', '1', '0'],
      [FIRST, '2024-05-01T14:03:22.250Z', 'legacy', 'phone, tablet', '1', '1'],
    ]);
    expect(capture.stderr()).toBe('');
  });

  it('shows a header, local times and short IDs on a terminal', () => {
    // Tokyo is 9 hours ahead of UTC all year: the terminal shows local time.
    vi.stubEnv('TZ', 'Asia/Tokyo');
    const capture = io(threeSends(), { tty: true });
    runHistoryList({ json: false }, capture.io);
    const lines = capture.stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^SEND ID +TIME +PROTOCOL +TARGETS +OK +FAILED$/);
    expect(lines[1]?.split(/ {2,}/)).toEqual([
      '0193b000',
      '2024-05-04 03:30:05',
      'legacy',
      `${shortenId(RAW, 24)}, phone, tablet, +1 more`,
      '0',
      '1',
    ]);
    // The other two differ only in their last character, so they are shown whole.
    expect(lines[2]).toMatch(/^0193a5f2-7c1e-7abc-8def-000000000002 +2024-05-02 18:00:00 /);
    expect(lines).toHaveLength(4);
  });

  it('colours a failed count red only when colour is on', () => {
    const dir = threeSends();
    const coloured = createTestIo({ tty: true, color: true, env: { GCMPUSH_DATA_DIR: dir } });
    runHistoryList({ json: false }, coloured.io);
    expect(coloured.stdout()).toContain('\u001b[31m1');
    const plain = io(dir, { tty: true });
    runHistoryList({ json: false }, plain.io);
    expect(plain.stdout()).not.toContain('\u001b[');
  });

  it('lists only the newest N with -n', () => {
    const capture = io(threeSends());
    runHistoryList({ limit: '2', json: false }, capture.io);
    expect(rows(capture.stdout()).map((row) => row[0])).toEqual([THIRD, SECOND]);
  });

  it.each(['0', 'ten', '-1', '2.5'])('refuses -n %s', (limit) => {
    const capture = io(threeSends());
    expect(() => runHistoryList({ limit, json: false }, capture.io)).toThrow(UsageError);
    expect(capture.stdout()).toBe('');
  });

  it('prints one JSON array of the records, newest first, with --json', () => {
    const capture = io(threeSends());
    runHistoryList({ limit: '2', json: true }, capture.io);
    const records = JSON.parse(capture.stdout()) as Array<{ send_id: string }>;
    expect(records.map((record) => record.send_id)).toEqual([THIRD, SECOND]);
    expect(records[0]).toMatchObject({ failure: 1, endpoint_host: 'fcm.googleapis.com' });
  });

  it('says on stderr that nothing is recorded, with nothing on stdout and exit 0', () => {
    const dir = tempDataDir();
    const capture = io(dir);
    expect(runHistoryList({ json: false }, capture.io)).toBeUndefined();
    expect(capture.stdout()).toBe('');
    expect(capture.stderr()).toBe(`No sends recorded yet in ${dir}\n`);
  });

  it('mentions GCMPUSH_NO_HISTORY when the history is empty because it is off', () => {
    const dir = tempDataDir();
    const capture = createTestIo({ env: { GCMPUSH_DATA_DIR: dir, GCMPUSH_NO_HISTORY: '1' } });
    runHistoryList({ json: false }, capture.io);
    expect(capture.stderr()).toContain('recording is off (GCMPUSH_NO_HISTORY)');
  });

  it('prints [] with --json when nothing is recorded', () => {
    const capture = io(tempDataDir());
    runHistoryList({ json: true }, capture.io);
    expect(capture.stdout()).toBe('[]\n');
  });
});

describe('gcmpush history show', () => {
  it('prints the rows of the send table to a pipe and the description on stderr', () => {
    const capture = io(threeSends());
    runHistoryShow(FIRST, { json: false }, capture.io);
    expect(rows(capture.stdout())).toEqual([
      ['phone', 'ok', '0:0%test', '-', '1'],
      ['tablet', 'failed', 'NotRegistered', '-', '1'],
    ]);
    expect(capture.stderr()).toContain(`send ${FIRST}: legacy to fcm.googleapis.com, 2024-05-01`);
    expect(capture.stderr()).toContain('options: retries 5, timeout 60 s');
    expect(capture.stderr()).toContain('data: {"msg":"hi"}');
    expect(capture.stderr()).toMatch(/2 recipients, 1 ok, 1 failed\n$/);
  });

  it('puts the description and the table on stdout on a terminal', () => {
    const capture = io(threeSends(), { tty: true });
    runHistoryShow('0193b000', { json: false }, capture.io);
    const out = capture.stdout();
    expect(out).toMatch(/^send 0193b000-0000-7abc-8def-000000000003: legacy to/);
    expect(out).toMatch(/\nTARGET +STATUS +MESSAGE ID \/ ERROR/);
    expect(out).toContain('✗ failed');
    expect(out).toContain(shortenId(RAW, 24));
    expect(out).not.toContain(RAW);
    expect(capture.stderr()).toBe('');
  });

  it('prints the record itself with --json', () => {
    const capture = io(threeSends());
    runHistoryShow(SECOND, { json: true }, capture.io);
    expect(JSON.parse(capture.stdout())).toMatchObject({
      send_id: SECOND,
      targets: ['/topics/news'],
      options: { dry_run: true },
    });
  });

  it('says how many results were too many to keep', () => {
    const dir = tempDataDir();
    const results = Array.from({ length: 1_002 }, (_, index) => result(index, `raw:${index}`));
    recordSends(dir, [{ targets: [], report: report(results) }]);
    const capture = io(dir);
    runHistoryShow('0193a5f2-7c1e-7abc-8def-0123456789ab', { json: false }, capture.io);
    expect(rows(capture.stdout())).toHaveLength(1_000);
    expect(capture.stderr()).toContain('2 of the results were too many to keep');
  });

  it('refuses an unknown ID with a hint to list the sends', () => {
    const capture = io(threeSends());
    const error = catchUsage(() => runHistoryShow('ffffffff', { json: false }, capture.io));
    expect(error.message).toBe('no send ffffffff in the history');
    expect(error.hint).toContain('gcmpush history');
    expect(error.exitCode).toBe(2);
  });

  it('warns about unreadable lines on stderr and still shows the send', () => {
    const dir = threeSends();
    appendHistory({ broken: true } as never, { GCMPUSH_DATA_DIR: dir });
    const capture = io(dir);
    runHistoryShow(FIRST, { json: true }, capture.io);
    expect(capture.stderr()).toMatch(/^warning: skipped 1 unreadable line of the send history/);
    expect(JSON.parse(capture.stdout())).toMatchObject({ send_id: FIRST });
  });
});

describe('recallSend', () => {
  const env = (dir: string) => ({ GCMPUSH_DATA_DIR: dir });

  it('gives the targets as given, the message and the limits of the send', () => {
    const dir = tempDataDir();
    recordSends(dir, [
      {
        message: { data: { msg: 'hi' }, dryRun: true, ttl: 0, priority: 'high', collapseKey: 'k' },
        options: { retries: 2, timeoutMs: 5_000, concurrency: 3 },
      },
    ]);
    expect(recallSend('0193a5f2-7c1e', { failedOnly: false }, env(dir))).toEqual({
      sendId: '0193a5f2-7c1e-7abc-8def-0123456789ab',
      targets: ['phone', 'tablet'],
      message: { data: { msg: 'hi' }, dryRun: true, ttl: 0, priority: 'high', collapseKey: 'k' },
      limits: { retries: 2, timeoutMs: 5_000, concurrency: 3 },
      protocol: 'legacy',
      endpointHost: 'fcm.googleapis.com',
      emulator: false,
      warnings: [],
    });
  });

  it('gives only the targets that failed with failedOnly', () => {
    const dir = threeSends();
    expect(recallSend(FIRST, { failedOnly: true }, env(dir)).targets).toEqual(['tablet']);
  });

  it('refuses failedOnly when every recipient accepted, with exit 2', () => {
    const error = catchUsage(() => recallSend(SECOND, { failedOnly: true }, env(threeSends())));
    expect(error.message).toBe(`nothing to resend: every recipient of ${SECOND} accepted`);
    expect(error.exitCode).toBe(2);
  });

  it('refuses to repeat a send whose targets were too many to keep, but not its failures', () => {
    const dir = tempDataDir();
    const targets = Array.from({ length: 1_500 }, (_, index) => `raw:${index}`);
    const results = targets.map((target, index) =>
      result(index, target, index === 7 ? { error: 'NotRegistered' } : {}),
    );
    recordSends(dir, [{ targets, report: report(results) }]);
    const id = '0193a5f2-7c1e-7abc-8def-0123456789ab';
    const error = catchUsage(() => recallSend(id, { failedOnly: false }, env(dir)));
    expect(error.message).toBe(`send ${id} went to 1500 targets, too many to keep in the history`);
    expect(error.hint).toContain('--failed-only');
    expect(recallSend(id, { failedOnly: true }, env(dir)).targets).toEqual(['raw:7']);
  });

  it('warns when only some of the failures were kept', () => {
    const dir = tempDataDir();
    const results = Array.from({ length: 10_005 }, (_, index) =>
      result(index, `raw:${index}`, { error: 'NotRegistered' }),
    );
    recordSends(dir, [{ targets: [], report: report(results) }]);
    const recalled = recallSend('0193a5f2', { failedOnly: true }, env(dir));
    expect(recalled.targets).toHaveLength(10_000);
    expect(recalled.warnings).toEqual([
      'warning: the history kept 10000 of the 10005 failed recipients of ' +
        '0193a5f2-7c1e-7abc-8def-0123456789ab; resending to those only',
    ]);
  });

  it('gives back the condition of a condition send, not a target', () => {
    const dir = tempDataDir();
    const condition = "'news' in topics";
    recordSends(dir, [
      {
        targets: [],
        options: { retries: 5, timeoutMs: 60_000, condition },
        report: report([result(0, condition, { error: 'Unavailable' })]),
      },
    ]);
    const recalled = recallSend('0193a5f2', { failedOnly: true }, env(dir));
    expect(recalled).toMatchObject({ targets: [], condition });
  });

  it('refuses an unknown send ID like history show does', () => {
    expect(() => recallSend('ffffffff', { failedOnly: false }, env(threeSends()))).toThrow(
      'no send ffffffff in the history',
    );
  });

  it('checks a hand-edited payload again before it is resent', () => {
    const dir = tempDataDir();
    const record = buildHistoryRecord(sampleInput());
    record.message.data = { from: 'edited' };
    appendHistory(record, env(dir));
    expect(() => recallSend(record.send_id, { failedOnly: false }, env(dir))).toThrow(
      /reserved data key from/,
    );
  });
});

describe('declareHistory', () => {
  async function parse(argv: string[], dir: string) {
    const capture = io(dir);
    const program = new Command('gcmpush').exitOverride();
    const context: CommandContext = {
      run: async (task) => void (await task()),
      io: () => capture.io,
      store: () => Promise.reject(new Error('history needs no config')),
    };
    declareHistory(program, context);
    await program.parseAsync(argv, { from: 'user' });
    return capture;
  }

  it('passes -n and --json to the list', async () => {
    const capture = await parse(['history', '-n', '1', '--json'], threeSends());
    const records = JSON.parse(capture.stdout()) as Array<{ send_id: string }>;
    expect(records.map((record) => record.send_id)).toEqual([THIRD]);
  });

  it('takes --json after the send ID of show', async () => {
    const capture = await parse(['history', 'show', '0193b000', '--json'], threeSends());
    expect(JSON.parse(capture.stdout())).toMatchObject({ send_id: THIRD });
  });

  it('ends each help with examples', () => {
    const program = new Command('gcmpush');
    declareHistory(program, {} as CommandContext);
    const history = program.commands.find((command) => command.name() === 'history');
    const show = history?.commands.find((command) => command.name() === 'show');
    let text = '';
    for (const command of [history, show]) {
      command?.configureOutput({ writeOut: (chunk) => (text += chunk) });
      command?.outputHelp();
    }
    expect(text.match(/Examples:/g)).toHaveLength(2);
    expect(text).toContain('gcmpush history show 0193a5f2-7c1e --json');
  });
});

function catchUsage(action: () => unknown): UsageError {
  try {
    action();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}
