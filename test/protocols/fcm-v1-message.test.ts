import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import { buildV1Message, convertV1Data } from '../../src/protocols/fcm-v1-message.js';
import type { PushMessage } from '../../src/protocols/types.js';

function refusal(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('buildV1Message', () => {
  it.each<[string, PushMessage, Record<string, unknown>]>([
    ['nothing', {}, {}],
    ['data', { data: { a: 'x', n: 1, ok: false } }, { data: { a: 'x', n: '1', ok: 'false' } }],
    [
      'title, body and image',
      { notification: { title: 'T', body: 'B', image: 'https://i/p.png' } },
      { notification: { title: 'T', body: 'B', image: 'https://i/p.png' } },
    ],
    [
      'Android notification keys',
      {
        notification: {
          icon: 'ic',
          color: '#ff0000',
          sound: 'default',
          tag: 't',
          click_action: 'OPEN',
          body_loc_key: 'bk',
          title_loc_key: 'tk',
        },
      },
      {
        android: {
          notification: {
            icon: 'ic',
            color: '#ff0000',
            sound: 'default',
            tag: 't',
            click_action: 'OPEN',
            body_loc_key: 'bk',
            title_loc_key: 'tk',
          },
        },
      },
    ],
    [
      'android_channel_id as channel_id',
      { notification: { android_channel_id: 'alerts' } },
      { android: { notification: { channel_id: 'alerts' } } },
    ],
    [
      'loc args from JSON strings and arrays',
      { notification: { body_loc_args: '["Ann","3"]', title_loc_args: ['x'] } },
      { android: { notification: { body_loc_args: ['Ann', '3'], title_loc_args: ['x'] } } },
    ],
    [
      'v1-only Android keys as given',
      { notification: { sticky: true, visibility: 'PUBLIC' } },
      { android: { notification: { sticky: true, visibility: 'PUBLIC' } } },
    ],
    ['priority high', { priority: 'high' }, { android: { priority: 'HIGH' } }],
    ['priority normal', { priority: 'normal' }, { android: { priority: 'NORMAL' } }],
    ['ttl', { ttl: 60 }, { android: { ttl: '60s' } }],
    ['ttl 0', { ttl: 0 }, { android: { ttl: '0s' } }],
    ['collapse key', { collapseKey: 'score' }, { android: { collapse_key: 'score' } }],
    [
      'package name',
      { restrictedPackageName: 'com.example' },
      { android: { restricted_package_name: 'com.example' } },
    ],
    [
      'content-available',
      { contentAvailable: true },
      { apns: { payload: { aps: { 'content-available': 1 } } } },
    ],
    ['content-available false', { contentAvailable: false }, {}],
    [
      'badge and subtitle',
      { notification: { badge: '3', subtitle: 'S' } },
      { apns: { payload: { aps: { badge: 3, alert: { subtitle: 'S' } } } } },
    ],
    ['dry run (request-level, not in the message)', { dryRun: true }, {}],
  ])('maps %s', (_case, message, expected) => {
    expect(buildV1Message(message)).toEqual(expected);
  });

  it('maps every option together', () => {
    const message: PushMessage = {
      data: { k: 'v' },
      notification: { title: 'T', body: 'B', icon: 'ic', badge: 2 },
      collapseKey: 'c',
      ttl: 30,
      priority: 'high',
      contentAvailable: true,
      restrictedPackageName: 'com.example',
    };
    expect(buildV1Message(message)).toEqual({
      data: { k: 'v' },
      notification: { title: 'T', body: 'B' },
      android: {
        collapse_key: 'c',
        priority: 'HIGH',
        ttl: '30s',
        restricted_package_name: 'com.example',
        notification: { icon: 'ic' },
      },
      apns: { payload: { aps: { 'content-available': 1, badge: 2 } } },
    });
  });

  it.each([
    [{ colour: 'x' }, /notification key "colour" has no place in an FCM v1 message/],
    [{ title: 5 }, /notification key "title" must be a string/],
    [{ android_channel_id: {} }, /notification key "android_channel_id" must be a string/],
    [{ body_loc_args: '["a",' }, /"body_loc_args" must be a JSON array of strings/],
    [{ title_loc_args: '[1,2]' }, /"title_loc_args" must be a JSON array of strings/],
    [{ badge: -1 }, /"badge" must be a whole number/],
    [{ badge: 'many' }, /"badge" must be a whole number/],
  ])('refuses notification %o', (notification, message) => {
    const error = refusal(() => buildV1Message({ notification }));
    expect(error.message).toMatch(message);
    expect(error.exitCode).toBe(2);
  });
});

describe('convertV1Data', () => {
  it('passes strings and lists the keys it turned into JSON text', () => {
    expect(convertV1Data({ s: 'x', n: 1.5, big: 1e21, yes: true, empty: '' })).toEqual({
      data: { s: 'x', n: '1.5', big: '1e+21', yes: 'true', empty: '' },
      converted: ['n', 'big', 'yes'],
    });
  });

  it.each([
    [{ nested: { a: 1 } }, 'data key "nested" holds an object; FCM v1 data values must be strings'],
    [{ list: [1] }, 'data key "list" holds an array; FCM v1 data values must be strings'],
    [{ gone: null }, 'data key "gone" is null; FCM v1 data values must be strings'],
  ])('refuses %o', (data, message) => {
    const error = refusal(() => convertV1Data(data));
    expect(error.message).toBe(message);
    expect(error.exitCode).toBe(2);
  });

  it('tells how to send an object as a string', () => {
    expect(refusal(() => convertV1Data({ k: { a: 1 } })).hint).toBe(
      `JSON-encode it yourself, e.g. '{"k":"{\\"a\\":1}"}'`,
    );
  });
});
