import { describe, expect, it } from 'vitest';
import { runSend } from '../../src/engine/send.js';
import { AuthError } from '../../src/errors.js';
import type { BatchOutcome, Protocol, Recipient } from '../../src/protocols/types.js';
import type { HttpRequest, HttpResponse, Transport } from '../../src/transport/http.js';
import { NetworkError } from '../../src/transport/http.js';

const recipients: Recipient[] = [
  { index: 0, target: 'phone', registrationId: 'id-phone', kind: 'token', name: 'phone' },
];

/** A protocol whose token is a counter: each refresh hands out the next one. */
function tokenProtocol(
  answers: BatchOutcome[],
  build?: () => void,
): Protocol & { refreshes: number } {
  let token = 1;
  const protocol = {
    name: 'v1' as const,
    maxBatch: 1,
    refreshes: 0,
    buildRequest(): HttpRequest {
      build?.();
      return {
        url: 'https://push.test/send',
        headers: { authorization: `Bearer ${token}` },
        body: '',
      };
    },
    readResponse(): BatchOutcome {
      const next = answers.shift();
      if (next === undefined) throw new Error('more requests than answers');
      return next;
    },
    async refreshCredentials() {
      protocol.refreshes++;
      token++;
    },
  };
  return protocol;
}

function recordingTransport(): Transport & { seen: HttpRequest[] } {
  const seen: HttpRequest[] = [];
  const response: HttpResponse = {
    status: 200,
    statusText: 'OK',
    headers: new Headers(),
    body: '',
  };
  return {
    seen,
    post: async (request) => {
      seen.push(request);
      return response;
    },
    close: async () => {},
  };
}

function run(protocol: Protocol, transport: Transport, retries = 2) {
  let now = 0;
  return runSend(
    recipients,
    protocol,
    { retries, timeoutMs: 60_000, concurrency: 1 },
    { transport, now: () => now, sleep: async (ms) => void (now += ms), random: () => 0.5 },
  );
}

const expired: BatchOutcome = {
  kind: 'failed',
  error: 'Unauthorized',
  detail: 'HTTP 401',
  retriable: false,
  refreshable: true,
  status: 'UNAUTHENTICATED',
};
const accepted: BatchOutcome = {
  kind: 'results',
  results: [{ ok: true, messageId: 'projects/p/messages/1' }],
};

describe('runSend with credentials that expire', () => {
  it('refreshes once after a refreshable 401 and sends again with the new token', async () => {
    const protocol = tokenProtocol([expired, accepted]);
    const transport = recordingTransport();

    const report = await run(protocol, transport);

    expect(protocol.refreshes).toBe(1);
    expect(transport.seen.map((request) => request.headers.authorization)).toEqual([
      'Bearer 1',
      'Bearer 2',
    ]);
    expect(report.results[0]).toMatchObject({ ok: true, attempts: 2 });
  });

  it('takes a second 401 after the refresh as final, keeping the v1 status', async () => {
    const protocol = tokenProtocol([expired, expired]);
    const transport = recordingTransport();

    const report = await run(protocol, transport);

    expect(protocol.refreshes).toBe(1);
    expect(transport.seen).toHaveLength(2);
    expect(report.results[0]).toMatchObject({
      ok: false,
      error: 'Unauthorized',
      status: 'UNAUTHENTICATED',
      attempts: 2,
    });
  });

  it('fails with Unauthorized, sending nothing, when credentials are refused', async () => {
    const protocol = tokenProtocol([], () => {
      throw new AuthError('the token endpoint refused the service account: invalid_grant');
    });
    const transport = recordingTransport();

    const report = await run(protocol, transport);

    expect(transport.seen).toHaveLength(0);
    expect(report.results[0]).toMatchObject({
      ok: false,
      error: 'Unauthorized',
      detail: 'the token endpoint refused the service account: invalid_grant',
      attempts: 1,
    });
  });

  it('retries when the token endpoint cannot be reached', async () => {
    let calls = 0;
    const protocol = tokenProtocol([accepted], () => {
      calls++;
      if (calls === 1) throw new NetworkError('connection refused (ECONNREFUSED)');
    });
    const transport = recordingTransport();

    const report = await run(protocol, transport);

    expect(transport.seen).toHaveLength(1);
    expect(report.results[0]).toMatchObject({ ok: true, attempts: 2 });
  });

  it('gives up with Unreachable when the token endpoint stays unreachable', async () => {
    const protocol = tokenProtocol([], () => {
      throw new NetworkError('connection refused (ECONNREFUSED)');
    });

    const report = await run(protocol, recordingTransport(), 1);

    expect(report.results[0]).toMatchObject({ ok: false, error: 'Unreachable', attempts: 2 });
    expect(report.results[0]?.detail).toContain('connection refused');
  });
});
