/**
 * The progress bar in whole sends: a terminal Io whose stdout and stderr land on one screen, as
 * they would in a real terminal, records whether the bar's line is drawn at each write, so a
 * row or a notice written into the bar shows up as a clash.
 */
import { setupServer } from 'msw/node';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSendCommand, toSendFlags } from '../../src/commands/send.js';
import type { Io } from '../../src/output/streams.js';
import { createTempStore } from '../helpers/config.js';
import { TEST_ENDPOINT, createGcmServer, results } from '../helpers/gcm-handlers.js';
import { createTestIo } from '../helpers/io.js';

const KEY = 'AIzaSyTestKey0123456789abcdefWXYZ';
const MANY = Array.from({ length: 2500 }, (_, index) => `raw:${String(index).padStart(70, '0')}`);
const BAR = /[█░]/;
const CLEAR_LINE = '\u001b[2K';
const ESCAPE = '\u001b';

const gcm = createGcmServer();
const server = setupServer(gcm.handler);

// Each test that queues an answer has it used up by its first request, so none needs a reset.
beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterAll(() => server.close());

/** stdout and stderr on one terminal, with a trace of bar draws, clears and other writes. */
function terminalIo(signal?: AbortSignal) {
  const screen = { out: '', err: '', trace: [] as string[], clashes: [] as string[] };
  const state = { drawn: false, drawsAfterInterrupt: 0, clearedAfterInterrupt: false };
  const mark = (event: string) => {
    if (screen.trace.at(-1) !== event) screen.trace.push(event);
  };
  const io: Io = {
    ...createTestIo({ tty: true }).io,
    out: (text) => {
      if (state.drawn) screen.clashes.push(text);
      mark('out');
      screen.out += text;
    },
    err: (text) => {
      screen.err += text;
      if (BAR.test(text)) {
        if (state.clearedAfterInterrupt) state.drawsAfterInterrupt++;
        state.drawn = true;
        return mark('bar');
      }
      if (text === CLEAR_LINE) {
        state.drawn = false;
        if (signal?.aborted) state.clearedAfterInterrupt = true;
        return mark('clear');
      }
      if (text.startsWith(ESCAPE)) return;
      if (state.drawn) screen.clashes.push(text);
      mark('err');
    },
  };
  return { io, screen, state };
}

async function send(options: Record<string, unknown>, io: Io, signal?: AbortSignal) {
  const store = createTempStore({ api_key: KEY, ids: {} });
  const flags = toSendFlags({ endpoint: TEST_ENDPOINT, to: [MANY.join(',')], ...options });
  let now = 1_700_000_000_000;
  const sleep = async (ms: number) => void (now += ms);
  return runSendCommand(flags, io, { store, now: () => now, sleep, random: () => 0.5, signal });
}

describe('the progress bar of a send', () => {
  it('writes nothing of a bar, not one escape code, when stderr is not a terminal', async () => {
    const capture = createTestIo({ tty: false });
    const code = await send({}, capture.io);
    expect(code).toBe(0);
    expect(capture.stderr()).not.toContain(ESCAPE);
    expect(capture.stderr()).not.toMatch(BAR);
    expect(capture.stderr()).toMatch(/^send [0-9a-f-]{36}: 2500 recipients, 2500 ok, 0 failed\n$/);
  });

  it.each([
    ['--json', { json: true }],
    ['--ndjson', { ndjson: true }],
    ['--no-progress', { progress: false }],
    ['--verbose', { verbose: true }],
  ])('stays off with %s even on a terminal', async (flag, options) => {
    const { io, screen } = terminalIo();
    await send(options, io);
    expect(screen.trace).not.toContain('bar');
    if (flag === '--json') expect(JSON.parse(screen.out)).toMatchObject({ success: 2500 });
  });

  it('draws on a terminal, clears before each block of rows, and is gone at the end', async () => {
    const { io, screen, state } = terminalIo();
    const code = await send({}, io);
    expect(code).toBe(0);
    expect(screen.err).toMatch(/[█░]+ \d+\/2500 {2}sent \d+/);
    expect(screen.trace.join(' ')).toContain('bar clear out bar');
    expect(screen.clashes).toEqual([]);
    expect(state.drawn).toBe(false);
    expect(screen.err.endsWith(CLEAR_LINE)).toBe(true);
    expect(screen.out).toMatch(/2500 recipients, 2500 ok, 0 failed\n$/);
  });

  it('puts a retry notice on a line of its own, not inside the bar', async () => {
    gcm.answer(results({ [MANY[3] as string]: 'Unavailable' }));
    const { io, screen, state } = terminalIo();
    await send({}, io);
    expect(screen.err).toContain(`retrying ${MANY[3]} in 1.0 s, attempt 2 of 6 (Unavailable)\n`);
    expect(screen.trace.join(' ')).toContain('bar clear err bar');
    expect(screen.clashes).toEqual([]);
    expect(state.drawn).toBe(false);
  });

  it('is cleared for good on Ctrl-C, before the interrupted results print', async () => {
    const controller = new AbortController();
    gcm.answer((request) => {
      controller.abort();
      return results()(request);
    });
    const { io, screen, state } = terminalIo(controller.signal);
    const code = await send({ concurrency: '1' }, io, controller.signal);
    expect(code).toBe(130);
    expect(screen.out).toContain('Interrupted');
    expect(state.clearedAfterInterrupt).toBe(true);
    expect(state.drawsAfterInterrupt).toBe(0);
    expect(screen.clashes).toEqual([]);
  });
});
