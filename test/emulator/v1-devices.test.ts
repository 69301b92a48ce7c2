import { describe, expect, it } from 'vitest';
import { addDevice, callControl } from './helpers.js';
import {
  PROJECT,
  readErrorCode,
  readName,
  readV1Error,
  readViolationFields,
  useV1Emulator,
} from './v1-helpers.js';

const v1 = useV1Emulator();

describe('device outcomes', () => {
  it('answers 400 INVALID_ARGUMENT on message.token for a token it never issued', async () => {
    for (const made of ['made-up-token', '']) {
      const error = await readV1Error(await v1.send({ token: made }), 400);

      expect(error.status).toBe('INVALID_ARGUMENT');
      expect(readErrorCode(error)).toBe('INVALID_ARGUMENT');
      expect(readViolationFields(error)).toEqual(['message.token']);
    }
  });

  it('answers 404 NOT_FOUND with UNREGISTERED for a not-registered device', async () => {
    const device = await addDevice(v1.emulator, { behavior: 'not-registered' });

    const error = await readV1Error(await v1.send({ token: device }), 404);

    expect(error).toMatchObject({
      status: 'NOT_FOUND',
      message: 'Requested entity was not found.',
    });
    expect(readErrorCode(error)).toBe('UNREGISTERED');
    expect(readViolationFields(error)).toBeUndefined();
  });

  it('answers 503 UNAVAILABLE and 500 INTERNAL for the scripted number of sends', async () => {
    const unavailable = await addDevice(v1.emulator, { behavior: 'unavailable', times: 2 });
    const internal = await addDevice(v1.emulator, { behavior: 'internal-error' });

    const first = await readV1Error(await v1.send({ token: unavailable }), 503);
    const second = await readV1Error(await v1.send({ token: unavailable }), 503);
    await readName(await v1.send({ token: unavailable }));
    const broken = await readV1Error(await v1.send({ token: internal }), 500);
    await readName(await v1.send({ token: internal }));

    expect([first.status, readErrorCode(first), readErrorCode(second)]).toEqual([
      'UNAVAILABLE',
      'UNAVAILABLE',
      'UNAVAILABLE',
    ]);
    expect([broken.status, readErrorCode(broken)]).toEqual(['INTERNAL', 'INTERNAL']);
    expect(v1.emulator.messages().map((entry) => entry.registration_id)).toEqual([
      unavailable,
      internal,
    ]);
  });

  it("refuses a restricted_package_name that differs from the token's package", async () => {
    const device = await addDevice(v1.emulator, { package: 'com.example.shop' });

    const other = await v1.send({
      token: device,
      android: { restricted_package_name: 'com.other' },
    });
    const same = await v1.send({
      token: device,
      android: { restrictedPackageName: 'com.example.shop' },
    });

    const error = await readV1Error(other, 400);
    expect(readErrorCode(error)).toBe('INVALID_ARGUMENT');
    expect(readViolationFields(error)).toEqual(['message.android.restricted_package_name']);
    await readName(same);
  });

  it('accepts a canonical device and keeps its ID, since v1 cannot report a new one', async () => {
    const device = await addDevice(v1.emulator, { behavior: 'canonical' });

    const first = await v1.send({ token: device });
    const second = await v1.send({ token: device });

    expect(await first.json()).toEqual({ name: expect.any(String) });
    await readName(second);
    expect(v1.emulator.messages(device)).toHaveLength(2);
    const listed = await callControl(v1.emulator, 'GET', '/emulator/devices');
    expect(await listed.json()).toEqual([
      expect.objectContaining({ registration_id: device, behavior: 'canonical' }),
    ]);
  });

  it('answers 403 SENDER_ID_MISMATCH for a device token of another project', async () => {
    const device = await addDevice(v1.emulator, { project: 'other-project' });
    const mine = await addDevice(v1.emulator, { project: PROJECT });

    const error = await readV1Error(await v1.send({ token: device }), 403);

    expect(error.status).toBe('PERMISSION_DENIED');
    expect(readErrorCode(error)).toBe('SENDER_ID_MISMATCH');
    await readName(await v1.send({ token: mine }));
  });

  it("shows a device's project only when one was given", async () => {
    await addDevice(v1.emulator, { registration_id: 'with', project: 'p1' });
    await addDevice(v1.emulator, { registration_id: 'without' });

    const listed = (await (
      await callControl(v1.emulator, 'GET', '/emulator/devices')
    ).json()) as object[];

    expect(listed[0]).toMatchObject({ registration_id: 'with', project: 'p1' });
    expect(Object.keys(listed[1] ?? {})).toEqual([
      'registration_id',
      'package',
      'behavior',
      'times',
      'topics',
    ]);
  });
});

describe('validate_only', () => {
  it('answers the placeholder name and stores nothing', async () => {
    const device = await addDevice(v1.emulator);

    const byToken = await readName(
      await v1.send({ token: device, data: { a: '1' } }, { validate_only: true }),
    );
    const byTopic = await readName(await v1.send({ topic: 'news' }, { validateOnly: true }));

    expect([byToken, byTopic]).toEqual([
      `projects/${PROJECT}/messages/fake_message_id`,
      `projects/${PROJECT}/messages/fake_message_id`,
    ]);
    expect(v1.emulator.messages()).toEqual([]);
  });

  it('still checks the target: an unregistered token 404s and a bad field 400s', async () => {
    const gone = await addDevice(v1.emulator, { behavior: 'not-registered' });
    const device = await addDevice(v1.emulator);

    const unregistered = await v1.send({ token: gone }, { validate_only: true });
    const badData = await v1.send({ token: device, data: { n: 1 } }, { validate_only: true });

    expect(readErrorCode(await readV1Error(unregistered, 404))).toBe('UNREGISTERED');
    expect(readErrorCode(await readV1Error(badData, 400))).toBe('INVALID_ARGUMENT');
  });

  it('reports a scripted failure without using it up', async () => {
    const device = await addDevice(v1.emulator, { behavior: 'unavailable', times: 1 });

    await readV1Error(await v1.send({ token: device }, { validate_only: true }), 503);
    await readV1Error(await v1.send({ token: device }), 503);
    await readName(await v1.send({ token: device }));
  });
});
