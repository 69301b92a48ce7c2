import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { parseFaultFlag } from '../../src/emulator/faults.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { addDevice, addFault, callControl, sendJson } from './helpers.js';

let emulator: RunningEmulator;
let device: string;

beforeEach(async () => {
  emulator = await startEmulator({ port: 0 });
  device = await addDevice(emulator);
});

afterEach(async () => {
  await emulator.close();
});

async function sendStatus(): Promise<number> {
  const response = await sendJson(emulator, { to: device });
  await response.arrayBuffer();
  return response.status;
}

describe('status faults', () => {
  it('answers 503 with Retry-After in seconds for the next send only', async () => {
    await addFault(emulator, { status: 503, count: 1, retry_after: '2' });

    const faulted = await sendJson(emulator, { to: device });

    expect(faulted.status).toBe(503);
    expect(faulted.headers.get('retry-after')).toBe('2');
    expect(await faulted.text()).toContain('Error 503');
    expect(await sendStatus()).toBe(200);
    expect(emulator.messages()).toHaveLength(1);
  });

  it('passes an HTTP-date Retry-After through unchanged', async () => {
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT';
    await addFault(emulator, { status: 500, count: 1, retry_after: date });

    const faulted = await sendJson(emulator, { to: device });

    expect(faulted.status).toBe(500);
    expect(faulted.headers.get('retry-after')).toBe(date);
  });

  it('repeats a fault for its count, then serves normally', async () => {
    await addFault(emulator, { status: 429, count: 2 });

    const statuses = [await sendStatus(), await sendStatus(), await sendStatus()];

    expect(statuses).toEqual([429, 429, 200]);
  });
});

describe('latency and dropped connections', () => {
  it('delays a send, serves it normally and uses the fault up', async () => {
    await addFault(emulator, { latency_ms: 20, count: 1 });
    await addFault(emulator, { status: 503, count: 1 });

    expect(await sendStatus()).toBe(200);
    const pending = await callControl(emulator, 'GET', '/emulator/faults');
    expect(await pending.json()).toEqual([{ status: 503, count: 1 }]);
  });

  it('cuts the connection mid-response after delivering the message', async () => {
    await addFault(emulator, { drop: 1 });

    const reading = sendJson(emulator, { to: device }).then((response) => response.text());

    await expect(reading).rejects.toThrow();
    expect(emulator.messages(device)).toHaveLength(1);
    expect(await sendStatus()).toBe(200);
  });

  it('adds the server-wide latency to every send', async () => {
    const durations: number[] = [];
    const slow = await startEmulator({
      port: 0,
      latencyMs: 20,
      onRequest: (event) => durations.push(event.durationMs),
    });
    try {
      const id = slow.registerDevice({}).registration_id;
      await (await sendJson(slow, { to: id })).arrayBuffer();
      await (await sendJson(slow, { to: id })).arrayBuffer();
    } finally {
      await slow.close();
    }

    expect(durations).toHaveLength(2);
    // Timers never fire early by more than clock rounding; the bound stays loose on purpose.
    expect(Math.min(...durations)).toBeGreaterThanOrEqual(15);
  });
});

describe('the fault queue', () => {
  it('applies faults in the order they arrived', async () => {
    await addFault(emulator, { status: 503, count: 1 });
    await addFault(emulator, { drop: 1 });
    await addFault(emulator, { status: 429, count: 1 });

    const first = await sendStatus();
    const second = sendJson(emulator, { to: device }).then((response) => response.text());
    await expect(second).rejects.toThrow();

    expect([first, await sendStatus(), await sendStatus()]).toEqual([503, 429, 200]);
  });

  it('never applies faults to control requests', async () => {
    await addFault(emulator, { status: 503, count: 1 });

    const listing = await callControl(emulator, 'GET', '/emulator/messages');
    const created = await callControl(emulator, 'POST', '/emulator/devices', {});

    expect([listing.status, created.status]).toEqual([200, 201]);
    expect(await sendStatus()).toBe(503);
  });

  it('forgets every fault on DELETE', async () => {
    await addFault(emulator, { status: 503, count: 5 });

    const cleared = await callControl(emulator, 'DELETE', '/emulator/faults');

    expect(cleared.status).toBe(204);
    expect(await sendStatus()).toBe(200);
  });

  it('stores nothing for a send answered by a status fault', async () => {
    await addFault(emulator, { status: 500, count: 1 });

    expect(await sendStatus()).toBe(500);
    expect(emulator.messages()).toEqual([]);
  });

  const badFaults: Array<[string, unknown]> = [
    ['a status outside 429 and 5xx', { status: 404, count: 1 }],
    ['a missing count', { status: 503 }],
    ['a zero drop count', { drop: 0 }],
    ['two shapes at once', { status: 503, count: 1, latency_ms: 5 }],
    [
      'a Retry-After that is neither seconds nor a date',
      { status: 503, count: 1, retry_after: 'soon' },
    ],
    ['a negative latency', { latency_ms: -5, count: 1 }],
    ['a body that is not an object', [1]],
  ];

  it.each(badFaults)('answers 400 with a JSON error to %s', async (_name, fault) => {
    const response = await callControl(emulator, 'POST', '/emulator/faults', fault);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });
});

describe('fault flags', () => {
  it('reads STATUS:COUNT and keeps the colons of an HTTP-date Retry-After', () => {
    expect(parseFaultFlag('503:2')).toEqual({ ok: true, value: { status: 503, count: 2 } });
    expect(parseFaultFlag('500:1:Wed, 21 Oct 2026 07:28:00 GMT')).toEqual({
      ok: true,
      value: { status: 500, count: 1, retry_after: 'Wed, 21 Oct 2026 07:28:00 GMT' },
    });
  });

  it.each(['503', 'abc:1', '503:x', '200:1', '503:0', '503:1:later'])(
    'refuses the flag %s',
    (flag) => {
      expect(parseFaultFlag(flag).ok).toBe(false);
    },
  );
});
