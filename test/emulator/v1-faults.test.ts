import { beforeEach, describe, expect, it } from 'vitest';
import { addDevice, addFault, callControl, sendJson } from './helpers.js';
import { readErrorCode, readName, readV1Error, sendV1, useV1Emulator } from './v1-helpers.js';

const v1 = useV1Emulator();
let device: string;

beforeEach(async () => {
  device = await addDevice(v1.emulator);
});

function send(): Promise<Response> {
  return v1.send({ token: device });
}

describe('status faults on the v1 route', () => {
  const shapes: Array<[number, string, string]> = [
    [429, 'RESOURCE_EXHAUSTED', 'QUOTA_EXCEEDED'],
    [503, 'UNAVAILABLE', 'UNAVAILABLE'],
    [500, 'INTERNAL', 'INTERNAL'],
  ];

  it.each(shapes)('answer %i in the v1 error shape as %s / %s', async (status, name, code) => {
    await addFault(v1.emulator, { status, count: 1, retry_after: '7' });

    const faulted = await send();

    expect(faulted.headers.get('retry-after')).toBe('7');
    const error = await readV1Error(faulted, status);
    expect(error.status).toBe(name);
    expect(readErrorCode(error)).toBe(code);
    await readName(await send());
    expect(v1.emulator.messages()).toHaveLength(1);
  });

  it('answers other 5xx statuses with the HTML page a front end would serve', async () => {
    const date = 'Wed, 21 Oct 2026 07:28:00 GMT';
    await addFault(v1.emulator, { status: 502, count: 1, retry_after: date });

    const faulted = await send();

    expect(faulted.status).toBe(502);
    expect(faulted.headers.get('content-type')).toMatch(/^text\/html/);
    expect(faulted.headers.get('retry-after')).toBe(date);
    expect(await faulted.text()).toContain('Error 502');
  });

  it('leaves out Retry-After when the fault gives none', async () => {
    await addFault(v1.emulator, { status: 429, count: 2 });

    const first = await send();
    const second = await send();

    expect([first.status, second.status]).toEqual([429, 429]);
    expect(first.headers.get('retry-after')).toBeNull();
    await readName(await send());
  });

  it('answers the fault before looking at the credentials', async () => {
    await addFault(v1.emulator, { status: 503, count: 1 });

    const response = await sendV1(v1.emulator, { message: { token: device } }, { token: null });

    expect(response.status).toBe(503);
  });
});

describe('other faults on the v1 route', () => {
  it('cuts the connection after delivering the message on a drop', async () => {
    await addFault(v1.emulator, { drop: 1 });

    const reading = send().then((response) => response.text());

    await expect(reading).rejects.toThrow();
    expect(v1.emulator.messages(device)).toHaveLength(1);
    await readName(await send());
  });

  it('serves normally after a latency fault and uses it up', async () => {
    await addFault(v1.emulator, { latency_ms: 5, count: 1 });

    await readName(await send());

    const pending = await callControl(v1.emulator, 'GET', '/emulator/faults');
    expect(await pending.json()).toEqual([]);
  });

  it('shares one queue with the legacy route, in order of arrival', async () => {
    await addFault(v1.emulator, { status: 503, count: 1 });
    await addFault(v1.emulator, { status: 429, count: 1 });

    const legacy = await sendJson(v1.emulator, { to: device });
    const modern = await send();

    expect([legacy.status, modern.status]).toEqual([503, 429]);
    expect(legacy.headers.get('content-type')).toMatch(/^text\/html/);
    expect(readErrorCode(await readV1Error(modern, 429))).toBe('QUOTA_EXCEEDED');
  });
});
