import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { addDevice, callControl, sendJson, subscribeDevice } from './helpers.js';

const START = Date.parse('2026-03-01T12:00:00.000Z');
let emulator: RunningEmulator;
let now: number;

beforeEach(async () => {
  now = START;
  emulator = await startEmulator({ port: 0, clock: () => now });
});

afterEach(async () => {
  await emulator.close();
});

describe('POST /emulator/devices', () => {
  it('registers a default device with exactly the documented fields', async () => {
    const response = await callControl(emulator, 'POST', '/emulator/devices');

    expect(response.status).toBe(201);
    expect(await response.json()).toEqual({
      registration_id: expect.stringMatching(/^[A-Za-z0-9_-]{11}:/),
      package: 'com.example.app',
      behavior: 'ok',
      times: 1,
    });
  });

  it('echoes the package, behaviour and times it was given', async () => {
    const spec = { package: 'com.example.shop', behavior: 'unavailable', times: 3 };
    const response = await callControl(emulator, 'POST', '/emulator/devices', spec);

    expect(await response.json()).toMatchObject(spec);
  });

  const badSpecs: Array<[string, unknown]> = [
    ['an unknown behaviour', { behavior: 'flaky' }],
    ['a times of zero', { behavior: 'unavailable', times: 0 }],
    ['a package that is a number', { package: 5 }],
    ['a misspelt field', { behaviour: 'ok' }],
    ['a JSON array', [{}]],
    ['text that is not JSON', 'behavior=ok'],
  ];

  it.each(badSpecs)('answers 400 with a JSON error to %s', async (_name, body) => {
    const response = await callControl(emulator, 'POST', '/emulator/devices', body);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });

  it('answers 409 when the given registration_id is taken', async () => {
    await addDevice(emulator, { registration_id: 'my-device' });
    const again = await callControl(emulator, 'POST', '/emulator/devices', {
      registration_id: 'my-device',
    });

    expect(again.status).toBe(409);
  });

  it('registers in-process devices the same way and refuses a taken ID', () => {
    const device = emulator.registerDevice({ registration_id: 'in-process', package: 'com.a' });

    expect(device).toEqual({
      registration_id: 'in-process',
      package: 'com.a',
      behavior: 'ok',
      times: 1,
    });
    expect(() => emulator.registerDevice({ registration_id: 'in-process' })).toThrow(/already/);
  });
});

describe('POST /emulator/devices/:id/topics', () => {
  it('subscribes a device, as the device listing shows', async () => {
    const id = await addDevice(emulator);
    await subscribeDevice(emulator, id, 'news');
    await subscribeDevice(emulator, id, '/topics/weather');

    const listing = await callControl(emulator, 'GET', '/emulator/devices');

    expect(await listing.json()).toEqual([
      expect.objectContaining({ topics: ['news', 'weather'] }),
    ]);
  });

  it('answers 404 with a JSON error for an unknown device', async () => {
    const response = await callControl(emulator, 'POST', '/emulator/devices/nobody/topics', {
      topic: 'news',
    });

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: expect.any(String) });
  });

  it('answers 400 to a topic name outside the allowed characters', async () => {
    const id = await addDevice(emulator);
    const path = `/emulator/devices/${encodeURIComponent(id)}/topics`;
    const response = await callControl(emulator, 'POST', path, { topic: 'bad topic' });

    expect(response.status).toBe(400);
  });
});

describe('the inbox', () => {
  it('lists messages oldest first with their fields and received_at from the clock', async () => {
    const id = await addDevice(emulator);
    await sendJson(emulator, {
      to: id,
      data: { n: '1' },
      collapse_key: 'scores',
      priority: 'high',
      time_to_live: 60,
    });
    now += 1000;
    await sendJson(emulator, { to: id, notification: { title: 'second' } });

    const response = await callControl(emulator, 'GET', '/emulator/messages');
    const messages = (await response.json()) as Array<Record<string, unknown>>;

    expect(messages).toEqual([
      {
        registration_id: id,
        message_id: expect.stringMatching(/^0:/),
        data: { n: '1' },
        notification: null,
        protocol: 'legacy',
        received_at: '2026-03-01T12:00:00.000Z',
        collapse_key: 'scores',
        priority: 'high',
        time_to_live: 60,
      },
      expect.objectContaining({
        notification: { title: 'second' },
        data: null,
        received_at: '2026-03-01T12:00:01.000Z',
      }),
    ]);
  });

  it('filters by ?to= and empties on DELETE', async () => {
    const first = await addDevice(emulator);
    const second = await addDevice(emulator);
    await sendJson(emulator, { registration_ids: [first, second, first] });

    const filtered = await callControl(
      emulator,
      'GET',
      `/emulator/messages?to=${encodeURIComponent(first)}`,
    );
    const cleared = await callControl(emulator, 'DELETE', '/emulator/messages');

    expect(((await filtered.json()) as unknown[]).length).toBe(2);
    expect(cleared.status).toBe(204);
    expect(emulator.messages()).toEqual([]);
  });
});

describe('routing and limits', () => {
  it('answers 404 to an unknown path', async () => {
    const control = await callControl(emulator, 'GET', '/emulator/nothing');
    const other = await callControl(emulator, 'GET', '/v1/somewhere');

    expect([control.status, other.status]).toEqual([404, 404]);
    expect(await control.json()).toEqual({ error: expect.stringContaining('/emulator/nothing') });
  });

  it('answers 405 with an Allow header to a wrong method', async () => {
    const send = await callControl(emulator, 'GET', '/fcm/send');
    const control = await callControl(emulator, 'PUT', '/emulator/messages');

    expect([send.status, control.status]).toEqual([405, 405]);
    expect(send.headers.get('allow')).toBe('POST');
    expect(control.headers.get('allow')).toBe('GET, DELETE');
  });

  it('answers 413 to a body over the size limit', async () => {
    const small = await startEmulator({ port: 0, maxBodyBytes: 1024 });
    try {
      const response = await sendJson(small, { to: 'x', data: { text: 'x'.repeat(2000) } });

      expect(response.status).toBe(413);
      expect(small.messages()).toEqual([]);
    } finally {
      await small.close();
    }
  });

  it('starts with the devices and faults it was given', async () => {
    const seeded = await startEmulator({
      port: 0,
      devices: [{ registration_id: 'seeded', behavior: 'not-registered' }],
      faults: [{ status: 503, count: 1 }],
    });
    try {
      const faulted = await sendJson(seeded, { to: 'seeded' });
      const answered = await sendJson(seeded, { to: 'seeded' });

      expect(faulted.status).toBe(503);
      expect(await answered.json()).toMatchObject({ results: [{ error: 'NotRegistered' }] });
    } finally {
      await seeded.close();
    }
  });

  it('closes promptly while a send is still waiting on its latency', async () => {
    const slow = await startEmulator({ port: 0, faults: [{ latency_ms: 600_000, count: 1 }] });
    const pending = sendJson(slow, { to: 'x' });
    await new Promise((resolve) => setTimeout(resolve, 20));

    const outcome = await Promise.race([
      slow.close().then(() => 'closed'),
      new Promise((resolve) => setTimeout(() => resolve('still open'), 2000).unref()),
    ]);

    expect(outcome).toBe('closed');
    await expect(pending).rejects.toThrow();
  });
});
