import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { addDevice, KEY, readMulticast, sendJson } from './helpers.js';

let emulator: RunningEmulator;

beforeEach(async () => {
  emulator = await startEmulator({ port: 0 });
});

afterEach(async () => {
  await emulator.close();
});

describe('authorization', () => {
  it('answers 401 with an HTML page when the Authorization header is missing', async () => {
    const id = await addDevice(emulator);
    const response = await sendJson(emulator, { to: id }, { key: null });

    expect(response.status).toBe(401);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const page = await response.text();
    expect(page).toContain('<TITLE>Unauthorized</TITLE>');
    expect(page).toContain('Error 401');
    expect(emulator.messages()).toEqual([]);
  });

  it('refuses an empty key even when any key is accepted', async () => {
    const response = await sendJson(emulator, { to: 'x' }, { key: '' });

    expect(response.status).toBe(401);
  });

  it('accepts only the configured keys when a list is given', async () => {
    const strict = await startEmulator({ port: 0, keys: ['first', 'second'] });
    try {
      const wrong = await sendJson(strict, { to: 'x' }, { key: KEY });
      const right = await sendJson(strict, { to: 'x' }, { key: 'second' });

      expect(wrong.status).toBe(401);
      expect(right.status).toBe(200);
    } finally {
      await strict.close();
    }
  });

  it('serves the old GCM path as well as the FCM one', async () => {
    const id = await addDevice(emulator);
    const answer = await readMulticast(await sendJson(emulator, { to: id }, { path: '/gcm/send' }));

    expect(answer.results[0]?.message_id).toBeDefined();
  });
});

describe('requests Google refused with 400', () => {
  const cases: Array<[string, unknown, RegExp]> = [
    ['malformed JSON', '{"to": ', /JSON_PARSING_ERROR/],
    ['a JSON array body', '[1, 2]', /must be a JSON object/],
    ['a body with no target', { data: { a: '1' } }, /Missing target/],
    ['two target fields', { to: 'a', registration_ids: ['b'] }, /only one target/],
    ['registration_ids that is not an array', { registration_ids: 'abc' }, /JSON array/],
    ['registration_ids holding a number', { registration_ids: ['a', 7] }, /only strings/],
    ['empty registration_ids', { registration_ids: [] }, /must not be empty/],
    ['a string time_to_live', { to: 'a', time_to_live: '60' }, /"time_to_live".*number/],
    ['data that is a string', { to: 'a', data: 'hello' }, /"data".*object/],
    ['notification that is an array', { to: 'a', notification: [] }, /"notification".*object/],
    ['dry_run that is a string', { to: 'a', dry_run: 'true' }, /"dry_run".*boolean/],
    ['an unknown priority', { to: 'a', priority: 'urgent' }, /"normal" or "high"/],
    ['a topic name with a space', { to: '/topics/bad name' }, /Invalid topic name/],
    ['a condition that does not parse', { condition: "'a' in topics &&" }, /condition/],
  ];

  it.each(cases)('answers 400 in plain text to %s', async (_name, body, reason) => {
    const response = await sendJson(emulator, body);

    expect(response.status).toBe(400);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
    expect(await response.text()).toMatch(reason);
  });

  it('accepts 1000 registration IDs and refuses 1001', async () => {
    const ids = Array.from({ length: 1001 }, (_, index) => `made-up-${index}`);
    const atLimit = await readMulticast(
      await sendJson(emulator, { registration_ids: ids.slice(1) }),
    );
    const overLimit = await sendJson(emulator, { registration_ids: ids });

    expect(atLimit.results).toHaveLength(1000);
    expect(overLimit.status).toBe(400);
    expect(await overLimit.text()).toContain('1001');
  });
});

describe('per-recipient results', () => {
  it('answers each ID in request order with success and failure counts', async () => {
    const good = await addDevice(emulator);
    const gone = await addDevice(emulator, { behavior: 'not-registered' });
    const response = await sendJson(emulator, { registration_ids: [gone, good, 'made-up', ''] });

    expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
    const answer = await readMulticast(response);
    expect(answer.results.map((result) => result.error)).toEqual([
      'NotRegistered',
      undefined,
      'InvalidRegistration',
      'MissingRegistration',
    ]);
    expect(answer.results[1]?.message_id).toMatch(/^0:\d+%[0-9a-f]+$/);
    expect([answer.success, answer.failure, answer.canonical_ids]).toEqual([1, 3, 0]);
  });

  it('answers InvalidPackageName when restricted_package_name differs', async () => {
    const id = await addDevice(emulator, { package: 'com.example.shop' });
    const other = await sendJson(emulator, { to: id, restricted_package_name: 'com.other' });
    const same = await sendJson(emulator, { to: id, restricted_package_name: 'com.example.shop' });

    expect((await readMulticast(other)).results).toEqual([{ error: 'InvalidPackageName' }]);
    expect((await readMulticast(same)).results[0]?.message_id).toBeDefined();
  });

  const messageErrors: Array<[string, object, string]> = [
    ['data over 4096 bytes', { data: { text: 'x'.repeat(4090) } }, 'MessageTooBig'],
    [
      'data and notification together over 4096 bytes',
      { data: { a: 'x'.repeat(2040) }, notification: { body: 'y'.repeat(2040) } },
      'MessageTooBig',
    ],
    ['the reserved data key "from"', { data: { from: 'me' } }, 'InvalidDataKey'],
    ['the reserved data key "message_type"', { data: { message_type: 'x' } }, 'InvalidDataKey'],
    ['a data key starting with google', { data: { 'google.sent_time': '1' } }, 'InvalidDataKey'],
    ['a data key starting with gcm', { data: { gcm_thing: '1' } }, 'InvalidDataKey'],
    ['a negative time_to_live', { time_to_live: -1 }, 'InvalidTtl'],
    ['a time_to_live over four weeks', { time_to_live: 2_419_201 }, 'InvalidTtl'],
    ['a fractional time_to_live', { time_to_live: 1.5 }, 'InvalidTtl'],
  ];

  it.each(messageErrors)('gives every recipient an error for %s', async (_name, fields, code) => {
    const first = await addDevice(emulator);
    const second = await addDevice(emulator);
    const response = await sendJson(emulator, { registration_ids: [first, second], ...fields });

    const answer = await readMulticast(response);
    expect(answer.results).toEqual([{ error: code }, { error: code }]);
    expect(answer.failure).toBe(2);
    expect(emulator.messages()).toEqual([]);
  });

  it('accepts a payload of exactly 4096 bytes and a time_to_live of four weeks', async () => {
    const id = await addDevice(emulator);
    // JSON.stringify({text: ...}) adds 11 bytes around the value.
    const data = { text: 'é'.repeat(2042) + 'x' };
    const response = await sendJson(emulator, { to: id, data, time_to_live: 2_419_200 });

    expect(Buffer.byteLength(JSON.stringify(data))).toBe(4096);
    expect((await readMulticast(response)).results[0]?.error).toBeUndefined();
  });
});
