import { existsSync, mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterEach, describe, expect, it } from 'vitest';
import { runEmulator, type EmulatorCommandOptions } from '../../src/commands/emulator.js';
import { UsageError } from '../../src/errors.js';
import { captureIo, KEY, type CapturedIo } from './helpers.js';

function fixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/emulator/${name}`, import.meta.url));
}

function optionsWith(changes: Partial<EmulatorCommandOptions> = {}): EmulatorCommandOptions {
  return { host: '127.0.0.1', port: 0, keys: [], faults: [], ...changes };
}

interface Running {
  io: CapturedIo;
  url: string;
  stop(): Promise<void>;
}

async function waitFor(check: () => boolean): Promise<void> {
  for (let attempt = 0; attempt < 200 && !check(); attempt += 1) {
    await new Promise((resolve) => setTimeout(resolve, 10));
  }
}

/** Starts the command and waits for its first stdout line. */
async function startCommand(changes: Partial<EmulatorCommandOptions> = {}): Promise<Running> {
  const io = captureIo();
  const controller = new AbortController();
  const done = runEmulator(optionsWith(changes), io, controller.signal);
  done.catch(() => undefined);
  await waitFor(() => io.stdout.includes('\n'));
  const url = io.stdout.split('\n')[0] ?? '';
  const stop = async (): Promise<void> => {
    controller.abort();
    await done;
  };
  return { io, url, stop };
}

function sendTo(url: string, to: string): Promise<Response> {
  return fetch(url, {
    method: 'POST',
    headers: { authorization: `key=${KEY}`, 'content-type': 'application/json' },
    body: JSON.stringify({ to }),
  });
}

let blocker: Server | undefined;

afterEach(async () => {
  await new Promise((resolve) => (blocker ? blocker.close(resolve) : resolve(undefined)));
  blocker = undefined;
});

describe('runEmulator', () => {
  it('prints the send URL with the real port first, serves, and stops on abort', async () => {
    const running = await startCommand();

    expect(running.url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fcm\/send$/);
    expect(running.url).not.toContain(':0/');
    const response = await sendTo(running.url, 'made-up');
    expect(response.status).toBe(200);
    await running.stop();

    expect(running.io.stdout).toBe(`${running.url}\n`);
    expect(running.io.stderr).toMatch(/POST \/fcm\/send 200 \d+ ms/);
    expect(running.io.stderr).toContain('/emulator/devices');
    await expect(sendTo(running.url, 'made-up')).rejects.toThrow();
  });

  it('registers the devices file and prints each registration ID on stderr', async () => {
    const running = await startCommand({ devices: fixture('devices.json') });
    try {
      const printed = [...running.io.stderr.matchAll(/^device (\S+) /gm)].map((m) => m[1]);
      expect(printed).toHaveLength(3);
      expect(printed[0]).toBe('fixture-device-1');
      expect(printed[1]).toMatch(/^[A-Za-z0-9_-]{11}:/);

      const answer = (await (await sendTo(running.url, printed[1] ?? '')).json()) as {
        results: unknown[];
      };
      expect(answer.results).toEqual([{ error: 'Unavailable' }]);
    } finally {
      await running.stop();
    }
  });

  it('has written the service-account file by the time it prints the URL', async () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gcmpush-emulator-')), 'account.json');
    const io = captureIo();
    let accountAtUrl: boolean | undefined;
    io.out = (text) => {
      // A script may read the file the moment the URL line arrives.
      accountAtUrl ??= existsSync(file);
      io.stdout += text;
    };
    const controller = new AbortController();
    const done = runEmulator(
      optionsWith({ devices: fixture('devices.json'), serviceAccount: file }),
      io,
      controller.signal,
    );
    await waitFor(() => io.stdout.includes('\n'));
    controller.abort();
    await done;
    expect(accountAtUrl).toBe(true);
    expect(io.stderr).toMatch(/^v1: trusting .* from .*account\.json;/m);
    expect(io.stderr.match(/^device /gm)).toHaveLength(3);
  });

  it('queues --fault flags and applies --latency to sends', async () => {
    const running = await startCommand({ faults: ['503:1:7'], latency: 20 });
    try {
      const faulted = await sendTo(running.url, 'made-up');
      expect(faulted.status).toBe(503);
      expect(faulted.headers.get('retry-after')).toBe('7');
      expect((await sendTo(running.url, 'made-up')).status).toBe(200);
    } finally {
      await running.stop();
    }

    const durations = [...running.io.stderr.matchAll(/ (\d+) ms/g)].map((m) => Number(m[1]));
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(15);
  });

  it('shows only the tail of a registration ID in request logs', async () => {
    const running = await startCommand({ devices: fixture('devices.json') });
    const id = /^device (\S{100,}) /m.exec(running.io.stderr)?.[1] ?? '';
    const origin = running.url.replace('/fcm/send', '');
    await fetch(`${origin}/emulator/devices/${encodeURIComponent(id)}/topics`, {
      method: 'POST',
      body: '{"topic":"news"}',
    });
    await running.stop();

    const logLine = running.io.stderr
      .split('\n')
      .find((line) => line.endsWith('ms') && line.includes('/topics'));
    const tail = encodeURIComponent(id).slice(-6);
    expect(logLine).toMatch(
      new RegExp(`^POST /emulator/devices/\\.\\.\\.${tail}/topics 204 \\d+ ms$`),
    );
    expect(running.io.stderr.split(id)).toHaveLength(2);
  });

  it('names the port and suggests --port 0 when the port is taken', async () => {
    const taken = createServer();
    blocker = taken;
    await new Promise<void>((resolve) => taken.listen(0, '127.0.0.1', resolve));
    const port = (taken.address() as { port: number }).port;

    const running = runEmulator(optionsWith({ port }), captureIo(), new AbortController().signal);

    await expect(running).rejects.toThrow(UsageError);
    await expect(running).rejects.toThrow(String(port));
    await expect(running).rejects.toMatchObject({ hint: expect.stringContaining('--port 0') });
  });

  const badFlags: Array<[string, Partial<EmulatorCommandOptions>, RegExp]> = [
    ['a negative port', { port: -1 }, /port -1/],
    ['a port above 65535', { port: 70000 }, /port 70000/],
    ['a port that is not a number', { port: Number.NaN }, /port NaN/],
    ['a fault without a count', { faults: ['503'] }, /fault "503"/],
    ['a fault with status 404', { faults: ['404:1'] }, /fault "404:1"/],
    ['a fault with a bad Retry-After', { faults: ['503:1:soon'] }, /retry_after/],
    ['a negative latency', { latency: -5 }, /latency -5/],
    ['an empty API key', { keys: [''] }, /key/],
    ['a missing devices file', { devices: fixture('missing.json') }, /missing\.json.*ENOENT/],
    ['a truncated devices file', { devices: fixture('devices-truncated.txt') }, /not valid JSON/],
    ['a devices file without an array', { devices: fixture('devices-not-array.json') }, /array/],
    [
      'a devices file with an unknown behaviour',
      { devices: fixture('devices-bad-behavior.json') },
      /entry 2: unknown behavior "flaky"/,
    ],
    [
      'a devices file repeating an ID',
      { devices: fixture('devices-duplicate.json') },
      /entry 2: registration_id repeats entry 1/,
    ],
  ];

  it.each(badFlags)('throws a UsageError with a hint for %s', async (_name, changes, message) => {
    const io = captureIo();
    const running = runEmulator(optionsWith(changes), io, new AbortController().signal);

    const error = (await running.catch((caught: unknown) => caught)) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toMatch(message);
    expect(error.message).not.toContain('\n');
    expect(error.hint).toEqual(expect.any(String));
    expect(io.stdout).toBe('');
  });
});
