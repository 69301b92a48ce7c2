import { describe, expect, it } from 'vitest';
import {
  readErrorCode,
  readName,
  readV1Error,
  readViolationFields,
  useV1Emulator,
} from './v1-helpers.js';

const DEVICE = 'request-test-device';
const v1 = useV1Emulator({ devices: [{ registration_id: DEVICE }] });

/** A message to the test device with `fields` added. */
function toDevice(fields: object = {}): { message: object } {
  return { message: { token: DEVICE, ...fields } };
}

describe('requests refused with 400 INVALID_ARGUMENT', () => {
  const cases: Array<[string, unknown, string | undefined, RegExp]> = [
    ['malformed JSON', '{"message": ', undefined, /Invalid JSON payload/],
    ['a JSON array body', '[1]', undefined, /must be a JSON object/],
    ['an unknown top-level field', { ...toDevice(), dry_run: true }, undefined, /"dry_run"/],
    ['no message', { validate_only: true }, 'message', /no "message"/],
    [
      'validate_only as text',
      { ...toDevice(), validate_only: 'true' },
      'validate_only',
      /true or false/,
    ],
    ['no target', { message: { data: { a: '1' } } }, 'message', /exactly one.*found none/],
    [
      'two targets',
      { message: { token: DEVICE, topic: 'news' } },
      'message',
      /message\.token and message\.topic/,
    ],
    ['a token that is a number', { message: { token: 7 } }, 'message.token', /must be a string/],
    ['an unknown message field', toDevice({ time_to_live: 60 }), 'message', /"time_to_live"/],
    ['data that is a string', toDevice({ data: 'hello' }), 'message.data', /JSON object/],
    [
      'a data value that is a number',
      toDevice({ data: { a: '1', count: 42 } }),
      'message.data[1].value',
      /"count" holds 42/,
    ],
    [
      'a data value that is a boolean',
      toDevice({ data: { on: true } }),
      'message.data[0].value',
      /strings/,
    ],
    ['the reserved data key "from"', toDevice({ data: { from: 'me' } }), 'message.data', /"from"/],
    [
      'a data key starting with google',
      toDevice({ data: { 'google.x': '1' } }),
      'message.data',
      /reserved/,
    ],
    [
      'a reserved key in android.data',
      toDevice({ android: { data: { gcm_x: '1' } } }),
      'message.android.data',
      /"gcm_x"/,
    ],
    [
      'a payload over 4096 bytes',
      toDevice({ data: { text: 'x'.repeat(4090) } }),
      'message',
      /4096/,
    ],
    [
      'data and android.data together over 4096 bytes',
      toDevice({ data: { a: 'x'.repeat(2040) }, android: { data: { b: 'y'.repeat(2050) } } }),
      'message',
      /limit/,
    ],
    [
      'a notification title that is a number',
      toDevice({ notification: { title: 5 } }),
      'message.notification.title',
      /string/,
    ],
    [
      'an unknown notification field',
      toDevice({ notification: { icon: 'x' } }),
      'message.notification',
      /"icon"/,
    ],
    [
      'an android.ttl without the s',
      toDevice({ android: { ttl: '60' } }),
      'message.android.ttl',
      /duration/,
    ],
    [
      'an android.ttl given as a number',
      toDevice({ android: { ttl: 60 } }),
      'message.android.ttl',
      /string/,
    ],
    [
      'a negative android.ttl',
      toDevice({ android: { ttl: '-1s' } }),
      'message.android.ttl',
      /duration/,
    ],
    [
      'an android.ttl over four weeks',
      toDevice({ android: { ttl: '2419200.5s' } }),
      'message.android.ttl',
      /four weeks/,
    ],
    [
      'a lower-case android.priority',
      toDevice({ android: { priority: 'high' } }),
      'message.android.priority',
      /"NORMAL" or "HIGH"/,
    ],
    [
      'a legacy option inside android',
      toDevice({ android: { time_to_live: 60 } }),
      'message.android',
      /"time_to_live"/,
    ],
    [
      'one android field in both spellings',
      toDevice({ android: { collapse_key: 'a', collapseKey: 'b' } }),
      'message.android.collapse_key',
      /twice/,
    ],
    [
      'loc args as a string',
      toDevice({ android: { notification: { body_loc_args: '["a"]' } } }),
      'message.android.notification.body_loc_args',
      /array of strings/,
    ],
    [
      'direct_boot_ok as text',
      toDevice({ android: { direct_boot_ok: 'yes' } }),
      'message.android.direct_boot_ok',
      /true or false/,
    ],
    [
      'apns headers with a number',
      toDevice({ apns: { headers: { 'apns-priority': 10 } } }),
      'message.apns.headers[0].value',
      /strings/,
    ],
    [
      'a webpush link over plain HTTP',
      toDevice({ webpush: { fcm_options: { link: 'http://x.test' } } }),
      'message.webpush.fcm_options.link',
      /HTTPS/,
    ],
    [
      'an analytics label with a space',
      toDevice({ fcm_options: { analytics_label: 'a b' } }),
      'message.fcm_options.analytics_label',
      /analytics/,
    ],
    [
      'a topic with the /topics/ prefix',
      { message: { topic: '/topics/news' } },
      'message.topic',
      /without "\/topics\/"/,
    ],
    [
      'a topic name with a space',
      { message: { topic: 'bad name' } },
      'message.topic',
      /topic names/,
    ],
    [
      'a condition that does not parse',
      { message: { condition: "'a' in topics &&" } },
      'message.condition',
      /invalid condition/,
    ],
  ];

  it.each(cases)('refuses %s', async (_name, body, field, reason) => {
    const response = await v1.sendBody(body);

    const error = await readV1Error(response, 400);
    expect(error.status).toBe('INVALID_ARGUMENT');
    expect(error.message).toMatch(reason);
    expect(readErrorCode(error)).toBe('INVALID_ARGUMENT');
    expect(readViolationFields(error)).toEqual(field === undefined ? undefined : [field]);
    expect(v1.emulator.messages()).toEqual([]);
  });
});

describe('requests accepted as protobuf JSON allows', () => {
  const cases: Array<[string, object]> = [
    [
      'lowerCamelCase field names',
      { validateOnly: false, ...toDevice({ fcmOptions: { analyticsLabel: 'x' } }) },
    ],
    ['null for an unset field', toDevice({ topic: null, data: null })],
    ['a payload of exactly 4096 bytes', toDevice({ data: { text: 'é'.repeat(2042) + 'x' } })],
    ['a ttl of four weeks', toDevice({ android: { ttl: '2419200s', priority: 'NORMAL' } })],
    ['a ttl of zero', toDevice({ android: { ttl: '0s' } })],
    ['a ttl with nanoseconds', toDevice({ android: { ttl: '1.000000001s' } })],
    ['the message name, an output field', toDevice({ name: 'projects/x/messages/1' })],
    [
      'every platform block',
      toDevice({
        android: { direct_boot_ok: true, fcm_options: { analytics_label: 'a' } },
        apns: { payload: { aps: { badge: 1 } }, fcm_options: { image: 'https://x.test/i.png' } },
        webpush: { headers: { TTL: '60' }, data: { a: 'b' }, notification: { title: 't' } },
      }),
    ],
  ];

  it.each(cases)('accepts %s', async (_name, body) => {
    await readName(await v1.sendBody(body));

    expect(v1.emulator.messages()).toHaveLength(1);
  });
});
