import { describe, expect, it } from 'vitest';
import {
  looksLikeRegistrationId,
  targetsOfLines,
  resolveTargets,
  splitTargets,
} from '../../src/engine/targets.js';
import { UsageError } from '../../src/errors.js';

const PHONE_ID = `cXk2AbCdEfG:APA91b${'p'.repeat(140)}`;
const TABLET_ID = `dYz3AbCdEfG:APA91b${'t'.repeat(140)}`;
const RAW_ID = `eAb4AbCdEfG:APA91b${'r'.repeat(140)}`;
const IDS = { phone: PHONE_ID, tablet: TABLET_ID, 'pixel-8': 'short:id' };

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    const usage = error as UsageError;
    expect(usage.exitCode).toBe(2);
    return usage;
  }
  throw new Error('expected a UsageError, but nothing was thrown');
}

describe('splitTargets', () => {
  it('splits comma-separated values and keeps the order', () => {
    expect(splitTargets(['phone,tablet', 'pixel-8'])).toEqual(['phone', 'tablet', 'pixel-8']);
  });

  it('trims spaces and drops blank entries', () => {
    expect(splitTargets([' phone , ,tablet,', '', ' , '])).toEqual(['phone', 'tablet']);
  });

  it('gives an empty list for no values', () => {
    expect(splitTargets([])).toEqual([]);
  });
});

describe('targetsOfLines', () => {
  async function targets(lines: string[]): Promise<string[]> {
    const found: string[] = [];
    for await (const target of targetsOfLines(lines)) found.push(target);
    return found;
  }

  it('takes one target per line', async () => {
    expect(await targets(['phone', 'tablet'])).toEqual(['phone', 'tablet']);
  });

  it('skips blank lines and # comments', async () => {
    const lines = ['# devices for QA', '', 'phone', '   ', '  # tablet', 'tablet'];

    expect(await targets(lines)).toEqual(['phone', 'tablet']);
  });

  it('drops the carriage return of CRLF lines', async () => {
    expect(await targets(['phone\r', 'tablet\r', '\r'])).toEqual(['phone', 'tablet']);
  });

  it('drops a leading byte order mark, and only on the first line', async () => {
    expect(await targets(['\uFEFFphone', 'tablet'])).toEqual(['phone', 'tablet']);
  });

  it('reads a file that starts with a BOM and a comment', async () => {
    expect(await targets(['\uFEFF# list', 'phone'])).toEqual(['phone']);
  });

  it('gives nothing for no lines', async () => {
    expect(await targets([])).toEqual([]);
  });
});

describe('looksLikeRegistrationId', () => {
  it.each([
    { what: 'a 65-character text without a colon', target: 'a'.repeat(65), expected: true },
    { what: 'a 64-character text without a colon', target: 'a'.repeat(64), expected: false },
    { what: 'a short text with a colon', target: 'abc:def', expected: true },
    { what: 'a plain name', target: 'phone', expected: false },
  ])('answers $expected for $what', ({ target, expected }) => {
    expect(looksLikeRegistrationId(target)).toBe(expected);
  });
});

describe('resolveTargets', () => {
  it('resolves stored names to their registration IDs, in the order given', () => {
    expect(resolveTargets(['tablet', 'phone'], IDS)).toStrictEqual([
      { index: 0, target: 'tablet', registrationId: TABLET_ID, kind: 'token', name: 'tablet' },
      { index: 1, target: 'phone', registrationId: PHONE_ID, kind: 'token', name: 'phone' },
    ]);
  });

  it('takes a target longer than 64 characters as a raw registration ID', () => {
    const raw = 'r'.repeat(65);

    expect(resolveTargets([raw], IDS)).toStrictEqual([
      { index: 0, target: raw, registrationId: raw, kind: 'token' },
    ]);
  });

  it('takes a short target containing a colon as a raw registration ID', () => {
    expect(resolveTargets(['abc:def'], IDS)).toStrictEqual([
      { index: 0, target: 'abc:def', registrationId: 'abc:def', kind: 'token' },
    ]);
  });

  it('prefers a stored name over the raw-ID rule', () => {
    expect(resolveTargets(['pixel-8'], { 'pixel-8': 'stored-id', 'a:b': 'other' })).toEqual([
      { index: 0, target: 'pixel-8', registrationId: 'stored-id', kind: 'token', name: 'pixel-8' },
    ]);
    expect(resolveTargets(['a:b'], { 'a:b': 'other' })[0]?.registrationId).toBe('other');
  });

  it('resolves /topics/NAME to a topic recipient', () => {
    expect(resolveTargets(['/topics/news-2024_v1.0~%20'], IDS)).toStrictEqual([
      {
        index: 0,
        target: '/topics/news-2024_v1.0~%20',
        registrationId: '/topics/news-2024_v1.0~%20',
        kind: 'topic',
      },
    ]);
  });

  it('sends a name and the raw ID it stands for once, under the first label', () => {
    const recipients = resolveTargets(['phone', RAW_ID, PHONE_ID], IDS);

    expect(recipients).toStrictEqual([
      { index: 0, target: 'phone', registrationId: PHONE_ID, kind: 'token', name: 'phone' },
      { index: 1, target: RAW_ID, registrationId: RAW_ID, kind: 'token' },
    ]);
  });

  it('keeps the raw label when the raw ID comes before its stored name', () => {
    const recipients = resolveTargets([PHONE_ID, 'phone'], IDS);

    expect(recipients).toStrictEqual([
      { index: 0, target: PHONE_ID, registrationId: PHONE_ID, kind: 'token' },
    ]);
  });

  it('numbers recipients 0, 1, 2... after duplicates are dropped', () => {
    const recipients = resolveTargets(['phone', 'phone', 'tablet', RAW_ID, 'tablet'], IDS);

    expect(recipients.map((recipient) => [recipient.index, recipient.target])).toEqual([
      [0, 'phone'],
      [1, 'tablet'],
      [2, RAW_ID],
    ]);
  });

  it('sends a topic given twice once', () => {
    expect(resolveTargets(['/topics/news', '/topics/news'], IDS)).toStrictEqual([
      { index: 0, target: '/topics/news', registrationId: '/topics/news', kind: 'topic' },
    ]);
  });

  it('names an unknown name and suggests the nearest stored name', () => {
    const error = usageError(() => resolveTargets(['phnoe'], IDS));

    expect(error.message).toBe('unknown name phnoe');
    expect(error.hint).toBe('did you mean phone? (see `gcmpush ids list`)');
  });

  it('lists every unknown name, suggesting for the first', () => {
    const error = usageError(() => resolveTargets(['tablte', 'phone', 'nokia'], IDS));

    expect(error.message).toBe('unknown names tablte, nokia');
    expect(error.hint).toBe('did you mean tablet? (see `gcmpush ids list`)');
  });

  it('points to the stored names when nothing is close', () => {
    const error = usageError(() => resolveTargets(['zzzzzz'], IDS));

    expect(error.message).toBe('unknown name zzzzzz');
    expect(error.hint).toBe(
      'see the stored names with `gcmpush ids list`, or pass a whole registration ID',
    );
  });

  it('says how to add a name when none are stored', () => {
    const error = usageError(() => resolveTargets(['phone'], {}));

    expect(error.message).toBe('unknown name phone');
    expect(error.hint).toBe(
      'no names are stored yet: add one with `gcmpush ids add NAME REGISTRATION_ID`',
    );
  });

  it('does not resolve names inherited from Object.prototype', () => {
    const error = usageError(() => resolveTargets(['constructor'], IDS));

    expect(error.message).toBe('unknown name constructor');
  });

  it('refuses more than one topic', () => {
    const error = usageError(() => resolveTargets(['/topics/news', '/topics/sport'], IDS));

    expect(error.message).toBe('more than one topic given');
    expect(error.hint).toBe('send to one /topics/NAME at a time');
  });

  it.each([
    ['a topic before a device', ['/topics/news', 'phone']],
    ['a device before a topic', ['phone', '/topics/news']],
  ])('refuses %s in one send', (_what, targets) => {
    const error = usageError(() => resolveTargets(targets, IDS));

    expect(error.message).toBe('a topic cannot be combined with other targets in one send');
    expect(error.hint).toBe('send to the topic and to the devices in two commands');
  });

  it.each([
    ['an empty topic name', '/topics/'],
    ['a topic name with !', '/topics/news!'],
    ['a topic name with a slash', '/topics/a/b'],
    ['a topic name with a space', '/topics/a b'],
  ])('refuses %s', (_what, target) => {
    const error = usageError(() => resolveTargets([target], IDS));

    expect(error.message).toBe(`invalid topic "${target}"`);
    expect(error.hint).toBe('topic names use letters, digits and - _ . ~ %');
  });

  it('refuses a raw ID containing a control character', () => {
    const error = usageError(() => resolveTargets(['abc:\u0007def'], IDS));

    expect(error.message).toBe('the target "abc:\\u0007def" contains spaces or control characters');
  });

  it('refuses a raw ID containing a space', () => {
    const error = usageError(() => resolveTargets(['abc: def'], IDS));

    expect(error.message).toBe('the target "abc: def" contains spaces or control characters');
  });

  it('gives an empty list for no targets', () => {
    expect(resolveTargets([], IDS)).toEqual([]);
  });
});
