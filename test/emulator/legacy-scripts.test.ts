import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import {
  addDevice,
  callControl,
  readMulticast,
  sendJson,
  subscribeDevice,
  type MulticastAnswer,
} from './helpers.js';

let emulator: RunningEmulator;

beforeEach(async () => {
  emulator = await startEmulator({ port: 0 });
});

afterEach(async () => {
  await emulator.close();
});

async function sendTo(id: string, fields: object = {}): Promise<MulticastAnswer> {
  return readMulticast(await sendJson(emulator, { to: id, ...fields }));
}

async function sendRaw(body: object): Promise<string> {
  const response = await sendJson(emulator, body);
  expect(response.status).toBe(200);
  return response.text();
}

describe('scripted device behaviours', () => {
  it('hands out a canonical ID once, then retires the old ID', async () => {
    const oldId = await addDevice(emulator, { behavior: 'canonical', package: 'com.example.news' });

    const first = await sendTo(oldId);
    const newId = first.results[0]?.registration_id ?? '';
    expect(first.results[0]?.message_id).toBeDefined();
    expect(first.canonical_ids).toBe(1);
    expect(newId).not.toBe(oldId);
    expect(newId.length).toBeGreaterThan(140);

    expect((await sendTo(oldId)).results).toEqual([{ error: 'NotRegistered' }]);
    const third = await sendTo(newId);
    expect(third.results[0]).toEqual({ message_id: expect.any(String) });
    const devices = (await (
      await callControl(emulator, 'GET', '/emulator/devices')
    ).json()) as Array<Record<string, unknown>>;
    expect(devices.find((device) => device.registration_id === newId)).toMatchObject({
      package: 'com.example.news',
      behavior: 'ok',
    });
  });

  it('answers Unavailable for the given number of sends, then accepts', async () => {
    const id = await addDevice(emulator, { behavior: 'unavailable', times: 2 });

    const errors = [];
    for (let attempt = 0; attempt < 3; attempt += 1) {
      errors.push((await sendTo(id)).results[0]?.error);
    }

    expect(errors).toEqual(['Unavailable', 'Unavailable', undefined]);
    expect(emulator.messages(id)).toHaveLength(1);
  });

  it('answers InternalServerError once by default, then accepts', async () => {
    const id = await addDevice(emulator, { behavior: 'internal-error' });

    expect((await sendTo(id)).results).toEqual([{ error: 'InternalServerError' }]);
    expect((await sendTo(id)).results[0]?.message_id).toBeDefined();
  });

  it('issues realistic registration IDs', async () => {
    const id = await addDevice(emulator);

    expect(id.length).toBeGreaterThan(140);
    expect(id).toMatch(/^[A-Za-z0-9_-]{11}:[A-Za-z0-9_-]+$/);
  });
});

describe('topics and conditions', () => {
  it('delivers a topic send to every subscribed device and answers a numeric ID', async () => {
    const reader = await addDevice(emulator);
    const other = await addDevice(emulator);
    const bystander = await addDevice(emulator);
    await subscribeDevice(emulator, reader, 'news');
    await subscribeDevice(emulator, other, 'news');
    await subscribeDevice(emulator, bystander, 'sports');

    const text = await sendRaw({ to: '/topics/news', data: { headline: 'hi' } });

    expect(text).toMatch(/^\{"message_id":\d{19}\}$/);
    const stored = emulator.messages();
    expect(stored.map((message) => message.registration_id).sort()).toEqual([reader, other].sort());
    expect(stored[0]).toMatchObject({ topic: 'news', data: { headline: 'hi' } });
    expect(stored[0]?.message_id).toBe(/\d{19}/.exec(text)?.[0]);
  });

  it('limits topic payloads to 2048 bytes', async () => {
    const text = await sendRaw({ to: '/topics/news', data: { text: 'x'.repeat(2040) } });

    expect(JSON.parse(text)).toEqual({ error: 'MessageTooBig' });
  });

  it('delivers a condition send only to devices whose topics satisfy it', async () => {
    const both = await addDevice(emulator);
    const onlyA = await addDevice(emulator);
    const aAndC = await addDevice(emulator);
    await subscribeDevice(emulator, both, 'a');
    await subscribeDevice(emulator, both, 'b');
    await subscribeDevice(emulator, onlyA, 'a');
    await subscribeDevice(emulator, aAndC, 'a');
    await subscribeDevice(emulator, aAndC, 'c');
    const condition = "'a' in topics && ('b' in topics || 'c' in topics)";

    const text = await sendRaw({ condition });

    expect(text).toMatch(/^\{"message_id":\d{19}\}$/);
    const receivers = emulator.messages().map((message) => message.registration_id);
    expect(receivers.sort()).toEqual([both, aAndC].sort());
    expect(emulator.messages(both)[0]?.condition).toBe(condition);
  });
});

describe('dry runs', () => {
  it('validates and answers without storing anything', async () => {
    const id = await addDevice(emulator);
    const answer = await sendTo(id, { dry_run: true, data: { a: '1' } });

    expect(answer.results).toEqual([{ message_id: 'fake_message_id' }]);
    expect(await sendRaw({ to: '/topics/news', dry_run: true })).toMatch(/"message_id":\d+/);
    expect(emulator.messages()).toEqual([]);
  });

  it('still reports per-ID errors without using up scripted failures', async () => {
    const id = await addDevice(emulator, { behavior: 'unavailable', times: 1 });

    expect((await sendTo(id, { dry_run: true })).results).toEqual([{ error: 'Unavailable' }]);
    expect((await sendTo(id)).results).toEqual([{ error: 'Unavailable' }]);
    expect((await sendTo(id)).results[0]?.message_id).toBeDefined();
  });

  it('shows the canonical ID a real send will issue, without issuing it', async () => {
    const id = await addDevice(emulator, { behavior: 'canonical' });

    const dry = await sendTo(id, { dry_run: true });
    const real = await sendTo(id);

    expect(dry.results[0]?.registration_id).toBeDefined();
    expect(real.results[0]?.registration_id).toBe(dry.results[0]?.registration_id);
  });
});

describe('identifiers', () => {
  it('writes multicast_id as a bare integer literal beyond 2^53', async () => {
    const id = await addDevice(emulator);
    const text = await sendRaw({ to: id });

    const literal = /^\{"multicast_id":(\d+),/.exec(text)?.[1] ?? '0';
    expect(literal).toHaveLength(19);
    expect(BigInt(literal) > 2n ** 53n).toBe(true);
  });

  it('never repeats a message_id or a multicast_id', async () => {
    const ids = [await addDevice(emulator), await addDevice(emulator), await addDevice(emulator)];
    const texts = await Promise.all(
      Array.from({ length: 30 }, () => sendRaw({ registration_ids: ids })),
    );

    const answers = texts.map((text) => JSON.parse(text) as MulticastAnswer);
    const messageIds = answers.flatMap((answer) => answer.results.map((r) => r.message_id));
    const multicastIds = texts.map((text) => /"multicast_id":(\d+)/.exec(text)?.[1]);
    expect(new Set(messageIds).size).toBe(90);
    expect(new Set(multicastIds).size).toBe(30);
  });
});
