import { createRequire } from 'node:module';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import { KEY } from './helpers.js';

/** The slice of node-gcm 1.1.4 this test uses; the package ships no types. */
interface NodeGcm {
  Sender: new (
    key: string,
    options: { uri: string },
  ) => {
    send(
      message: object,
      recipient: string | string[],
      options: { retries: number },
      callback: (error: unknown, response: NodeGcmResponse) => void,
    ): void;
  };
  Message: new (raw: { data?: Record<string, string> }) => object;
}

interface NodeGcmResponse {
  success: number;
  failure: number;
  canonical_ids: number;
  results: Array<{ message_id?: string; error?: string }>;
}

const gcm = createRequire(import.meta.url)('node-gcm') as NodeGcm;
let emulator: RunningEmulator;

beforeEach(async () => {
  emulator = await startEmulator({ port: 0, keys: [KEY] });
});

afterEach(async () => {
  await emulator.close();
});

function sendWithNodeGcm(
  key: string,
  recipient: string | string[],
  data: Record<string, string>,
): Promise<NodeGcmResponse> {
  const sender = new gcm.Sender(key, { uri: emulator.url });
  const message = new gcm.Message({ data });
  return new Promise((resolve, reject) => {
    // retries: 0 keeps node-gcm from sleeping a second before any retry.
    sender.send(message, recipient, { retries: 0 }, (error, response) =>
      error ? reject(error) : resolve(response),
    );
  });
}

describe('node-gcm against the emulator', () => {
  it('reads a multicast answer for a registered and an unregistered device', async () => {
    const registered = emulator.registerDevice({}).registration_id;
    const unregistered = emulator.registerDevice({ behavior: 'not-registered' }).registration_id;

    const response = await sendWithNodeGcm(KEY, [registered, unregistered], { hello: 'world' });

    expect(response).toMatchObject({ success: 1, failure: 1, canonical_ids: 0 });
    expect(response.results[0]?.message_id).toMatch(/^0:\d+%/);
    expect(response.results[1]).toEqual({ error: 'NotRegistered' });
    expect(emulator.messages(registered)[0]?.data).toEqual({ hello: 'world' });
  });

  it('reads the single-recipient answer node-gcm sends with "to"', async () => {
    const registered = emulator.registerDevice({}).registration_id;

    const response = await sendWithNodeGcm(KEY, registered, { n: '1' });

    expect(response.success).toBe(1);
    expect(response.results).toHaveLength(1);
  });

  it('reports a wrong key as node-gcm reports a 401', async () => {
    const registered = emulator.registerDevice({}).registration_id;

    await expect(sendWithNodeGcm('wrong-key', registered, {})).rejects.toBe(401);
  });
});
