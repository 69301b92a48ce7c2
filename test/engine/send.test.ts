import { describe, expect, it } from 'vitest';
import type { RecipientResult } from '../../src/engine/send.js';
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

/** A protocol of `maxBatch` IDs a request that accepts everything, answering in request order. */
function acceptingProtocol(maxBatch: number): Protocol {
  return {
    name: 'legacy',
    maxBatch,
    buildRequest: (batch) => ({ url: 'https://push.test/send', headers: {}, body: ids(batch) }),
    readResponse: (_response, batch) => ({
      kind: 'results',
      results: batch.map((recipient) => ({ ok: true, messageId: `m-${recipient.index}` })),
    }),
  };
}

function ids(batch: Recipient[]): string {
  return batch.map((recipient) => recipient.registrationId).join(',');
}

function token(index: number): Recipient {
  return { index, target: `id-${index}`, registrationId: `id-${index}`, kind: 'token' };
}

/** A transport whose answers wait until the test releases them, in any order. */
function heldTransport() {
  const held: Array<{ body: string; release: () => void }> = [];
  const response: HttpResponse = {
    status: 200,
    statusText: 'OK',
    headers: new Headers(),
    body: '',
  };
  const transport: Transport = {
    post: (request, signal) =>
      new Promise((resolve, reject) => {
        held.push({ body: request.body, release: () => resolve(response) });
        signal.addEventListener('abort', () => reject(new NetworkError('aborted')));
      }),
    close: async () => {},
  };
  return { transport, held };
}

async function settle() {
  for (let turn = 0; turn < 20; turn++) await new Promise((resolve) => setImmediate(resolve));
}

function runtimeWith(transport: Transport, signal?: AbortSignal) {
  let now = 0;
  return {
    transport,
    now: () => now,
    sleep: async (ms: number) => void (now += ms),
    random: () => 0.5,
    signal,
  };
}

describe('runSend with many recipients', () => {
  it('hands results out in target order when asked, whatever order answers come in', async () => {
    const { transport, held } = heldTransport();
    const seen: number[] = [];
    const options = { retries: 0, timeoutMs: 60_000, concurrency: 3, ordered: true };
    const events = { result: (result: RecipientResult) => seen.push(result.recipient.index) };
    const done = runSend(
      [0, 1, 2].map(token),
      acceptingProtocol(1),
      options,
      runtimeWith(transport),
      events,
    );

    await settle();
    held[2]?.release();
    held[1]?.release();
    await settle();
    const beforeFirst = [...seen];
    held[0]?.release();
    await done;

    expect(beforeFirst).toEqual([]);
    expect(seen).toEqual([0, 1, 2]);
  });

  it('hands results out as they end when order is not asked for', async () => {
    const { transport, held } = heldTransport();
    const seen: number[] = [];
    const options = { retries: 0, timeoutMs: 60_000, concurrency: 3 };
    const events = { result: (result: RecipientResult) => seen.push(result.recipient.index) };
    const done = runSend(
      [0, 1, 2].map(token),
      acceptingProtocol(1),
      options,
      runtimeWith(transport),
      events,
    );

    await settle();
    held[2]?.release();
    held[0]?.release();
    held[1]?.release();
    await done;

    expect(seen).toEqual([2, 0, 1]);
  });

  it('reads a streamed list only as far as the window allows', async () => {
    const { transport, held } = heldTransport();
    let read = 0;
    async function* source() {
      for (let index = 0; index < 100; index++) {
        read++;
        yield token(index);
      }
    }
    const options = { retries: 0, timeoutMs: 60_000, concurrency: 2, window: 20 };
    const done = runSend(source(), acceptingProtocol(10), options, runtimeWith(transport));

    await settle();
    const readWhileHeld = read;
    while (held.some((entry) => entry.body !== '')) {
      held.splice(0).forEach((entry) => entry.release());
      await settle();
    }
    const report = await done;

    expect(held.length).toBe(0);
    // Two batches of ten fill the window; the third waits, read but not yet sent.
    expect(readWhileHeld).toBe(30);
    expect(report).toMatchObject({ total: 100, success: 100, failure: 0 });
  });

  it('keeps no results when told not to, but still counts them', async () => {
    const report = await runSend(
      [0, 1, 2, 3].map(token),
      acceptingProtocol(2),
      { retries: 0, timeoutMs: 60_000, concurrency: 1, keepResults: false },
      runtimeWith(recordingTransport()),
    );

    expect(report.results).toEqual([]);
    expect(report).toMatchObject({ total: 4, success: 4, failure: 0 });
  });
});

describe('runSend when interrupted', () => {
  it('stops requests in flight and marks every unanswered recipient Interrupted', async () => {
    const { transport, held } = heldTransport();
    const controller = new AbortController();
    const options = { retries: 3, timeoutMs: 60_000, concurrency: 1, window: 2 };
    const done = runSend(
      [0, 1, 2, 3, 4].map(token),
      acceptingProtocol(1),
      options,
      runtimeWith(transport, controller.signal),
    );

    await settle();
    held[0]?.release();
    await settle();
    controller.abort();
    const report = await done;

    expect(report.interrupted).toBe(true);
    expect(report.results.map((result) => result.error ?? 'ok')).toEqual([
      'ok',
      'Interrupted',
      'Interrupted',
      'Interrupted',
      'Interrupted',
    ]);
    expect(report.results[1]).toMatchObject({
      attempts: 1,
      detail: 'interrupted before an answer came',
    });
    expect(report.results[4]).toMatchObject({
      attempts: 0,
      detail: 'interrupted before it was sent',
    });
  });

  it('ends a back-off wait at once and keeps the reason it was waiting', async () => {
    const controller = new AbortController();
    const unavailable: BatchOutcome = {
      kind: 'results',
      results: [{ ok: false, error: 'Unavailable', retriable: true }],
    };
    const protocol = tokenProtocol([unavailable]);
    const runtime = {
      ...runtimeWith(recordingTransport(), controller.signal),
      sleep: async () => controller.abort(),
    };

    const report = await runSend(
      recipients,
      protocol,
      { retries: 5, timeoutMs: 60_000, concurrency: 1 },
      runtime,
    );

    expect(report.results[0]).toMatchObject({
      ok: false,
      error: 'Interrupted',
      detail: 'interrupted while waiting to retry (Unavailable)',
      attempts: 1,
    });
  });
});

describe('runSend past its timeout', () => {
  it('sends nothing more once the deadline has passed, and says so', async () => {
    let now = 0;
    const transport = recordingTransport();
    const runtime = { ...runtimeWith(transport), now: () => now };
    const protocol = acceptingProtocol(1);
    const slow: Protocol = {
      ...protocol,
      readResponse: (response, batch, at) => {
        now += 40_000;
        return protocol.readResponse(response, batch, at);
      },
    };

    const report = await runSend(
      [0, 1, 2].map(token),
      slow,
      { retries: 0, timeoutMs: 60_000, concurrency: 1 },
      runtime,
    );

    expect(transport.seen).toHaveLength(2);
    expect(report.timedOut).toBe(true);
    expect(report.results[2]).toMatchObject({
      ok: false,
      error: 'Unreachable',
      detail: 'not sent: the 60 s timeout ran out first',
      attempts: 0,
    });
  });
});
