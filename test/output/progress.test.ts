import { afterEach, describe, expect, it, vi } from 'vitest';
import type { RecipientResult, RetryInfo, SendEvents } from '../../src/engine/send.js';
import type { BarFactory, ProgressFlags } from '../../src/output/progress.js';
import {
  formatProgress,
  SendProgress,
  SHOW_AFTER_MS,
  SHOW_AT_ONCE_ABOVE,
  wantsProgress,
} from '../../src/output/progress.js';
import type { Recipient } from '../../src/protocols/types.js';
import type { HttpRequest } from '../../src/transport/http.js';
import { createTestIo } from '../helpers/io.js';

afterEach(() => vi.useRealTimers());

const PLAIN: ProgressFlags = { json: false, ndjson: false, verbose: false, progress: true };

describe('whether a bar may show', () => {
  it.each([
    { given: 'a terminal and no flags', flags: PLAIN, tty: true, shows: true },
    { given: 'stderr piped', flags: PLAIN, tty: false, shows: false },
    { given: '--json', flags: { ...PLAIN, json: true }, tty: true, shows: false },
    { given: '--ndjson', flags: { ...PLAIN, ndjson: true }, tty: true, shows: false },
    { given: '--verbose', flags: { ...PLAIN, verbose: true }, tty: true, shows: false },
    { given: '--no-progress', flags: { ...PLAIN, progress: false }, tty: true, shows: false },
  ])('with $given: $shows', ({ flags, tty, shows }) => {
    expect(wantsProgress(flags, tty)).toBe(shows);
  });
});

/** A bar that records what was done to it and renders its line on demand. */
function fakeBars() {
  const log: string[] = [];
  let format: Parameters<BarFactory>[0]['format'] | undefined;
  const createBar: BarFactory = async (options) => {
    format = options.format;
    log.push('created');
    return {
      start: (total) => void log.push(`start ${total}`),
      stop: () => void log.push('stop'),
    };
  };
  const line = () => format?.((fraction) => `[${fraction.toFixed(2)}]`);
  return { log, createBar, line };
}

function recipient(index: number): Recipient {
  return { index, target: `device${index}`, registrationId: `id:${index}`, kind: 'token' };
}

function progressFor(total: number, options: { now?: () => number; tty?: boolean } = {}) {
  const bars = fakeBars();
  const capture = createTestIo({ tty: options.tty ?? true });
  const progress = new SendProgress({
    total,
    io: capture.io,
    now: options.now ?? (() => 0),
    createBar: bars.createBar,
  });
  return { progress, bars, capture };
}

describe('when the bar appears', () => {
  it(`shows at once above ${SHOW_AT_ONCE_ABOVE} recipients`, async () => {
    const { progress, bars } = progressFor(SHOW_AT_ONCE_ABOVE + 1);
    await progress.begin();
    expect(bars.log).toEqual(['created', `start ${SHOW_AT_ONCE_ABOVE + 1}`]);
    progress.stop();
    expect(bars.log.at(-1)).toBe('stop');
  });

  it('waits for a small send to prove slow before showing', async () => {
    vi.useFakeTimers();
    const { progress, bars } = progressFor(SHOW_AT_ONCE_ABOVE);
    await progress.begin();
    await vi.advanceTimersByTimeAsync(SHOW_AFTER_MS - 1);
    expect(bars.log).toEqual([]);
    await vi.advanceTimersByTimeAsync(1);
    expect(bars.log).toEqual(['created', `start ${SHOW_AT_ONCE_ABOVE}`]);
    progress.stop();
  });

  it('never shows for a send that ends first, and leaves no timer behind', async () => {
    vi.useFakeTimers();
    const { progress, bars } = progressFor(3);
    await progress.begin();
    expect(vi.getTimerCount()).toBe(1);
    progress.stop();
    expect(vi.getTimerCount()).toBe(0);
    await vi.advanceTimersByTimeAsync(SHOW_AFTER_MS * 5);
    expect(bars.log).toEqual([]);
  });

  it('unrefs its timer, so a pending bar never keeps the process alive', async () => {
    const spy = vi.spyOn(globalThis, 'setTimeout');
    const { progress } = progressFor(3);
    await progress.begin();
    const timer = spy.mock.results[0]?.value as NodeJS.Timeout;
    spy.mockRestore();
    expect(timer.hasRef()).toBe(false);
    progress.stop();
  });

  it('does not start a bar that finishes loading after the send ended', async () => {
    let release: () => void = () => {};
    const loaded = new Promise<void>((resolve) => (release = resolve));
    const bars = fakeBars();
    const slowBar: BarFactory = async (options) => {
      await loaded;
      return bars.createBar(options);
    };
    const { io } = createTestIo({ tty: true });
    const progress = new SendProgress({ total: 5000, io, now: () => 0, createBar: slowBar });
    const begun = progress.begin();
    progress.stop();
    release();
    await begun;
    expect(bars.log).toEqual(['created']);
  });

  it('takes the bar down on Ctrl-C', async () => {
    const controller = new AbortController();
    const { progress, bars } = progressFor(5000);
    await progress.begin(controller.signal);
    controller.abort();
    expect(bars.log).toEqual(['created', 'start 5000', 'stop']);
    progress.stop();
    expect(bars.log.filter((entry) => entry === 'stop')).toHaveLength(1);
  });
});

const REQUEST: HttpRequest = { url: 'http://127.0.0.1/', headers: {}, body: '' };

function retryOf(recipients: Recipient[]): RetryInfo {
  return { recipients, delayMs: 1000, attempt: 2, maxAttempts: 6, reason: 'Unavailable' };
}

function resultOf(who: Recipient, ok: boolean): RecipientResult {
  return ok ? { recipient: who, ok, attempts: 1 } : { recipient: who, ok, attempts: 1, error: 'X' };
}

describe('what the bar counts', () => {
  it('counts each recipient sent once, however often it is retried', () => {
    const { progress } = progressFor(3);
    const events = progress.watch({});
    const [a, b, c] = [recipient(0), recipient(1), recipient(2)];
    events.request?.(REQUEST, [a, b]);
    expect(progress.snapshot()).toMatchObject({ sent: 2, retrying: 0 });
    events.retry?.(retryOf([b]));
    expect(progress.snapshot()).toMatchObject({ sent: 2, retrying: 1 });
    events.request?.(REQUEST, [b, c]);
    expect(progress.snapshot()).toMatchObject({ sent: 3, retrying: 0 });
  });

  it('counts ok and failed, and drops a waiting recipient that ends without a resend', () => {
    const { progress } = progressFor(3);
    const events = progress.watch({});
    const [a, b, c] = [recipient(0), recipient(1), recipient(2)];
    events.request?.(REQUEST, [a, b, c]);
    events.retry?.(retryOf([b, c]));
    events.retry?.(retryOf([c]));
    expect(progress.snapshot().retrying).toBe(2);
    events.result?.(resultOf(a, true));
    events.result?.(resultOf(b, false));
    expect(progress.snapshot()).toMatchObject({ total: 3, sent: 3, ok: 1, failed: 1, retrying: 1 });
  });

  it('gives final results per second by the injected clock', () => {
    let now = 10_000;
    const { progress } = progressFor(4, { now: () => now });
    const events = progress.watch({});
    expect(progress.snapshot().rate).toBe(0);
    now += 2000;
    [0, 1, 2].forEach((index) => events.result?.(resultOf(recipient(index), index !== 1)));
    expect(progress.snapshot().rate).toBe(1.5);
  });

  it('passes every event on to the events it wraps', () => {
    const seen: string[] = [];
    const inner: SendEvents = {
      request: (_, recipients) => void seen.push(`request ${recipients.length}`),
      response: () => void seen.push('response'),
      retry: (info) => void seen.push(`retry ${info.recipients.length}`),
      result: (result) => void seen.push(`result ${result.ok}`),
    };
    const events = progressFor(1).progress.watch(inner);
    events.request?.(REQUEST, [recipient(0)]);
    events.response?.({ status: 200, statusText: 'OK', headers: new Headers(), body: '' }, 5);
    events.retry?.(retryOf([recipient(0)]));
    events.result?.(resultOf(recipient(0), true));
    expect(seen).toEqual(['request 1', 'response', 'retry 1', 'result true']);
  });
});

describe('the line it draws', () => {
  const counts = { total: 2500, sent: 2000, ok: 1190, failed: 10, retrying: 3, rate: 240.4 };

  it('shows results over the total and every count, without colour when told so', () => {
    const line = formatProgress(counts, (fraction) => `<${fraction}>`, false);
    expect(line).toBe('<0.48> 1200/2500  sent 2000  ok 1190  failed 10  retrying 3  240/s');
  });

  it('colours the counts beside their words when stderr is coloured', () => {
    const line = formatProgress(counts, () => '', true);
    expect(line).toContain('ok \u001b[32m1190\u001b[39m');
    expect(line).toContain('failed \u001b[31m10\u001b[39m');
  });

  it('gives a slow rate to one decimal and never draws past full', () => {
    const line = formatProgress({ ...counts, ok: 2600, rate: 0.25 }, (f) => `<${f}>`, false);
    expect(line).toMatch(/^<1> 2610\/2500 .* 0\.3\/s$/);
  });

  it('renders the live counts through the bar it made', async () => {
    const { progress, bars } = progressFor(5000);
    await progress.begin();
    progress.watch({}).request?.(REQUEST, [recipient(0)]);
    expect(bars.line()).toBe('[0.00] 0/5000  sent 1  ok 0  failed 0  retrying 0  0.0/s');
    progress.stop();
  });
});

describe('writes while the bar shows', () => {
  it('clear the bar before each write and draw it again after', async () => {
    const { progress, bars, capture } = progressFor(5000);
    const io = progress.guard(capture.io);
    await progress.begin();
    bars.log.length = 0;
    io.err('retrying device1 in 1.0 s\n');
    io.out('row\n');
    expect(bars.log).toEqual(['stop', 'start 5000', 'stop', 'start 5000']);
    expect(capture.stderr()).toBe('retrying device1 in 1.0 s\n');
    expect(capture.stdout()).toBe('row\n');
    progress.stop();
  });

  it('leave a piped stdout alone, and pass straight through once the bar is gone', async () => {
    const { progress, bars, capture } = progressFor(5000, { tty: false });
    const io = progress.guard(capture.io);
    await progress.begin();
    io.out('row\n');
    progress.stop();
    io.err('after\n');
    expect(bars.log).toEqual(['created', 'start 5000', 'stop']);
    expect(capture.stdout()).toBe('row\n');
    expect(capture.stderr()).toBe('after\n');
  });
});
