import { describe, expect, it } from 'vitest';
import { addDevice, callControl, KEY, sendJson } from './helpers.js';
import {
  PROJECT,
  readErrorCode,
  readName,
  readReason,
  readV1Error,
  readViolationFields,
  sendV1,
  useV1Emulator,
  TEST_ACCOUNT,
} from './v1-helpers.js';

const v1 = useV1Emulator();

describe('authentication', () => {
  const refused: Array<[string, { token: string | null; authorization?: string }, string]> = [
    ['no Authorization header', { token: null }, 'CREDENTIALS_MISSING'],
    ['a legacy server key', { token: null, authorization: `key=${KEY}` }, 'CREDENTIALS_MISSING'],
    ['a bearer token it never issued', { token: 'ya29.made-up' }, 'ACCESS_TOKEN_TYPE_UNSUPPORTED'],
  ];

  it.each(refused)(
    'answers 401 UNAUTHENTICATED without FcmError to %s',
    async (_name, auth, reason) => {
      const device = await addDevice(v1.emulator);

      const response = await sendV1(v1.emulator, { message: { token: device } }, auth);

      expect(response.headers.get('www-authenticate')).toMatch(/^Bearer /);
      const error = await readV1Error(response, 401);
      expect(error.status).toBe('UNAUTHENTICATED');
      expect(readErrorCode(error)).toBeUndefined();
      expect(readReason(error)).toBe(reason);
      expect(v1.emulator.messages()).toEqual([]);
    },
  );

  it("answers 403 PERMISSION_DENIED without FcmError for another project's path", async () => {
    const device = await addDevice(v1.emulator);

    const response = await sendV1(
      v1.emulator,
      { message: { token: device } },
      { token: v1.token, project: 'other-project' },
    );

    const error = await readV1Error(response, 403);
    expect(error.status).toBe('PERMISSION_DENIED');
    expect(error.message).toContain('other-project');
    expect(error.message).toContain(TEST_ACCOUNT.client_email);
    expect(readErrorCode(error)).toBeUndefined();
    expect(readReason(error)).toBe('IAM_PERMISSION_DENIED');
    expect(v1.emulator.messages()).toEqual([]);
  });

  it("checks the token before the body, as Google's front end does", async () => {
    const response = await sendV1(v1.emulator, '{not json', { token: null });

    expect(response.status).toBe(401);
  });
});

describe('sends to one token', () => {
  it('serves the path with its colon escaped, and answers 405 to GET', async () => {
    const device = await addDevice(v1.emulator);
    const path = `${v1.emulator.origin}/v1/projects/${PROJECT}/messages%3Asend`;

    const escaped = await fetch(path, {
      method: 'POST',
      headers: { authorization: `Bearer ${v1.token}`, 'content-type': 'application/json' },
      body: JSON.stringify({ message: { token: device } }),
    });
    const got = await fetch(path);

    await readName(escaped);
    expect(got.status).toBe(405);
    expect(got.headers.get('allow')).toBe('POST');
  });

  it('answers the message name and stores the message for the device', async () => {
    const device = await addDevice(v1.emulator);

    const name = await readName(
      await v1.send({
        token: device,
        data: { score: '3' },
        notification: { title: 'Hi', body: 'Test' },
      }),
    );

    expect(name).toMatch(new RegExp(`^projects/${PROJECT}/messages/0:\\d+%[0-9a-f]+$`));
    expect(v1.emulator.messages(device)).toEqual([
      {
        registration_id: device,
        message_id: name.split('/').at(-1),
        data: { score: '3' },
        notification: { title: 'Hi', body: 'Test' },
        protocol: 'v1',
        received_at: '2026-03-01T12:00:00.000Z',
        project: PROJECT,
      },
    ]);
  });

  it('never answers the same name twice', async () => {
    const devices = [await addDevice(v1.emulator), await addDevice(v1.emulator)];
    await callControl(
      v1.emulator,
      'POST',
      `/emulator/devices/${encodeURIComponent(devices[0] ?? '')}/topics`,
      {
        topic: 'news',
      },
    );

    const responses = await Promise.all([
      ...Array.from({ length: 40 }, (_, index) => v1.send({ token: devices[index % 2] })),
      ...Array.from({ length: 10 }, () => v1.send({ topic: 'news' })),
    ]);
    const names = await Promise.all(responses.map(readName));

    expect(new Set(names).size).toBe(50);
  });

  it('keeps the android block in the inbox, read the way an Android device gets it', async () => {
    const device = await addDevice(v1.emulator);
    const message = {
      token: device,
      data: { shared: 'yes' },
      notification: { title: 'Shared', body: 'Body' },
      android: {
        collapseKey: 'scores',
        priority: 'HIGH',
        ttl: '3.5s',
        data: { android: 'only' },
        notification: { title: 'Android title', clickAction: 'OPEN' },
      },
      apns: { headers: { 'apns-priority': '10' }, payload: { aps: { 'content-available': 1 } } },
      fcm_options: { analytics_label: 'spring' },
    };

    await readName(await v1.send(message));

    expect(v1.emulator.messages(device)[0]).toMatchObject({
      data: { android: 'only' },
      notification: { title: 'Android title', body: 'Body', click_action: 'OPEN' },
      collapse_key: 'scores',
      priority: 'high',
      time_to_live: 3.5,
      android: {
        collapse_key: 'scores',
        priority: 'HIGH',
        ttl: '3.5s',
        data: { android: 'only' },
        notification: { title: 'Android title', click_action: 'OPEN' },
      },
      apns: message.apns,
      fcm_options: { analytics_label: 'spring' },
    });
  });

  it('shares one inbox with the legacy protocol', async () => {
    const device = await addDevice(v1.emulator);
    await sendJson(v1.emulator, { to: device, data: { via: 'legacy' } });
    await readName(await v1.send({ token: device, data: { via: 'v1' } }));

    const listed = await callControl(
      v1.emulator,
      'GET',
      `/emulator/messages?to=${encodeURIComponent(device)}`,
    );

    const messages = (await listed.json()) as Array<{ protocol: string; data: object }>;
    expect(messages.map((entry) => [entry.protocol, entry.data])).toEqual([
      ['legacy', { via: 'legacy' }],
      ['v1', { via: 'v1' }],
    ]);
  });
});
