/**
 * What keeps a long send's memory bounded and its reading cheap: no request starts while the
 * output is behind, recipients read by the chunk are sent the same as one at a time, and the
 * second reading of a checked list keeps exactly what the first kept.
 */
import { PassThrough } from 'node:stream';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { runSend } from '../../src/engine/send.js';
import {
  checkTargets,
  chunkedTargets,
  KeptTargets,
  streamRecipients,
} from '../../src/engine/targets.js';
import { drained } from '../../src/output/streams.js';
import type { BatchOutcome, Protocol, Recipient } from '../../src/protocols/types.js';
import type { HttpRequest, Transport } from '../../src/transport/http.js';

function recipientsOf(count: number): Recipient[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    target: `id-${index}:APA91b`,
    registrationId: `id-${index}:APA91b`,
    kind: 'token' as const,
  }));
}

/** Accepts every recipient; each request's body lists its registration IDs. */
function acceptingProtocol(maxBatch: number): Protocol {
  return {
    name: 'legacy',
    maxBatch,
    buildRequest: (batch: Recipient[]): HttpRequest => ({
      url: 'https://push.test/send',
      headers: {},
      body: batch.map((recipient) => recipient.registrationId).join(','),
    }),
    readResponse: (_response, batch: Recipient[]): BatchOutcome => ({
      kind: 'results',
      results: batch.map((_, index) => ({ ok: true, messageId: `m-${index}` })),
    }),
  };
}

function recordingTransport(): Transport & { bodies: string[] } {
  const bodies: string[] = [];
  return {
    bodies,
    post: async (request) => {
      bodies.push(request.body);
      return { status: 200, statusText: 'OK', headers: new Headers(), body: '' };
    },
    close: async () => {},
  };
}

const runtime = (transport: Transport) => ({
  transport,
  now: () => 0,
  sleep: async () => {},
  random: () => 0.5,
});

describe('runSend and a slow reader of its output', () => {
  it('starts no request while the output is behind, and goes on once it caught up', async () => {
    const transport = recordingTransport();
    let behind = true;
    let caughtUp: () => void = () => {};
    const waits: number[] = [];
    const outputDrained = () => {
      if (!behind) return undefined;
      waits.push(transport.bodies.length);
      return new Promise<void>((resolve) => (caughtUp = resolve));
    };
    const send = runSend(
      recipientsOf(5),
      acceptingProtocol(2),
      { retries: 0, timeoutMs: 60_000, concurrency: 1 },
      { ...runtime(transport), outputDrained },
    );
    await new Promise((resolve) => setTimeout(resolve, 20));
    expect(transport.bodies).toEqual([]);
    expect(waits).toEqual([0]);

    behind = false;
    caughtUp();
    const report = await send;
    expect(report.success).toBe(5);
    expect(transport.bodies).toHaveLength(3);
  });

  it('stops waiting when the send is interrupted', async () => {
    const controller = new AbortController();
    const stream = new PassThrough({ highWaterMark: 4 });
    stream.write('more than four bytes');
    const wait = drained(stream, controller.signal, 8);
    expect(wait).toBeInstanceOf(Promise);
    controller.abort();
    await expect(wait).resolves.toBeUndefined();
  });
});

describe('drained', () => {
  it('is undefined while little waits, and resolves once the stream drains', async () => {
    const stream = new PassThrough({ highWaterMark: 4 });
    expect(drained(stream, undefined, 8)).toBeUndefined();
    stream.write('four');
    expect(drained(stream, undefined, 8)).toBeUndefined();
    stream.write(' and more than eight bytes');
    let done = false;
    const wait = drained(stream, undefined, 8)?.then(() => (done = true));
    expect(wait).toBeDefined();
    await new Promise((resolve) => setTimeout(resolve, 5));
    expect(done).toBe(false);
    stream.resume();
    await wait;
    expect(done).toBe(true);
  });
});

describe('recipients read by the chunk', () => {
  it('go out in the same requests as the same recipients one at a time', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.integer({ min: 0, max: 7 }), { maxLength: 12 }),
        fc.integer({ min: 1, max: 5 }),
        async (sizes, maxBatch) => {
          let next = 0;
          const chunks = sizes.map((size) => {
            const chunk = recipientsOf(next + size).slice(next);
            next += size;
            return chunk;
          });
          const chunked = {
            chunks: async function* () {
              yield* chunks;
            },
            [Symbol.asyncIterator]: async function* () {
              for (const chunk of chunks) yield* chunk;
            },
          };
          const byChunk = recordingTransport();
          const byOne = recordingTransport();
          const options = { retries: 0, timeoutMs: 60_000, concurrency: 1 };
          const one = await runSend(recipientsOf(next), acceptingProtocol(maxBatch), options, {
            ...runtime(byOne),
          });
          const all = await runSend(chunked, acceptingProtocol(maxBatch), options, {
            ...runtime(byChunk),
          });
          expect(byChunk.bodies).toEqual(byOne.bodies);
          expect(all.total).toBe(next);
          expect(all.success).toBe(one.success);
        },
      ),
      { numRuns: 60 },
    );
  });
});

describe('a checked list read again', () => {
  const ids = { phone: 'stored-phone:APA91b', tablet: 'stored-tablet:APA91b' };
  const target = fc.oneof(
    fc.constantFrom('phone', 'tablet', 'stored-phone:APA91b', 'x:APA91b', 'y:APA91b'),
    fc.integer({ min: 0, max: 30 }).map((n) => `token-${n}:APA91b`),
  );

  it('keeps the same recipients, duplicates dropped, as resolving it afresh', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(target, { maxLength: 6 }), { maxLength: 8 }),
        async (parts) => {
          const list = () =>
            chunkedTargets(async function* () {
              yield* parts;
            });
          const kept = new KeptTargets();
          const scan = await checkTargets(list(), ids, kept);
          const again: Recipient[] = [];
          for await (const recipient of streamRecipients(list(), ids, kept)) again.push(recipient);
          const afresh: Recipient[] = [];
          for await (const recipient of streamRecipients(list(), ids)) afresh.push(recipient);
          expect(again).toEqual(afresh);
          expect(again).toHaveLength(scan.count);
        },
      ),
      { numRuns: 100 },
    );
  });
});
