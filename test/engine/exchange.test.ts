import { describe, expect, it } from 'vitest';
import { failedBeforeSending, sendOnce } from '../../src/engine/exchange.js';
import type { Protocol, Recipient } from '../../src/protocols/types.js';
import type { Transport } from '../../src/transport/http.js';
import { NetworkError } from '../../src/transport/http.js';

const recipients: Recipient[] = [
  { index: 0, target: 'id-1', registrationId: 'id-1', kind: 'token' },
];

const protocol: Protocol = {
  name: 'legacy',
  maxBatch: 1,
  buildRequest: () => ({ url: 'https://push.test/send', headers: {}, body: '' }),
  readResponse: () => {
    throw new Error('no answer is expected');
  },
};

function failingTransport(error: Error): Transport {
  return {
    post: async () => {
      throw error;
    },
    close: async () => {},
  };
}

async function exchange(error: Error) {
  const runtime = {
    transport: failingTransport(error),
    now: () => 0,
    sleep: async () => {},
    random: () => 0,
  };
  const request = { url: 'https://push.test/send', headers: {}, body: '' };
  const context = { protocol, runtime, deadline: 60_000, timeoutMs: 60_000 };
  return sendOnce(request, recipients, { ...context, requestTimeoutMs: 30_000 });
}

describe('network failures in the exchange', () => {
  it.each([
    [new NetworkError('connection refused (ECONNREFUSED)'), true],
    [new NetworkError('TLS certificate not trusted', { retriable: false }), false],
  ])('is Unreachable and retriable only when the transport says so: %s', async (error, retry) => {
    const outcome = await exchange(error);

    expect(outcome).toEqual({
      kind: 'failed',
      error: 'Unreachable',
      detail: error.message,
      retriable: retry,
    });
  });

  it('keeps the verdict of a wrapped error for a failed token request', () => {
    const tls = new NetworkError('TLS certificate not trusted', { retriable: false });
    const wrapped = new NetworkError(`token endpoint https://t.test/token: ${tls.message}`, {
      cause: tls,
    });

    expect(failedBeforeSending(wrapped)).toMatchObject({
      error: 'Unreachable',
      retriable: false,
    });
    expect(failedBeforeSending(new NetworkError('connection reset'))).toMatchObject({
      retriable: true,
    });
  });
});
