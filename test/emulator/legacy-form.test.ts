import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { addDevice, sendForm } from './helpers.js';

let emulator: RunningEmulator;

beforeEach(async () => {
  emulator = await startEmulator({ port: 0 });
});

afterEach(async () => {
  await emulator.close();
});

async function readLines(response: Response): Promise<string[]> {
  expect(response.status).toBe(200);
  expect(response.headers.get('content-type')).toMatch(/^text\/plain/);
  return (await response.text()).split('\n');
}

describe('the plain-text form variant', () => {
  it('answers id=MESSAGE_ID and stores the data.* fields', async () => {
    const id = await addDevice(emulator);
    const body = new URLSearchParams({ registration_id: id, 'data.score': '5', collapse_key: 'k' });

    const lines = await readLines(await sendForm(emulator, body.toString()));

    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^id=0:\d+%[0-9a-f]+$/);
    expect(emulator.messages(id)[0]).toMatchObject({ data: { score: '5' }, collapse_key: 'k' });
  });

  it('adds a registration_id line when the device has a canonical ID', async () => {
    const id = await addDevice(emulator, { behavior: 'canonical' });
    const lines = await readLines(await sendForm(emulator, `registration_id=${id}`));

    expect(lines[0]).toMatch(/^id=/);
    expect(lines[1]).toMatch(/^registration_id=[A-Za-z0-9_-]{11}:/);
  });

  it('answers Error=CODE lines for per-ID failures', async () => {
    const gone = await addDevice(emulator, { behavior: 'not-registered' });
    const good = await addDevice(emulator);

    expect(await readLines(await sendForm(emulator, 'registration_id=made-up'))).toEqual([
      'Error=InvalidRegistration',
    ]);
    expect(await readLines(await sendForm(emulator, `registration_id=${gone}`))).toEqual([
      'Error=NotRegistered',
    ]);
    const reserved = `registration_id=${good}&data.from=me`;
    expect(await readLines(await sendForm(emulator, reserved))).toEqual(['Error=InvalidDataKey']);
  });

  it('answers Error=MissingRegistration when no registration_id is given', async () => {
    expect(await readLines(await sendForm(emulator, 'data.a=1'))).toEqual([
      'Error=MissingRegistration',
    ]);
  });

  it('reads a JSON body sent without a content type as the form, as Google did', async () => {
    const id = await addDevice(emulator);
    const response = await sendForm(emulator, JSON.stringify({ to: id }), null);

    expect(await readLines(response)).toEqual(['Error=MissingRegistration']);
  });

  it('answers 503 and 500 instead of Unavailable and InternalServerError', async () => {
    const slow = await addDevice(emulator, { behavior: 'unavailable' });
    const broken = await addDevice(emulator, { behavior: 'internal-error' });

    const unavailable = await sendForm(emulator, `registration_id=${slow}`);
    const internal = await sendForm(emulator, `registration_id=${broken}`);

    expect(unavailable.status).toBe(503);
    expect(internal.status).toBe(500);
    expect(await internal.text()).toContain('Error 500');
  });

  it('answers 400 to a time_to_live that is not a number', async () => {
    const response = await sendForm(emulator, 'registration_id=x&time_to_live=soon');

    expect(response.status).toBe(400);
    expect(await response.text()).toContain('time_to_live');
  });

  it('honours dry_run=1 by storing nothing', async () => {
    const id = await addDevice(emulator);
    const lines = await readLines(await sendForm(emulator, `registration_id=${id}&dry_run=1`));

    expect(lines).toEqual(['id=fake_message_id']);
    expect(emulator.messages()).toEqual([]);
  });
});
