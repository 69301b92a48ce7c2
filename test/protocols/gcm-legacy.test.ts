import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  buildLegacyFields,
  createLegacyProtocol,
  DEFAULT_LEGACY_ENDPOINT,
  readLegacyResponse,
} from '../../src/protocols/gcm-legacy.js';
import type { PushMessage, Recipient } from '../../src/protocols/types.js';
import type { HttpResponse } from '../../src/transport/http.js';

const API_KEY = 'AIzaSyTestKey-0123456789abcdefghijklmn';
const ENDPOINT = 'https://gcm.test/fcm/send';
const NOW = Date.parse('2024-05-01T12:00:00Z');

function token(index: number, registrationId: string): Recipient {
  return { index, target: registrationId, registrationId, kind: 'token' };
}

const topic: Recipient = {
  index: 0,
  target: '/topics/news',
  registrationId: '/topics/news',
  kind: 'topic',
};
const condition: Recipient = {
  index: 0,
  target: "'a' in topics && 'b' in topics",
  registrationId: "'a' in topics && 'b' in topics",
  kind: 'condition',
};
const twoTokens = [token(0, 'tok-a'), token(1, 'tok-b')];

function reply(options: {
  status: number;
  body?: string;
  statusText?: string;
  headers?: Record<string, string>;
}): HttpResponse {
  return {
    status: options.status,
    statusText: options.statusText ?? '',
    headers: new Headers(options.headers ?? {}),
    body: options.body ?? '',
  };
}

function fixture(name: string): string {
  return readFileSync(new URL(`../fixtures/legacy/${name}`, import.meta.url), 'utf8');
}

function buildBody(message: PushMessage, recipients: Recipient[]): unknown {
  const protocol = createLegacyProtocol({ endpoint: ENDPOINT, apiKey: API_KEY, message });
  const request = protocol.buildRequest(recipients);
  if (request instanceof Promise) throw new Error('the legacy protocol builds synchronously');
  return JSON.parse(request.body);
}

describe('createLegacyProtocol', () => {
  it('names itself legacy and carries up to 1000 registration IDs a request', () => {
    const protocol = createLegacyProtocol({ endpoint: ENDPOINT, apiKey: API_KEY, message: {} });

    expect(protocol.name).toBe('legacy');
    expect(protocol.maxBatch).toBe(1000);
  });

  it('defaults to the FCM legacy send endpoint', () => {
    expect(DEFAULT_LEGACY_ENDPOINT).toBe('https://fcm.googleapis.com/fcm/send');
  });
});

describe('buildRequest', () => {
  it('posts to the endpoint with exactly the key and JSON content-type headers', () => {
    const protocol = createLegacyProtocol({ endpoint: ENDPOINT, apiKey: API_KEY, message: {} });

    const request = protocol.buildRequest(twoTokens);

    expect(request).toMatchObject({ url: ENDPOINT });
    expect('headers' in request && request.headers).toStrictEqual({
      Authorization: `key=${API_KEY}`,
      'Content-Type': 'application/json',
    });
  });

  it('sends only the target when the message has no options', () => {
    const protocol = createLegacyProtocol({ endpoint: ENDPOINT, apiKey: API_KEY, message: {} });

    const request = protocol.buildRequest([token(0, 'tok-a')]);

    expect('body' in request && request.body).toBe('{"registration_ids":["tok-a"]}');
  });

  it('lists device tokens in registration_ids in the order given', () => {
    const recipients = [token(0, 'tok-c'), token(1, 'tok-a'), token(2, 'tok-b')];

    expect(buildBody({}, recipients)).toStrictEqual({
      registration_ids: ['tok-c', 'tok-a', 'tok-b'],
    });
  });

  it('sends a topic in to, without registration_ids', () => {
    expect(buildBody({ data: { k: 'v' } }, [topic])).toStrictEqual({
      to: '/topics/news',
      data: { k: 'v' },
    });
  });

  it('sends a condition in condition, without to or registration_ids', () => {
    expect(buildBody({}, [condition])).toStrictEqual({
      condition: "'a' in topics && 'b' in topics",
    });
  });

  it('writes every message option under its wire name', () => {
    const message: PushMessage = {
      collapseKey: 'sync',
      priority: 'high',
      contentAvailable: true,
      ttl: 3600,
      restrictedPackageName: 'com.example.app',
      dryRun: true,
      data: { kind: 'sync', count: '3' },
      notification: { title: 'Hi', body: 'Test' },
    };

    expect(buildBody(message, twoTokens)).toStrictEqual({
      registration_ids: ['tok-a', 'tok-b'],
      collapse_key: 'sync',
      priority: 'high',
      content_available: true,
      time_to_live: 3600,
      restricted_package_name: 'com.example.app',
      dry_run: true,
      data: { kind: 'sync', count: '3' },
      notification: { title: 'Hi', body: 'Test' },
    });
  });

  it('builds valid JSON when the payload holds quotes, newlines and non-ASCII text', () => {
    const data = { text: 'say "hi"\nthen \\ leave', emoji: 'ünïcødé ✓ 🚀' };

    expect(buildBody({ data, collapseKey: 'a"b' }, [token(0, 'tok-a')])).toStrictEqual({
      registration_ids: ['tok-a'],
      collapse_key: 'a"b',
      data,
    });
  });

  it('builds the same message part for every batch of one send', () => {
    const protocol = createLegacyProtocol({
      endpoint: ENDPOINT,
      apiKey: API_KEY,
      message: { ttl: 60, data: { k: 'v' } },
    });

    const first = protocol.buildRequest([token(0, 'tok-a')]);
    const second = protocol.buildRequest([token(1, 'tok-b')]);

    expect('body' in first && JSON.parse(first.body)).toStrictEqual({
      registration_ids: ['tok-a'],
      time_to_live: 60,
      data: { k: 'v' },
    });
    expect('body' in second && JSON.parse(second.body)).toStrictEqual({
      registration_ids: ['tok-b'],
      time_to_live: 60,
      data: { k: 'v' },
    });
  });
});

describe('buildLegacyFields', () => {
  it.each<[string, PushMessage, Record<string, unknown>]>([
    ['collapse_key', { collapseKey: 'k' }, { collapse_key: 'k' }],
    ['priority normal', { priority: 'normal' }, { priority: 'normal' }],
    ['priority high', { priority: 'high' }, { priority: 'high' }],
    ['content_available', { contentAvailable: true }, { content_available: true }],
    ['time_to_live', { ttl: 2419200 }, { time_to_live: 2419200 }],
    ['time_to_live of 0', { ttl: 0 }, { time_to_live: 0 }],
    [
      'restricted_package_name',
      { restrictedPackageName: 'a.b' },
      { restricted_package_name: 'a.b' },
    ],
    ['dry_run', { dryRun: true }, { dry_run: true }],
    ['data', { data: { a: '1' } }, { data: { a: '1' } }],
    ['an empty data object', { data: {} }, { data: {} }],
    ['notification', { notification: { title: 't' } }, { notification: { title: 't' } }],
  ])('writes %s', (_what, message, expected) => {
    expect(buildLegacyFields(message)).toStrictEqual(expected);
  });

  it.each<[string, PushMessage]>([
    ['no options', {}],
    ['content_available set to false', { contentAvailable: false }],
    ['dry_run set to false', { dryRun: false }],
  ])('writes nothing for %s', (_what, message) => {
    expect(buildLegacyFields(message)).toStrictEqual({});
  });
});

describe('readLegacyResponse: whole-request failures', () => {
  it.each([
    {
      status: 400,
      statusText: 'Bad Request',
      body: 'InvalidRegistration\n',
      outcome: { error: 'InvalidRequest', detail: 'InvalidRegistration', retriable: false },
    },
    {
      status: 400,
      statusText: 'Bad Request',
      body: '',
      outcome: { error: 'InvalidRequest', detail: 'HTTP 400 Bad Request', retriable: false },
    },
    {
      status: 401,
      statusText: 'Unauthorized',
      body: '<HTML><TITLE>Unauthorized</TITLE></HTML>',
      outcome: {
        error: 'Unauthorized',
        detail: 'HTTP 401 Unauthorized: the API key was rejected',
        retriable: false,
      },
    },
    {
      status: 500,
      statusText: 'Internal Server Error',
      body: '',
      outcome: { error: 'Unreachable', detail: 'HTTP 500 Internal Server Error', retriable: true },
    },
    {
      status: 502,
      statusText: 'Bad Gateway',
      body: '',
      outcome: { error: 'Unreachable', detail: 'HTTP 502 Bad Gateway', retriable: true },
    },
    {
      status: 503,
      statusText: 'Service Unavailable',
      body: '',
      outcome: { error: 'Unreachable', detail: 'HTTP 503 Service Unavailable', retriable: true },
    },
    {
      status: 429,
      statusText: 'Too Many Requests',
      body: '',
      outcome: { error: 'Unreachable', detail: 'HTTP 429 Too Many Requests', retriable: true },
    },
    {
      status: 404,
      statusText: 'Not Found',
      body: '<html>gone</html>',
      outcome: { error: 'Unreachable', detail: 'HTTP 404 Not Found', retriable: false },
    },
    {
      status: 404,
      statusText: '',
      body: '',
      outcome: { error: 'Unreachable', detail: 'HTTP 404', retriable: false },
    },
  ])(
    'maps HTTP $status "$statusText" to $outcome.error',
    ({ status, statusText, body, outcome }) => {
      const result = readLegacyResponse(reply({ status, statusText, body }), twoTokens, NOW);

      expect(result).toEqual({ kind: 'failed', ...outcome });
    },
  );

  it('takes the first line of a plain-text 400 body as the reason', () => {
    const body = fixture('bad-request.txt');

    const result = readLegacyResponse(reply({ status: 400, body }), twoTokens, NOW);

    expect(result).toMatchObject({
      kind: 'failed',
      error: 'InvalidRequest',
      detail: 'Field "time_to_live" must be a JSON number: abc',
    });
  });

  it('clips a 400 reason longer than 200 characters', () => {
    const body = `${'x'.repeat(250)}\n`;

    const result = readLegacyResponse(reply({ status: 400, body }), twoTokens, NOW);

    expect(result).toMatchObject({ detail: `${'x'.repeat(199)}…` });
  });
});

describe('readLegacyResponse: per-ID results', () => {
  it('maps each result to its registration ID, keeping multicast_id exact', () => {
    const recipients = [token(0, 'tok-a'), token(1, 'tok-b'), token(2, 'tok-c')];

    const result = readLegacyResponse(
      reply({ status: 200, body: fixture('multicast-mixed.json') }),
      recipients,
      NOW,
    );

    expect(result).toStrictEqual({
      kind: 'results',
      results: [
        { ok: true, messageId: '0:1408%31bd8e9ef9fd7ecd' },
        {
          ok: true,
          messageId: '0:1409%31bd8e9ef9fd7ecd',
          canonicalId: 'NEW_TOKEN:APA91b-canonical',
        },
        { ok: false, error: 'NotRegistered', retriable: false },
      ],
      multicastId: '6617353745316249851',
      retryAfterMs: undefined,
    });
  });

  it('reads a small numeric multicast_id as its digits', () => {
    const body = '{"multicast_id":108,"results":[{"message_id":"m1"},{"message_id":"m2"}]}';

    const result = readLegacyResponse(reply({ status: 200, body }), twoTokens, NOW);

    expect(result).toMatchObject({ kind: 'results', multicastId: '108' });
  });

  it('leaves multicastId undefined when the answer has none', () => {
    const body = '{"results":[{"message_id":"m1"},{"message_id":"m2"}]}';

    const result = readLegacyResponse(reply({ status: 200, body }), twoTokens, NOW);

    expect(result.kind === 'results' && result.multicastId).toBeUndefined();
  });

  it('reports no canonical ID when registration_id equals the ID that was sent', () => {
    const body = '{"results":[{"message_id":"m1","registration_id":"tok-a"}]}';

    const result = readLegacyResponse(reply({ status: 200, body }), [token(0, 'tok-a')], NOW);

    expect(result.kind === 'results' && result.results).toStrictEqual([
      { ok: true, messageId: 'm1' },
    ]);
  });

  it.each([
    ['MissingRegistration', false],
    ['InvalidRegistration', false],
    ['NotRegistered', false],
    ['InvalidPackageName', false],
    ['MismatchSenderId', false],
    ['MessageTooBig', false],
    ['InvalidDataKey', false],
    ['InvalidTtl', false],
    ['Unavailable', true],
    ['InternalServerError', true],
    ['DeviceMessageRateExceeded', false],
    ['TopicsMessageRateExceeded', false],
    ['InvalidApnsCredential', false],
    ['QuotaExceeded', false],
    ['DeviceQuotaExceeded', false],
    ['MissingCollapseKey', false],
  ])('reads the per-ID error %s as retriable %s', (code, retriable) => {
    const body = JSON.stringify({ results: [{ message_id: 'm1' }, { error: code }] });

    const result = readLegacyResponse(reply({ status: 200, body }), twoTokens, NOW);

    expect(result.kind === 'results' && result.results).toStrictEqual([
      { ok: true, messageId: 'm1' },
      { ok: false, error: code, retriable },
    ]);
  });

  it('keeps a 19-digit numeric topic message_id exact', () => {
    const result = readLegacyResponse(
      reply({ status: 200, body: fixture('topic-success.json') }),
      [topic],
      NOW,
    );

    expect(result).toStrictEqual({
      kind: 'results',
      results: [{ ok: true, messageId: '8635245318290341617' }],
      retryAfterMs: undefined,
    });
  });

  it('reads a small numeric topic message_id as its digits', () => {
    const result = readLegacyResponse(
      reply({ status: 200, body: '{"message_id":7718}' }),
      [topic],
      NOW,
    );

    expect(result.kind === 'results' && result.results).toStrictEqual([
      { ok: true, messageId: '7718' },
    ]);
  });

  it('reads a topic error answer as one failed result', () => {
    const body = '{"error":"TopicsMessageRateExceeded"}';

    const result = readLegacyResponse(reply({ status: 200, body }), [topic], NOW);

    expect(result.kind === 'results' && result.results).toStrictEqual([
      { ok: false, error: 'TopicsMessageRateExceeded', retriable: false },
    ]);
  });

  it('reads a condition answer like a topic answer', () => {
    const body = '{"message_id":"c-1"}';

    const result = readLegacyResponse(reply({ status: 200, body }), [condition], NOW);

    expect(result.kind === 'results' && result.results).toStrictEqual([
      { ok: true, messageId: 'c-1' },
    ]);
  });

  it('is the readResponse of the protocol object', () => {
    const protocol = createLegacyProtocol({ endpoint: ENDPOINT, apiKey: API_KEY, message: {} });
    const body = '{"results":[{"error":"Unavailable"}]}';

    const result = protocol.readResponse(reply({ status: 200, body }), [token(0, 'x')], NOW);

    expect(result.kind === 'results' && result.results).toStrictEqual([
      { ok: false, error: 'Unavailable', retriable: true },
    ]);
  });
});

describe('readLegacyResponse: Retry-After', () => {
  it('reads Retry-After in seconds on a 503', () => {
    const response = reply({ status: 503, headers: { 'Retry-After': '120' } });

    expect(readLegacyResponse(response, twoTokens, NOW)).toMatchObject({
      kind: 'failed',
      retriable: true,
      retryAfterMs: 120_000,
    });
  });

  it('reads Retry-After as an HTTP date relative to now', () => {
    const date = new Date(NOW + 45_000).toUTCString();
    const response = reply({ status: 503, headers: { 'Retry-After': date } });

    expect(readLegacyResponse(response, twoTokens, NOW)).toMatchObject({ retryAfterMs: 45_000 });
  });

  it('waits nothing for an HTTP date already past', () => {
    const date = new Date(NOW - 10_000).toUTCString();
    const response = reply({ status: 500, headers: { 'Retry-After': date } });

    expect(readLegacyResponse(response, twoTokens, NOW)).toMatchObject({ retryAfterMs: 0 });
  });

  it('keeps Retry-After on a 200 whose results ask for a retry', () => {
    const body = '{"results":[{"error":"Unavailable"},{"message_id":"m2"}]}';
    const response = reply({ status: 200, body, headers: { 'Retry-After': '7' } });

    expect(readLegacyResponse(response, twoTokens, NOW)).toMatchObject({
      kind: 'results',
      retryAfterMs: 7000,
    });
  });

  it('leaves retryAfterMs undefined without the header', () => {
    const result = readLegacyResponse(reply({ status: 503 }), twoTokens, NOW);

    expect(result.retryAfterMs).toBeUndefined();
  });
});

describe('readLegacyResponse: malformed 200 answers', () => {
  it.each([
    ['an empty body', '', twoTokens, 'the service sent an empty answer'],
    ['a blank body', '  \n', twoTokens, 'the service sent an empty answer'],
    ['an HTML page', '<html>oops</html>', twoTokens, 'the service sent an answer that is not JSON'],
    ['a JSON array', '[]', twoTokens, 'the service sent an answer that is not a JSON object'],
    ['a JSON string', '"ok"', twoTokens, 'the service sent an answer that is not a JSON object'],
    [
      'too few results',
      '{"results":[{"message_id":"m1"}]}',
      twoTokens,
      'the service sent 1 results for 2 registration IDs',
    ],
    [
      'too many results',
      '{"results":[{"message_id":"m1"},{"message_id":"m2"},{"message_id":"m3"}]}',
      twoTokens,
      'the service sent 3 results for 2 registration IDs',
    ],
    [
      'no results',
      '{"success":2}',
      twoTokens,
      'the service sent no results for 2 registration IDs',
    ],
    [
      'a result with neither field',
      '{"results":[{"message_id":"m1"},{"registration_id":"x"}]}',
      twoTokens,
      'the service sent result 2 has no message_id or error',
    ],
    [
      'a result with an empty error',
      '{"results":[{"error":""},{"message_id":"m2"}]}',
      twoTokens,
      'the service sent result 1 has no message_id or error',
    ],
    [
      'a result that is not an object',
      '{"results":[{"message_id":"m1"},"m2"]}',
      twoTokens,
      'the service sent result 2 has no message_id or error',
    ],
    ['a topic answer with neither field', '{}', [topic], 'the service sent no message_id or error'],
  ])('refuses %s as InvalidResponse, not retriable', (_what, body, recipients, detail) => {
    const result = readLegacyResponse(reply({ status: 200, body }), recipients, NOW);

    expect(result).toStrictEqual({
      kind: 'failed',
      error: 'InvalidResponse',
      detail,
      retriable: false,
    });
  });
});
