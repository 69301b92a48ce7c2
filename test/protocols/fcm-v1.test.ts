import { HttpResponse as MswResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { TokenProvider } from '../../src/auth/access-token.js';
import { createTokenProvider } from '../../src/auth/access-token.js';
import { validateServiceAccount } from '../../src/auth/service-account.js';
import { runSend } from '../../src/engine/send.js';
import { UsageError } from '../../src/errors.js';
import {
  createFcmV1Protocol,
  readV1Response,
  resolveV1Endpoint,
} from '../../src/protocols/fcm-v1.js';
import type { PushMessage, Recipient } from '../../src/protocols/types.js';
import type { HttpResponse, Transport } from '../../src/transport/http.js';
import { createTransport } from '../../src/transport/http.js';
import { accountJson, createTestKeys } from '../helpers/service-account.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const SEND_URL = 'https://fcm.test/v1/projects/demo-project/messages:send';
const FCM_ERROR = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';
const BAD_REQUEST = 'type.googleapis.com/google.rpc.BadRequest';

const device: Recipient = {
  index: 0,
  target: 'phone',
  registrationId: 'tok:APA91b',
  kind: 'token',
};
const topic: Recipient = {
  index: 0,
  target: '/topics/news',
  registrationId: '/topics/news',
  kind: 'topic',
};
const condition: Recipient = {
  index: 0,
  target: "'a' in topics",
  registrationId: "'a' in topics",
  kind: 'condition',
};

/** Hands out `access-1`, and `access-2` after the first is invalidated. */
function fakeTokens(): TokenProvider & { invalidated: string[] } {
  let current = 1;
  const invalidated: string[] = [];
  return {
    invalidated,
    get: async () => `access-${current}`,
    invalidate: async (token) => {
      invalidated.push(token);
      current++;
    },
  };
}

async function requestFor(message: PushMessage, recipient: Recipient = device) {
  const protocol = createFcmV1Protocol({
    endpoint: 'https://fcm.test',
    projectId: 'demo-project',
    message,
    tokens: fakeTokens(),
  });
  return protocol.buildRequest([recipient]);
}

function reply(
  status: number,
  body: unknown = '',
  headers: Record<string, string> = {},
): HttpResponse {
  return {
    status,
    statusText: '',
    headers: new Headers(headers),
    body: typeof body === 'string' ? body : JSON.stringify(body),
  };
}

function v1Error(code: number, status: string, message: string, details: unknown[] = []) {
  return { error: { code, status, message, details } };
}

function fcmError(errorCode: string) {
  return { '@type': FCM_ERROR, errorCode };
}

describe('resolveV1Endpoint', () => {
  it.each([
    [undefined, 'https://fcm.googleapis.com/v1/projects/p-1/messages:send'],
    ['', 'https://fcm.googleapis.com/v1/projects/p-1/messages:send'],
    ['http://127.0.0.1:8123/fcm/send?x=1', 'http://127.0.0.1:8123/v1/projects/p-1/messages:send'],
    ['https://fcm.test', 'https://fcm.test/v1/projects/p-1/messages:send'],
  ])('turns %s into %s', (value, expected) => {
    expect(resolveV1Endpoint(value, 'p-1')).toBe(expected);
  });

  it('URL-encodes the project ID', () => {
    expect(resolveV1Endpoint(undefined, 'a/b c')).toBe(
      'https://fcm.googleapis.com/v1/projects/a%2Fb%20c/messages:send',
    );
  });

  it.each(['not a url', 'ftp://fcm.test/'])('refuses %s with a UsageError', (value) => {
    expect(() => resolveV1Endpoint(value, 'p')).toThrow(UsageError);
  });
});

describe('createFcmV1Protocol', () => {
  it('is named v1 and carries one recipient a request', () => {
    const protocol = createFcmV1Protocol({ projectId: 'p', message: {}, tokens: fakeTokens() });
    expect(protocol.name).toBe('v1');
    expect(protocol.maxBatch).toBe(1);
  });

  it('posts JSON with the bearer token to the project send URL', async () => {
    const request = await requestFor({ data: { k: 'v' } });
    expect(request.url).toBe(SEND_URL);
    expect(request.headers).toEqual({
      Authorization: 'Bearer access-1',
      'Content-Type': 'application/json',
    });
    expect(JSON.parse(request.body)).toEqual({
      message: { token: 'tok:APA91b', data: { k: 'v' } },
    });
  });

  it.each([
    [device, { token: 'tok:APA91b' }],
    [topic, { topic: 'news' }],
    [condition, { condition: "'a' in topics" }],
  ])('targets a %o by its own field', async (recipient, target) => {
    const request = await requestFor({}, recipient);
    expect(JSON.parse(request.body)).toEqual({ message: target });
  });

  it('adds top-level validate_only for a dry run', async () => {
    const request = await requestFor({ dryRun: true, ttl: 5 });
    expect(JSON.parse(request.body)).toEqual({
      validate_only: true,
      message: { token: 'tok:APA91b', android: { ttl: '5s' } },
    });
  });

  it('refuses a bad message when created, before anything is sent', () => {
    const tokens = fakeTokens();
    const message = { notification: { colour: '#fff' } };
    expect(() => createFcmV1Protocol({ projectId: 'p', message, tokens })).toThrow(UsageError);
  });

  it('invalidates the token a failed request carried', async () => {
    const tokens = fakeTokens();
    const protocol = createFcmV1Protocol({ projectId: 'p', message: {}, tokens });
    const request = await protocol.buildRequest([device]);
    await protocol.refreshCredentials?.(request);
    expect(tokens.invalidated).toEqual(['access-1']);
    expect((await protocol.buildRequest([device])).headers.Authorization).toBe('Bearer access-2');
  });
});

describe('readV1Response', () => {
  it('takes the message name of a 200 as its ID', () => {
    const outcome = readV1Response(reply(200, { name: 'projects/p/messages/0:1' }), [device], NOW);
    expect(outcome).toEqual({
      kind: 'results',
      results: [{ ok: true, messageId: 'projects/p/messages/0:1' }],
    });
  });

  it.each([
    ['', 'the service sent an empty answer'],
    ['<html></html>', 'the service sent an answer that is not JSON'],
    ['{}', 'the service sent an answer without a message name'],
    ['{"name": 5}', 'the service sent an answer without a message name'],
    ['null', 'the service sent an answer without a message name'],
  ])('calls a 200 of %s an InvalidResponse', (body, detail) => {
    expect(readV1Response(reply(200, body), [device], NOW)).toEqual({
      kind: 'failed',
      error: 'InvalidResponse',
      detail,
      retriable: false,
    });
  });

  const unregistered = v1Error(404, 'NOT_FOUND', 'Requested entity was not found.', [
    fcmError('UNREGISTERED'),
  ]);
  const tokenViolation = v1Error(400, 'INVALID_ARGUMENT', 'Request contains an invalid argument.', [
    fcmError('INVALID_ARGUMENT'),
    {
      '@type': BAD_REQUEST,
      fieldViolations: [{ field: 'message.token', description: 'Invalid registration token' }],
    },
  ]);
  it.each<[string, number, unknown, string, boolean, string | undefined]>([
    ['UNREGISTERED', 404, unregistered, 'NotRegistered', false, 'UNREGISTERED'],
    [
      'a token field violation',
      400,
      tokenViolation,
      'InvalidRegistration',
      false,
      'INVALID_ARGUMENT',
    ],
    [
      'a message about the token',
      400,
      v1Error(
        400,
        'INVALID_ARGUMENT',
        'The registration token is not a valid FCM registration token',
        [fcmError('INVALID_ARGUMENT')],
      ),
      'InvalidRegistration',
      false,
      'INVALID_ARGUMENT',
    ],
    [
      'a message too big',
      400,
      v1Error(400, 'INVALID_ARGUMENT', 'Message is too big', [fcmError('INVALID_ARGUMENT')]),
      'MessageTooBig',
      false,
      'INVALID_ARGUMENT',
    ],
    [
      'a bad TTL',
      400,
      v1Error(400, 'INVALID_ARGUMENT', 'Invalid value', [
        {
          '@type': BAD_REQUEST,
          fieldViolations: [{ field: 'message.android.ttl', description: 'Invalid duration' }],
        },
      ]),
      'InvalidTtl',
      false,
      'INVALID_ARGUMENT',
    ],
    [
      'a package mismatch',
      400,
      v1Error(400, 'INVALID_ARGUMENT', 'Invalid package name', []),
      'InvalidPackageName',
      false,
      'INVALID_ARGUMENT',
    ],
    [
      'a reserved data key',
      400,
      v1Error(400, 'INVALID_ARGUMENT', 'Invalid data payload key: from', []),
      'InvalidDataKey',
      false,
      'INVALID_ARGUMENT',
    ],
    [
      'any other INVALID_ARGUMENT',
      400,
      v1Error(400, 'INVALID_ARGUMENT', 'Invalid JSON payload received. Unknown name "x"', []),
      'InvalidParameters',
      false,
      'INVALID_ARGUMENT',
    ],
    ['a bare HTTP 400', 400, 'Bad Request', 'InvalidParameters', false, undefined],
    [
      'SENDER_ID_MISMATCH',
      403,
      v1Error(403, 'PERMISSION_DENIED', 'SenderId mismatch', [fcmError('SENDER_ID_MISMATCH')]),
      'MismatchSenderId',
      false,
      'SENDER_ID_MISMATCH',
    ],
    [
      'QUOTA_EXCEEDED',
      429,
      v1Error(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', [fcmError('QUOTA_EXCEEDED')]),
      'QuotaExceeded',
      true,
      'QUOTA_EXCEEDED',
    ],
    [
      'RESOURCE_EXHAUSTED alone',
      429,
      v1Error(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded'),
      'QuotaExceeded',
      true,
      'RESOURCE_EXHAUSTED',
    ],
    ['an HTML 429', 429, '<html>slow down</html>', 'QuotaExceeded', true, undefined],
    [
      'UNAVAILABLE',
      503,
      v1Error(503, 'UNAVAILABLE', 'The service is currently unavailable.', [
        fcmError('UNAVAILABLE'),
      ]),
      'Unavailable',
      true,
      'UNAVAILABLE',
    ],
    ['an HTML 503', 503, '<html>down</html>', 'Unavailable', true, undefined],
    [
      'INTERNAL',
      500,
      v1Error(500, 'INTERNAL', 'Internal error encountered.', [fcmError('INTERNAL')]),
      'InternalServerError',
      true,
      'INTERNAL',
    ],
    ['an HTML 500', 500, '<html>oops</html>', 'InternalServerError', true, undefined],
    [
      'THIRD_PARTY_AUTH_ERROR',
      401,
      v1Error(401, 'UNAUTHENTICATED', 'Auth error from APNS or Web Push Service', [
        fcmError('THIRD_PARTY_AUTH_ERROR'),
      ]),
      'InvalidApnsCredential',
      false,
      'THIRD_PARTY_AUTH_ERROR',
    ],
    [
      'UNSPECIFIED_ERROR on a 500',
      500,
      v1Error(500, 'INTERNAL', 'x', [fcmError('UNSPECIFIED_ERROR')]),
      'InternalServerError',
      true,
      'UNSPECIFIED_ERROR',
    ],
    [
      'an unknown code with a known status',
      400,
      v1Error(400, 'INVALID_ARGUMENT', 'x', [fcmError('SOMETHING_NEW')]),
      'InvalidParameters',
      false,
      'SOMETHING_NEW',
    ],
    ['HTTP 413', 413, '', 'MessageTooBig', false, undefined],
    ['another 4xx', 409, v1Error(409, 'ABORTED', 'conflict'), 'InvalidRequest', false, 'ABORTED'],
  ])('maps %s to a recipient result', (_case, status, body, error, retriable, v1Status) => {
    const outcome = readV1Response(reply(status, body), [device], NOW);
    expect(outcome.kind).toBe('results');
    const [result] = outcome.kind === 'results' ? outcome.results : [];
    expect(result).toMatchObject({ ok: false, error, retriable });
    expect(result && 'status' in result ? result.status : undefined).toBe(v1Status);
    expect(outcome.kind === 'results' && outcome.results).toHaveLength(1);
  });

  it('keeps the server message, and the first field violation, as the detail', () => {
    const outcome = readV1Response(reply(400, tokenViolation), [device], NOW);
    expect(outcome.kind === 'results' && outcome.results[0]).toMatchObject({
      detail: 'Request contains an invalid argument.; message.token: Invalid registration token',
    });
  });

  it('adds the APNs reason to the detail', () => {
    const body = v1Error(401, 'UNAUTHENTICATED', 'Auth error', [
      fcmError('THIRD_PARTY_AUTH_ERROR'),
      {
        '@type': 'type.googleapis.com/google.firebase.fcm.v1.ApnsError',
        statusCode: 403,
        reason: 'InvalidProviderToken',
      },
    ]);
    const outcome = readV1Response(reply(401, body), [device], NOW);
    expect(outcome.kind === 'results' && outcome.results[0]).toMatchObject({
      detail: 'Auth error; APNs: InvalidProviderToken',
    });
  });

  it('clips a long server message to its first line of 200 characters', () => {
    const body = v1Error(400, 'INVALID_ARGUMENT', `${'x'.repeat(300)}\nsecond line`);
    const outcome = readV1Response(reply(400, body), [device], NOW);
    const detail =
      outcome.kind === 'results' && !outcome.results[0]?.ok ? outcome.results[0]?.detail : '';
    expect(detail).toHaveLength(200);
    expect(detail?.endsWith('…')).toBe(true);
  });

  it('describes an HTML body by its status alone', () => {
    const response = {
      ...reply(503, '<html><body>Error 503 secret-ish page</body></html>'),
      statusText: 'Service Unavailable',
    };
    const outcome = readV1Response(response, [device], NOW);
    expect(outcome.kind === 'results' && outcome.results[0]).toMatchObject({
      detail: 'HTTP 503 Service Unavailable',
    });
  });

  it.each([
    ['delta-seconds', '120', 120_000],
    ['an HTTP date', new Date(NOW + 30_000).toUTCString(), 30_000],
  ])('honours Retry-After as %s', (_case, value, ms) => {
    const outcome = readV1Response(reply(503, '', { 'Retry-After': value }), [device], NOW);
    expect(outcome).toMatchObject({ kind: 'results', retryAfterMs: ms });
  });

  it('takes a 401 without FcmError as an expired token the engine may refresh', () => {
    const body = v1Error(401, 'UNAUTHENTICATED', 'Request had invalid authentication credentials.');
    const outcome = readV1Response(
      { ...reply(401, body), statusText: 'Unauthorized' },
      [device],
      NOW,
    );
    expect(outcome).toEqual({
      kind: 'failed',
      error: 'Unauthorized',
      detail:
        'HTTP 401 Unauthorized: the access token was refused ' +
        '(Request had invalid authentication credentials.)',
      retriable: false,
      refreshable: true,
      status: 'UNAUTHENTICATED',
      retryAfterMs: undefined,
    });
  });

  it('takes an HTML 401 as refreshable too', () => {
    expect(readV1Response(reply(401, '<html>401</html>'), [device], NOW)).toMatchObject({
      kind: 'failed',
      error: 'Unauthorized',
      refreshable: true,
      status: 'UNAUTHENTICATED',
    });
  });

  it('fails a 403 without FcmError, unretried, pointing at IAM and the API', () => {
    const body = v1Error(403, 'PERMISSION_DENIED', 'Permission denied on resource project p.');
    const outcome = readV1Response(reply(403, body), [device], NOW);
    expect(outcome).toMatchObject({
      kind: 'failed',
      error: 'Unauthorized',
      retriable: false,
      status: 'PERMISSION_DENIED',
    });
    expect(outcome.kind === 'failed' && outcome.refreshable).toBeFalsy();
    expect(outcome.kind === 'failed' && outcome.detail).toBe(
      'HTTP 403: permission denied (Permission denied on resource project p.); ' +
        'the service account needs cloudmessaging.messages.create and the FCM API enabled',
    );
  });

  it.each([
    ['an HTML 404', '<!DOCTYPE html><html>404. That’s an error.</html>'],
    ['a NOT_FOUND without FcmError', v1Error(404, 'NOT_FOUND', 'Requested entity was not found.')],
  ])('fails %s as a wrong URL or project, unretried', (_case, body) => {
    const outcome = readV1Response(reply(404, body), [device], NOW);
    expect(outcome).toMatchObject({ kind: 'failed', error: 'InvalidRequest', retriable: false });
    expect(outcome.kind === 'failed' && outcome.detail).toMatch(
      /^HTTP 404: wrong URL or project.*check --endpoint and project_id$/,
    );
  });

  it('retries other 5xx answers, as gateway trouble, like the legacy protocol does', () => {
    const outcome = readV1Response(
      { ...reply(502, '<html/>'), statusText: 'Bad Gateway' },
      [device],
      NOW,
    );
    expect(outcome).toEqual({
      kind: 'failed',
      error: 'Unreachable',
      detail: 'HTTP 502 Bad Gateway',
      retriable: true,
      retryAfterMs: undefined,
    });
  });

  it.each([
    ['a JSON body with no error object', '{"error": "nope"}'],
    ['a JSON array', '[]'],
    ['details that are not objects', '{"error": {"code": 400, "details": [1, null, "x"]}}'],
  ])('copes with %s', (_case, body) => {
    const outcome = readV1Response(reply(400, body), [device], NOW);
    expect(outcome.kind === 'results' && outcome.results[0]).toMatchObject({
      ok: false,
      error: 'InvalidParameters',
    });
  });
});

describe('FCM v1 through the send engine', () => {
  const keys = createTestKeys();
  const account = validateServiceAccount(
    accountJson(keys.privatePem, { token_uri: 'https://oauth.test/token' }),
    'test',
  );
  const seen: string[] = [];
  const answers: Array<() => Response> = [];
  let grants = 0;
  const server = setupServer(
    http.post('https://oauth.test/token', () => {
      grants++;
      return MswResponse.json({ access_token: `tok-${grants}`, expires_in: 3600 });
    }),
    http.post(SEND_URL, ({ request }) => {
      seen.push(request.headers.get('authorization') ?? '');
      return (
        answers.shift() ?? (() => MswResponse.json({ name: 'projects/demo-project/messages/1' }))
      )();
    }),
  );
  let transport: Transport;
  beforeAll(async () => {
    server.listen({ onUnhandledRequest: 'error' });
    transport = await createTransport({ connections: 2 });
  });
  afterEach(() => {
    server.resetHandlers();
    seen.length = 0;
    answers.length = 0;
    grants = 0;
  });
  afterAll(async () => {
    server.close();
    await transport.close();
  });

  async function send(recipients: Recipient[]) {
    let now = NOW;
    const sleeps: number[] = [];
    const clock = () => now;
    const tokens = createTokenProvider({ account, transport, now: clock });
    const protocol = createFcmV1Protocol({
      endpoint: 'https://fcm.test',
      projectId: 'demo-project',
      message: {},
      tokens,
    });
    const report = await runSend(
      recipients,
      protocol,
      { retries: 2, timeoutMs: 600_000, concurrency: 10 },
      {
        transport,
        now: clock,
        sleep: async (ms) => {
          sleeps.push(ms);
          now += ms;
        },
        random: () => 0.5,
      },
    );
    return { report, sleeps };
  }

  it('fetches a fresh token once after a 401 and resends with it', async () => {
    answers.push(() =>
      MswResponse.json(v1Error(401, 'UNAUTHENTICATED', 'expired'), { status: 401 }),
    );
    const { report } = await send([device]);
    expect(seen).toEqual(['Bearer tok-1', 'Bearer tok-2']);
    expect(grants).toBe(2);
    expect(report.results[0]).toMatchObject({ ok: true, attempts: 2 });
  });

  it('retries a 503 after its Retry-After and keeps the v1 status of a final failure', async () => {
    const busy = () =>
      MswResponse.json(v1Error(503, 'UNAVAILABLE', 'busy', [fcmError('UNAVAILABLE')]), {
        status: 503,
        headers: { 'Retry-After': '7' },
      });
    answers.push(busy, busy, busy);
    const { report, sleeps } = await send([device]);
    expect(sleeps).toEqual([7000, 7000]);
    expect(report.results[0]).toMatchObject({
      ok: false,
      error: 'Unavailable',
      status: 'UNAVAILABLE',
      attempts: 3,
    });
  });

  it('sends nothing when the grant is refused, asking the token endpoint once', async () => {
    server.use(
      http.post('https://oauth.test/token', () => {
        grants++;
        return MswResponse.json({ error: 'invalid_grant' }, { status: 400 });
      }),
    );
    const many = [0, 1, 2].map((index) => ({ ...device, index, registrationId: `tok-${index}` }));
    const { report } = await send(many);
    expect(seen).toEqual([]);
    expect(grants).toBe(1);
    expect(report.results.map((result) => result.error)).toEqual([
      'Unauthorized',
      'Unauthorized',
      'Unauthorized',
    ]);
  });
});
