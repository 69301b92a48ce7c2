import { describe, expect, it } from 'vitest';
import { addDevice, subscribeDevice } from './helpers.js';
import { PROJECT, readName, readV1Error, useV1Emulator } from './v1-helpers.js';

const v1 = useV1Emulator();

async function addFollower(topics: string[], spec: object = {}): Promise<string> {
  const id = await addDevice(v1.emulator, spec);
  for (const topic of topics) await subscribeDevice(v1.emulator, id, topic);
  return id;
}

function receivers(): string[] {
  return v1.emulator
    .messages()
    .map((message) => message.registration_id)
    .sort();
}

describe('topic sends', () => {
  it('fan out to the live followers of the topic under one numeric ID', async () => {
    const reader = await addFollower(['news']);
    const other = await addFollower(['news', 'sport']);
    await addFollower(['sport']);
    await addFollower(['news'], { behavior: 'not-registered' });

    const name = await readName(
      await v1.sendBody({ message: { topic: 'news', data: { a: '1' } } }),
    );

    expect(name).toMatch(new RegExp(`^projects/${PROJECT}/messages/\\d{19}$`));
    expect(receivers()).toEqual([reader, other].sort());
    const stored = v1.emulator.messages(reader)[0];
    expect(stored).toMatchObject({
      topic: 'news',
      protocol: 'v1',
      project: PROJECT,
      data: { a: '1' },
    });
    expect(stored?.message_id).toBe(name.split('/').at(-1));
  });

  it('skip followers of another package or another project', async () => {
    const shop = await addFollower(['news'], { package: 'com.example.shop' });
    await addFollower(['news'], { package: 'com.other' });
    await addFollower(['news'], { package: 'com.example.shop', project: 'other-project' });

    const message = { topic: 'news', android: { restricted_package_name: 'com.example.shop' } };
    await readName(await v1.sendBody({ message }));

    expect(receivers()).toEqual([shop]);
  });

  it('limit the payload to 2048 bytes', async () => {
    await addFollower(['news']);

    const response = await v1.sendBody({
      message: { topic: 'news', data: { text: 'x'.repeat(2040) } },
    });

    const error = await readV1Error(response, 400);
    expect(error.message).toContain('2048');
    expect(v1.emulator.messages()).toEqual([]);
  });

  it('answer a name even when nobody follows the topic', async () => {
    await readName(await v1.sendBody({ message: { topic: 'empty' } }));

    expect(v1.emulator.messages()).toEqual([]);
  });
});

describe('condition sends', () => {
  it('reach only the devices whose topics satisfy the condition', async () => {
    const both = await addFollower(['a', 'b']);
    await addFollower(['a']);
    const aAndC = await addFollower(['a', 'c']);
    const condition = "'a' in topics && ('b' in topics || 'c' in topics)";

    const name = await readName(await v1.sendBody({ message: { condition } }));

    expect(name).toMatch(/\/messages\/\d{19}$/);
    expect(receivers()).toEqual([both, aAndC].sort());
    expect(v1.emulator.messages(both)[0]).toMatchObject({ condition, protocol: 'v1' });
    expect(v1.emulator.messages(both)[0]?.topic).toBeUndefined();
  });
});
