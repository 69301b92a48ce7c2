/**
 * The emulator's two fault kinds the soak added: `truncate` (served and delivered, but the
 * answer's body cut in half and sent as if whole) and `html` (a 200 HTML page in place of the
 * service, nothing delivered). The older shapes are covered in test/emulator/faults.test.ts.
 */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { RequestEvent } from '../../src/emulator/server.js';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { addDevice, addFault, callControl, sendJson } from '../emulator/helpers.js';
import { useV1Emulator } from '../emulator/v1-helpers.js';

let emulator: RunningEmulator;
let device: string;
let events: RequestEvent[];

beforeEach(async () => {
  events = [];
  emulator = await startEmulator({
    port: 0,
    onRequest: (event) => {
      if (event.path === '/fcm/send') events.push(event);
    },
  });
  device = await addDevice(emulator);
});

afterEach(() => emulator.close());

describe('truncate faults', () => {
  it('deliver the message, then answer the first half of the body with a clean end', async () => {
    await addFault(emulator, { truncate: 1 });

    const cut = await sendJson(emulator, { registration_ids: [device] });
    const text = await cut.text();
    const whole = await (await sendJson(emulator, { registration_ids: [device] })).text();

    expect(cut.status).toBe(200);
    expect(Number(cut.headers.get('content-length'))).toBe(Buffer.byteLength(text));
    expect(text.length).toBeGreaterThan(0);
    expect(whole.length).toBeGreaterThan(text.length);
    expect(() => JSON.parse(text)).toThrow(SyntaxError);
    expect(emulator.messages(device)).toHaveLength(2);
    expect(events.map((event) => event.fault)).toEqual(['truncate', undefined]);
  });

  it('count down in the control API like drop faults', async () => {
    await addFault(emulator, { truncate: 2 });
    await (await sendJson(emulator, { to: device })).arrayBuffer();

    const pending = await callControl(emulator, 'GET', '/emulator/faults');

    expect(await pending.json()).toEqual([{ truncate: 1 }]);
  });
});

describe('html faults', () => {
  it('answer 200 with an HTML page and deliver nothing', async () => {
    await addFault(emulator, { html: 1 });

    const page = await sendJson(emulator, { registration_ids: [device] });

    expect(page.status).toBe(200);
    expect(page.headers.get('content-type')).toMatch(/^text\/html/);
    expect(await page.text()).toMatch(/^<!DOCTYPE html>/);
    expect(emulator.messages()).toEqual([]);
    expect(events[0]?.fault).toBe('html');
  });

  const v1 = useV1Emulator();

  it('answer the same page on the v1 route', async () => {
    const token = await addDevice(v1.emulator);
    await addFault(v1.emulator, { html: 1 });

    const page = await v1.send({ token });

    expect(page.status).toBe(200);
    expect(await page.text()).toContain('Sign in to the network');
    expect(v1.emulator.messages()).toEqual([]);
  });
});

describe('the new fault shapes in the control API', () => {
  it.each([
    ['a zero truncate count', { truncate: 0 }, '"truncate" must be a whole number'],
    ['an html count that is not a number', { html: 'yes' }, '"html" must be a whole number'],
    ['two counted shapes at once', { truncate: 1, drop: 1 }, 'ambiguous fault'],
    ['a count field beside html', { html: 1, count: 1 }, 'unknown fault field "count"'],
  ])('refuse %s with 400', async (_what, fault, reason) => {
    const response = await callControl(emulator, 'POST', '/emulator/faults', fault);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ error: expect.stringContaining(reason) });
  });
});
