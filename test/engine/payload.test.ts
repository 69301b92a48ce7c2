import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Readable } from 'node:stream';
import { afterAll, describe, expect, it } from 'vitest';
import {
  MAX_PAYLOAD_BYTES,
  MAX_TOPIC_PAYLOAD_BYTES,
  checkPayload,
  findReservedKeys,
  parseJsonObject,
  payloadSize,
  readJsonText,
} from '../../src/engine/payload.js';
import { UsageError } from '../../src/errors.js';

const directory = mkdtempSync(join(tmpdir(), 'gcmpush-payload-'));

afterAll(() => {
  rmSync(directory, { recursive: true, force: true });
});

function usageError(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).exitCode).toBe(2);
    return error as UsageError;
  }
  throw new Error('expected a UsageError, but nothing was thrown');
}

async function rejection(promise: Promise<unknown>): Promise<UsageError> {
  const error: unknown = await promise.then(
    () => undefined,
    (reason: unknown) => reason,
  );
  expect(error).toBeInstanceOf(UsageError);
  expect((error as UsageError).exitCode).toBe(2);
  return error as UsageError;
}

function stdinOf(...chunks: Buffer[]): Readable {
  return Readable.from(chunks);
}

/** Data whose JSON is exactly `bytes` bytes long: `{"k":"xxx…"}`. */
function dataOfSize(bytes: number): Record<string, unknown> {
  return { k: 'x'.repeat(bytes - '{"k":""}'.length) };
}

describe('parseJsonObject', () => {
  it('returns the parsed object', () => {
    expect(parseJsonObject('{"kind":"sync","n":2}', '--data')).toEqual({ kind: 'sync', n: 2 });
  });

  it('says at which line and column the JSON goes wrong', () => {
    const error = usageError(() => parseJsonObject('{"a":}', '--data'));

    expect(error.message).toBe("--data is not valid JSON: unexpected '}' at line 1, column 6");
  });

  it('counts lines in a multi-line file and names the file', () => {
    const text = '{\n  "title": "Hi",\n  "body": "Test"\n  "sound": "x"\n}\n';

    const error = usageError(() => parseJsonObject(text, 'payload.json'));

    expect(error.message).toBe(
      "payload.json is not valid JSON: expected ',' or '}', found '\"' at line 4, column 3",
    );
  });

  it('explains single quotes', () => {
    const error = usageError(() => parseJsonObject("['a']", '--notification'));

    expect(error.message).toBe(
      '--notification is not valid JSON: unexpected a single quote ' +
        '(JSON strings use double quotes) at line 1, column 2',
    );
  });

  it.each([
    ['[1]', 'an array'],
    ['null', 'null'],
    ['"hi"', 'string'],
    ['42', 'number'],
    ['true', 'boolean'],
  ])('refuses %s as not an object, naming it %s', (text, kind) => {
    const error = usageError(() => parseJsonObject(text, '--data'));

    expect(error.message).toBe(`--data must be a JSON object, not ${kind}`);
    expect(error.hint).toBe(`for example '{"msg":"hi"}'`);
  });
});

describe('findReservedKeys', () => {
  it('finds from, message_type and keys starting with google or gcm, in key order', () => {
    const data = {
      title: 'a',
      from: 'b',
      'google.sent_time': 'c',
      message_type: 'd',
      gcm: 'e',
      gcmNotification: 'f',
      googleplay: 'g',
    };

    expect(findReservedKeys(data)).toEqual([
      'from',
      'google.sent_time',
      'message_type',
      'gcm',
      'gcmNotification',
      'googleplay',
    ]);
  });

  it.each(['to', 'fromage', 'my_google', 'notification', 'collapse_key', 'message'])(
    'allows the key %s',
    (key) => {
      expect(findReservedKeys({ [key]: 'v' })).toEqual([]);
    },
  );
});

describe('payloadSize', () => {
  it.each<
    [string, Record<string, unknown> | undefined, Record<string, unknown> | undefined, number]
  >([
    ['nothing', undefined, undefined, 0],
    ['data only', { a: 'b' }, undefined, 9],
    ['a notification only', undefined, { title: 'Hi' }, 14],
    ['data and a notification', { a: 'b' }, { title: 'Hi' }, 23],
    ['a two-byte character', { k: 'é' }, undefined, 10],
    ['a three-byte character', { k: '✓' }, undefined, 11],
    ['a four-byte character', { k: '🚀' }, undefined, 12],
    ['an empty object', {}, {}, 4],
  ])('counts %s in UTF-8 bytes', (_what, data, notification, expected) => {
    expect(payloadSize(data, notification)).toBe(expected);
  });
});

describe('checkPayload', () => {
  it('has limits of 4096 bytes, and 2048 for topics', () => {
    expect(MAX_PAYLOAD_BYTES).toBe(4096);
    expect(MAX_TOPIC_PAYLOAD_BYTES).toBe(2048);
  });

  it('accepts a payload of exactly 4096 bytes', () => {
    const data = dataOfSize(4096);

    expect(payloadSize(data, undefined)).toBe(4096);
    expect(() => checkPayload(data, undefined, false)).not.toThrow();
  });

  it('refuses a payload of 4097 bytes', () => {
    const error = usageError(() => checkPayload(dataOfSize(4097), undefined, false));

    expect(error.message).toBe('the payload is 4097 bytes, over the 4096-byte limit');
    expect(error.hint).toBe('send less in --data and --notification');
  });

  it('accepts exactly 2048 bytes for a topic', () => {
    expect(() => checkPayload(dataOfSize(2048), undefined, true)).not.toThrow();
  });

  it('refuses 2049 bytes for a topic', () => {
    const error = usageError(() => checkPayload(dataOfSize(2049), undefined, true));

    expect(error.message).toBe('the payload is 2049 bytes, over the 2048-byte limit for topics');
  });

  it('counts data and notification together against the limit', () => {
    const notification = { title: 'Hi' };
    const data = dataOfSize(4096 - 14 + 1);

    const error = usageError(() => checkPayload(data, notification, false));

    expect(error.message).toBe('the payload is 4097 bytes, over the 4096-byte limit');
  });

  it('counts multi-byte characters in bytes, not characters', () => {
    const fits = { k: 'é'.repeat(2044) };
    const over = { k: 'é'.repeat(2045) };

    expect(() => checkPayload(fits, undefined, false)).not.toThrow();
    expect(usageError(() => checkPayload(over, undefined, false)).message).toBe(
      'the payload is 4098 bytes, over the 4096-byte limit',
    );
  });

  it('accepts a message with no payload', () => {
    expect(() => checkPayload(undefined, undefined, true)).not.toThrow();
  });

  it('refuses a reserved data key, naming it', () => {
    const error = usageError(() => checkPayload({ from: 'me' }, undefined, false));

    expect(error.message).toBe('reserved data key from');
    expect(error.hint).toBe(
      'rename them: from, message_type and keys starting with google or gcm belong to the service',
    );
  });

  it('names every reserved data key', () => {
    const error = usageError(() => checkPayload({ from: 'a', ok: 'b', 'gcm.x': 'c' }, {}, false));

    expect(error.message).toBe('reserved data keys from, gcm.x');
  });
});

describe('readJsonText', () => {
  it('returns inline text as it is, named after the flag', async () => {
    const result = await readJsonText('{"a":1}', '--data', stdinOf());

    expect(result).toEqual({ text: '{"a":1}', source: '--data' });
  });

  it('reads @FILE and names the file as the source', async () => {
    const file = join(directory, 'data.json');
    writeFileSync(file, '{"kind":"sync"}\n');

    const result = await readJsonText(`@${file}`, '--data', stdinOf());

    expect(result).toEqual({ text: '{"kind":"sync"}\n', source: file });
  });

  it('drops a byte order mark at the start of a file', async () => {
    const file = join(directory, 'bom.json');
    writeFileSync(file, '\uFEFF{"a":"é"}');

    const result = await readJsonText(`@${file}`, '--notification', stdinOf());

    expect(result.text).toBe('{"a":"é"}');
  });

  it('says when the file does not exist', async () => {
    const file = join(directory, 'missing.json');

    const error = await rejection(readJsonText(`@${file}`, '--data', stdinOf()));

    expect(error.message).toBe(`cannot read --data file ${file}: no such file`);
  });

  it('reads a file of exactly 1 MiB', async () => {
    const file = join(directory, 'one-mib.json');
    writeFileSync(file, `"${'x'.repeat(1024 * 1024 - 2)}"`);

    const result = await readJsonText(`@${file}`, '--data', stdinOf());

    expect(result.text.length).toBe(1024 * 1024);
  });

  it('refuses a file over 1 MiB without reading it', async () => {
    const file = join(directory, 'big.json');
    writeFileSync(file, Buffer.alloc(1024 * 1024 + 1, 0x20));

    const error = await rejection(readJsonText(`@${file}`, '--data', stdinOf()));

    expect(error.message).toBe(
      `--data file ${file} is 1048577 bytes; a push payload is at most 4096 bytes`,
    );
  });

  it('says when the file cannot be read', async () => {
    const folder = join(directory, 'a-folder');
    mkdirSync(folder);

    const error = await rejection(readJsonText(`@${folder}`, '--data', stdinOf()));

    expect(error.message.startsWith(`cannot read --data file ${folder}: `)).toBe(true);
    expect(error.message).toContain('EISDIR');
  });

  it('reads standard input for -', async () => {
    const stdin = stdinOf(Buffer.from('{"a":'), Buffer.from('1}'));

    const result = await readJsonText('-', '--data', stdin);

    expect(result).toEqual({ text: '{"a":1}', source: 'standard input' });
  });

  it('joins a character split across chunks of standard input', async () => {
    const bytes = Buffer.from('{"k":"é"}');
    const stdin = stdinOf(bytes.subarray(0, 7), bytes.subarray(7));

    const result = await readJsonText('-', '--data', stdin);

    expect(result.text).toBe('{"k":"é"}');
  });

  it('drops a byte order mark from standard input', async () => {
    const result = await readJsonText('-', '--data', stdinOf(Buffer.from('\uFEFF{}')));

    expect(result.text).toBe('{}');
  });
});
