/**
 * Each request has its own bound inside the whole send's --timeout: a request the server never
 * answers is given up on and tried again, over a real loopback socket. Waits between tries are
 * skipped; only the request bound itself takes (a fraction of a second of) real time.
 */
import { once } from 'node:events';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import type { SendOptions, SendReport } from '../../src/engine/send.js';
import { runSend } from '../../src/engine/send.js';
import { createLegacyProtocol } from '../../src/protocols/gcm-legacy.js';
import type { Recipient } from '../../src/protocols/types.js';
import { createTransport } from '../../src/transport/http.js';

const recipient: Recipient = { index: 0, target: 'id-1', registrationId: 'id-1', kind: 'token' };
const ACCEPTED = JSON.stringify({
  multicast_id: 1,
  success: 1,
  failure: 0,
  canonical_ids: 0,
  results: [{ message_id: '0:1' }],
});

let server: http.Server;

afterEach(() => {
  server.closeAllConnections();
  server.close();
});

/** A legacy endpoint that leaves the first `silent` requests unanswered, then accepts. */
async function startSlowEndpoint(silent: number): Promise<{ url: string; requests: () => number }> {
  let requests = 0;
  server = http.createServer((request, response) => {
    requests++;
    if (requests <= silent) return;
    request.resume();
    request.on('end', () => response.writeHead(200).end(ACCEPTED));
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  return { url: `http://127.0.0.1:${port}/fcm/send`, requests: () => requests };
}

async function send(url: string, options: Partial<SendOptions>): Promise<SendReport> {
  const protocol = createLegacyProtocol({ endpoint: url, apiKey: 'test-key', message: {} });
  const transport = await createTransport({ connections: 1, env: {} });
  try {
    return await runSend(
      [recipient],
      protocol,
      { retries: 3, timeoutMs: 10_000, concurrency: 1, ...options },
      { transport, now: Date.now, sleep: async () => {}, random: () => 0 },
    );
  } finally {
    await transport.close();
  }
}

describe('the per-request timeout', () => {
  it('gives up on a request that gets no answer and succeeds on the next', async () => {
    const endpoint = await startSlowEndpoint(1);

    const report = await send(endpoint.url, { requestTimeoutMs: 150 });

    expect(report.results[0]).toMatchObject({ ok: true, messageId: '0:1', attempts: 2 });
    expect(report.timedOut).toBe(false);
    expect(endpoint.requests()).toBe(2);
  });

  it('names the request bound when every try goes unanswered', async () => {
    const endpoint = await startSlowEndpoint(Infinity);

    const report = await send(endpoint.url, { requestTimeoutMs: 100, retries: 2 });

    expect(report.results[0]).toMatchObject({
      ok: false,
      error: 'Unreachable',
      detail: 'no answer within 0.1 s after 3 attempts',
      attempts: 3,
    });
    expect(endpoint.requests()).toBe(3);
  });

  it('names the whole --timeout when it is the shorter bound', async () => {
    const endpoint = await startSlowEndpoint(Infinity);

    const report = await send(endpoint.url, { timeoutMs: 100, requestTimeoutMs: 30_000 });

    expect(report.results[0]).toMatchObject({
      ok: false,
      error: 'Unreachable',
      detail: 'no answer within the 0.1 s timeout',
      attempts: 1,
    });
    expect(report.timedOut).toBe(true);
  });
});
