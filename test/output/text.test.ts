import { describe, expect, it } from 'vitest';
import type { RecipientResult } from '../../src/engine/send.js';
import { maskSecret, shortenId } from '../../src/output/mask.js';
import { decideColor } from '../../src/output/streams.js';
import { renderResults, renderSummary } from '../../src/output/text.js';
import { reportOf } from '../helpers/report.js';
import type { Recipient } from '../../src/protocols/types.js';

const ANSI = /\u001b\[/;
const SEND_ID = '0193a1b2-7c4d-7e5f-9a0b-1c2d3e4f5a6b';
const RAW_ID = `eAb4AbCdEfG:APA91b${'r'.repeat(60)}WXYZ`;
const NEW_ID = `cXk2AbCdEfG:APA91b${'n'.repeat(60)}NEW1`;

const phone: Recipient = {
  index: 0,
  target: 'phone1',
  registrationId: 'cXk2:old',
  kind: 'token',
  name: 'phone1',
};
const tablet: Recipient = {
  index: 1,
  target: 'tablet',
  registrationId: 'dYz3:tab',
  kind: 'token',
  name: 'tablet',
};
const raw: Recipient = { index: 2, target: RAW_ID, registrationId: RAW_ID, kind: 'token' };

const accepted: RecipientResult = {
  recipient: phone,
  ok: true,
  messageId: '0:1%ab',
  canonicalId: NEW_ID,
  attempts: 2,
};
const unregistered: RecipientResult = {
  recipient: tablet,
  ok: false,
  error: 'NotRegistered',
  attempts: 1,
};
const unreachable: RecipientResult = {
  recipient: raw,
  ok: false,
  error: 'Unreachable',
  detail: 'HTTP 503 Service Unavailable',
  attempts: 6,
};

const report = (results: RecipientResult[]) => reportOf(results);

const mixed = report([accepted, unregistered, unreachable]);

describe('renderResults to a pipe', () => {
  const text = renderResults(mixed.results, { tty: false, color: false });

  it('writes one tab-separated line per recipient with whole values', () => {
    expect(text).toBe(
      `phone1\tok\t0:1%ab\tphone1 updated to ${NEW_ID}\t2\n` +
        'tablet\tfailed\tNotRegistered\t-\t1\n' +
        `${RAW_ID}\tfailed\tUnreachable (HTTP 503 Service Unavailable)\t-\t6\n`,
    );
  });

  it('writes exactly five fields on every line and no header', () => {
    const lines = text.trimEnd().split('\n');

    expect(lines).toHaveLength(3);
    expect(lines.map((line) => line.split('\t').length)).toEqual([5, 5, 5]);
    expect(text).not.toContain('TARGET');
  });

  it('writes no ANSI escapes even when colour is asked for', () => {
    expect(renderResults(mixed.results, { tty: false, color: true })).not.toMatch(ANSI);
  });

  it('shows a raw ID canonical update as the new ID alone', () => {
    const result: RecipientResult = {
      recipient: raw,
      ok: true,
      messageId: 'm1',
      canonicalId: NEW_ID,
      attempts: 1,
    };

    expect(renderResults([result], { tty: false, color: false })).toBe(
      `${RAW_ID}\tok\tm1\t${NEW_ID}\t1\n`,
    );
  });

  it('writes "failed" for a failure that has no error name', () => {
    const result: RecipientResult = { recipient: tablet, ok: false, attempts: 1 };

    expect(renderResults([result], { tty: false, color: false })).toBe(
      'tablet\tfailed\tfailed\t-\t1\n',
    );
  });

  it('writes an empty field for a success without a message ID', () => {
    const result: RecipientResult = { recipient: tablet, ok: true, attempts: 1 };

    expect(renderResults([result], { tty: false, color: false })).toBe('tablet\tok\t\t-\t1\n');
  });

  it('keeps five fields on one line when the service puts a tab or newline in a detail', () => {
    const result: RecipientResult = {
      recipient: tablet,
      ok: false,
      error: 'InvalidRequest',
      detail: 'Field\t"to" must be\na string',
      attempts: 1,
    };

    const lines = renderResults([result], { tty: false, color: false }).trimEnd().split('\n');

    expect(lines).toHaveLength(1);
    expect(lines[0]?.split('\t')).toHaveLength(5);
  });

  it('writes nothing for an empty report', () => {
    expect(renderResults([], { tty: false, color: false })).toBe('');
  });
});

describe('renderResults to a terminal', () => {
  it('writes a header, aligned columns, symbols and shortened IDs without colour', () => {
    const text = renderResults(mixed.results, { tty: true, color: false });

    const shortRaw = shortenId(RAW_ID, 24);
    const shortNew = shortenId(NEW_ID, 24);
    expect(shortRaw).toBe(`${RAW_ID.slice(0, 16)}…${RAW_ID.slice(-7)}`);
    expect(text).not.toMatch(ANSI);
    const widths = [24, 8, 42, 42, 8];
    const line = (...cells: string[]) =>
      cells
        .map((cell, column) => cell.padEnd(widths[column] ?? 0))
        .join('  ')
        .trimEnd();
    expect(text.split('\n')).toEqual([
      line('TARGET', 'STATUS', 'MESSAGE ID / ERROR', 'CANONICAL', 'ATTEMPTS'),
      line('phone1', '✓ ok', '0:1%ab', `phone1 updated to ${shortNew}`, '2'),
      line('tablet', '✗ failed', 'NotRegistered', '-', '1'),
      line(shortRaw, '✗ failed', 'Unreachable (HTTP 503 Service Unavailable)', '-', '6'),
      '',
    ]);
  });

  it('colours the status green for ok and red for failed when colour is on', () => {
    const text = renderResults(mixed.results, { tty: true, color: true });

    expect(text).toMatch(ANSI);
    expect(text.split('\n')[0]).toMatch(/^TARGET\s+STATUS\s+MESSAGE ID \/ ERROR/);
    expect(text).toContain('\u001b[32m✓ ok    \u001b[39m');
    expect(text).toContain('\u001b[31m✗ failed\u001b[39m');
  });

  it('colours only the status column', () => {
    const text = renderResults(mixed.results, { tty: true, color: true });

    const escapes = text.match(/\u001b\[\d+m/g) ?? [];

    expect(escapes).toHaveLength(6);
  });

  it('shows stored names whole however long they are', () => {
    const name = 'a-very-long-stored-name-for-a-test-device';
    const recipient: Recipient = { ...tablet, target: name, name };

    const text = renderResults([{ ...unregistered, recipient }], {
      tty: true,
      color: false,
    });

    expect(text.split('\n')[1]?.startsWith(`${name}  ✗ failed`)).toBe(true);
  });
});

describe('renderSummary', () => {
  it('counts recipients, successes, failures and canonical IDs', () => {
    expect(renderSummary(SEND_ID, mixed, { dryRun: false })).toBe(
      `send ${SEND_ID}: 3 recipients, 1 ok, 2 failed, 1 canonical ID\n`,
    );
  });

  it('uses the singular for one recipient and leaves out zero canonical IDs', () => {
    expect(renderSummary(SEND_ID, report([unregistered]), { dryRun: false })).toBe(
      `send ${SEND_ID}: 1 recipient, 0 ok, 1 failed\n`,
    );
  });

  it('uses the plural for several canonical IDs', () => {
    const second = { ...accepted, recipient: tablet };

    expect(renderSummary(SEND_ID, report([accepted, second]), { dryRun: false })).toBe(
      `send ${SEND_ID}: 2 recipients, 2 ok, 0 failed, 2 canonical IDs\n`,
    );
  });

  it('says a dry run delivered nothing', () => {
    expect(renderSummary(SEND_ID, report([accepted]), { dryRun: true })).toBe(
      `send ${SEND_ID}: 1 recipient, 1 ok, 0 failed, 1 canonical ID, ` +
        'dry run: nothing delivered\n',
    );
  });
});

describe('maskSecret', () => {
  it.each([
    ['a server key', 'AIzaSyD-3kq9Zx7_mNpQrStUvWxYz0123wxyz', 'AIza…wxyz'],
    ['a 12-character secret', 'abcdefghijkl', 'abcd…ijkl'],
    ['an 11-character secret', 'abcdefghijk', '(11 characters, hidden)'],
    ['a 1-character secret', 'x', '(1 characters, hidden)'],
    ['an empty secret', '', '(0 characters, hidden)'],
  ])('shows %s as %s', (_what, secret, expected) => {
    expect(maskSecret(secret)).toBe(expected);
  });

  it('never shows the middle of a key', () => {
    const key = 'AIzaSyD-3kq9Zx7_mNpQrStUvWxYz0123wxyz';

    const masked = maskSecret(key);

    expect(masked).not.toContain(key.slice(4, -4));
    expect(masked).not.toContain('Sy');
  });
});

describe('shortenId', () => {
  it('leaves an ID no longer than the width alone', () => {
    expect(shortenId('a'.repeat(20))).toBe('a'.repeat(20));
    expect(shortenId('abc', 24)).toBe('abc');
  });

  it('keeps the start and the tail of a longer ID in exactly the width', () => {
    const id = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

    expect(shortenId(id)).toBe('ABCDEFGHIJKLM…456789');
    expect(shortenId(id, 24)).toBe('ABCDEFGHIJKLMNOP…3456789');
  });

  it.each([20, 24, 40])('fits a 200-character ID into width %i', (width) => {
    const id = `${'x'.repeat(100)}${'y'.repeat(100)}`;

    expect([...shortenId(id, width)]).toHaveLength(width);
  });
});

describe('decideColor', () => {
  it.each<[string, boolean, NodeJS.ProcessEnv, boolean, boolean]>([
    ['a TTY', true, {}, false, true],
    ['a pipe', false, {}, false, false],
    ['a TTY with NO_COLOR=1', true, { NO_COLOR: '1' }, false, false],
    ['a TTY with NO_COLOR=0', true, { NO_COLOR: '0' }, false, false],
    ['a TTY with an empty NO_COLOR', true, { NO_COLOR: '' }, false, true],
    ['a pipe with an empty NO_COLOR', false, { NO_COLOR: '' }, false, false],
    ['a pipe with FORCE_COLOR=1', false, { FORCE_COLOR: '1' }, false, true],
    ['a pipe with FORCE_COLOR=3', false, { FORCE_COLOR: '3' }, false, true],
    ['a TTY with FORCE_COLOR=0', true, { FORCE_COLOR: '0' }, false, false],
    ['a TTY with FORCE_COLOR=false', true, { FORCE_COLOR: 'false' }, false, false],
    ['a pipe with an empty FORCE_COLOR', false, { FORCE_COLOR: '' }, false, false],
    ['a TTY with an empty FORCE_COLOR', true, { FORCE_COLOR: '' }, false, true],
    ['a TTY with --no-color', true, {}, true, false],
    ['a pipe with FORCE_COLOR and --no-color', false, { FORCE_COLOR: '1' }, true, false],
    ['NO_COLOR and FORCE_COLOR both set', true, { NO_COLOR: '1', FORCE_COLOR: '1' }, false, false],
  ])('decides for %s', (_what, isTTY, env, noColorFlag, expected) => {
    expect(decideColor(isTTY, env, noColorFlag)).toBe(expected);
  });

  it('leaves colour on for a TTY when the flag is not passed', () => {
    expect(decideColor(true, {})).toBe(true);
  });
});
