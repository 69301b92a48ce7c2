import { describe, expect, it } from 'vitest';
import { createLegacyProtocol } from '../../src/protocols/gcm-legacy.js';
import type { HttpRequest, HttpResponse } from '../../src/transport/http.js';
import { formatRequest, formatResponse, redactAuthorization } from '../../src/output/verbose.js';

const API_KEY = 'AIzaSyD-3kq9Zx7_mNpQrStUvWxYz0123wxyz';
const ENDPOINT = 'https://fcm.googleapis.com/fcm/send';

function request(overrides: Partial<HttpRequest> = {}): HttpRequest {
  return {
    url: ENDPOINT,
    headers: { Authorization: `key=${API_KEY}`, 'Content-Type': 'application/json' },
    body: '{"registration_ids":["tok-a"]}',
    ...overrides,
  };
}

function response(overrides: Partial<HttpResponse> = {}): HttpResponse {
  return {
    status: 200,
    statusText: 'OK',
    headers: new Headers({ 'Content-Type': 'application/json; charset=UTF-8' }),
    body: '{"results":[{"message_id":"m1"}]}\n',
    ...overrides,
  };
}

describe('redactAuthorization', () => {
  it.each([
    ['a legacy key', `key=${API_KEY}`, 'key=AIza…wxyz'],
    ['a bearer token', 'Bearer ya29.a0AfB_byC-0123456789-lmnop', 'Bearer ya29…mnop'],
    ['a lower-case bearer prefix', 'bearer ya29.a0AfB_byC-0123456789-lmnop', 'bearer ya29…mnop'],
    ['a short key', 'key=short', 'key=(5 characters, hidden)'],
    ['an empty key', 'key=', 'key=(0 characters, hidden)'],
    ['an unknown scheme', 'Basic dXNlcjpwYXNzd29yZA==', 'Basi…ZA=='],
    ['a short unknown value', 'secret', '(6 characters, hidden)'],
  ])('redacts %s to %s', (_what, value, expected) => {
    expect(redactAuthorization(value)).toBe(expected);
  });
});

describe('formatRequest', () => {
  it('writes the URL, the headers with the key redacted, and the body', () => {
    expect(formatRequest(request())).toBe(
      `> POST ${ENDPOINT}\n` +
        '> Authorization: key=AIza…wxyz\n' +
        '> Content-Type: application/json\n' +
        '> {"registration_ids":["tok-a"]}\n',
    );
  });

  it('never shows the whole key, nor its middle', () => {
    const text = formatRequest(request());

    expect(text).not.toContain(API_KEY);
    expect(text).not.toContain(API_KEY.slice(4, -4));
  });

  it('redacts the header whatever its case', () => {
    const text = formatRequest(request({ headers: { authorization: `key=${API_KEY}` } }));

    expect(text).toContain('> authorization: key=AIza…wxyz\n');
    expect(text).not.toContain(API_KEY);
  });

  it('redacts the key of a request the legacy protocol built', () => {
    const protocol = createLegacyProtocol({ endpoint: ENDPOINT, apiKey: API_KEY, message: {} });
    const built = protocol.buildRequest([
      { index: 0, target: 'tok-a', registrationId: 'tok-a', kind: 'token' },
    ]);

    const text = formatRequest(built as HttpRequest);

    expect(text).not.toContain(API_KEY);
    expect(text).toContain('key=AIza…wxyz');
  });

  it('keeps a body of exactly 2000 characters whole', () => {
    const body = 'x'.repeat(2000);

    expect(formatRequest(request({ body }))).toContain(`> ${body}\n`);
  });

  it('clips a longer body to 2000 characters and gives its whole size in bytes', () => {
    const body = 'é'.repeat(3000);

    const last = formatRequest(request({ body })).trimEnd().split('\n').at(-1);

    expect(last).toBe(`> ${'é'.repeat(2000)}… (6000 bytes in all)`);
  });
});

describe('formatResponse', () => {
  it('writes the status, the content type and the trimmed body', () => {
    expect(formatResponse(response(), 12.4)).toBe(
      '< 200 OK (12 ms)\n' +
        '< content-type: application/json; charset=UTF-8\n' +
        '< {"results":[{"message_id":"m1"}]}\n',
    );
  });

  it('shows Retry-After when the service sent it', () => {
    const text = formatResponse(
      response({
        status: 503,
        statusText: 'Service Unavailable',
        headers: new Headers({ 'Retry-After': '120' }),
        body: '',
      }),
      1000.6,
    );

    expect(text).toBe('< 503 Service Unavailable (1001 ms)\n< retry-after: 120\n< \n');
  });

  it('clips a long response body', () => {
    const body = `${'y'.repeat(5000)}\n`;

    const last = formatResponse(response({ body }), 5).trimEnd().split('\n').at(-1);

    expect(last).toBe(`< ${'y'.repeat(2000)}… (5000 bytes in all)`);
  });
});
