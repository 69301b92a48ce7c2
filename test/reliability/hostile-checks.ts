/**
 * What every hostile-answer test asserts of an outcome, and the responses and recipients they
 * feed the parsers.
 */
import fc from 'fast-check';
import { expect } from 'vitest';
import type { BatchOutcome, Recipient } from '../../src/protocols/types.js';
import type { HttpResponse } from '../../src/transport/http.js';
import { SENTINEL_KEY, SENTINEL_TOKEN } from './hostile-bodies.js';

export const NOW = Date.parse('2024-05-01T12:00:00Z');

/** Longest detail any parser writes: a status line, the server's clipped words, advice. */
const MAX_DETAIL = 500;
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/;
const PRINTABLE_ID = /^[\x21-\x7e]{1,4096}$/;
/** The client's own verdicts, which pick the exit code; no server may claim them per ID. */
const CLIENT_VERDICTS = ['Unauthorized', 'Unreachable', 'Interrupted'];

/** One line, no control characters, bounded, and none of the sentinels or `secrets` whole. */
export function expectCleanLine(text: string | undefined, secrets: string[] = []): void {
  expect(typeof text).toBe('string');
  expect(text).not.toMatch(UNPRINTABLE);
  expect((text as string).length).toBeLessThanOrEqual(MAX_DETAIL);
  for (const secret of [SENTINEL_KEY, SENTINEL_TOKEN, ...secrets]) {
    expect(text).not.toContain(secret);
  }
}

/**
 * A failed outcome has a clean detail; a results outcome has one result per recipient, printable
 * IDs, error names of the right shape that are none of the client's own, and clean details.
 */
export function expectSafeOutcome(outcome: BatchOutcome, recipients: Recipient[]): void {
  if (outcome.kind === 'failed') {
    expectCleanLine(outcome.detail);
    return;
  }
  expect(outcome.results).toHaveLength(recipients.length);
  if (outcome.multicastId !== undefined) expect(outcome.multicastId).toMatch(PRINTABLE_ID);
  for (const result of outcome.results) {
    if (result.ok) {
      expect(result.messageId).toMatch(PRINTABLE_ID);
      if (result.canonicalId !== undefined) expect(result.canonicalId).toMatch(PRINTABLE_ID);
      continue;
    }
    expect(result.error).toMatch(/^[A-Za-z][\w.-]{0,99}$/);
    expect(CLIENT_VERDICTS).not.toContain(result.error);
    if (result.detail !== undefined) expectCleanLine(result.detail);
    if (result.status !== undefined) expect(result.status).toMatch(/^[A-Z][A-Z0-9_]{0,63}$/);
  }
}

/** `count` device recipients. */
export function tokens(count: number): Recipient[] {
  return Array.from({ length: count }, (_, index) => ({
    index,
    target: `device-${index}`,
    registrationId: `tok-${index}`,
    kind: 'token' as const,
  }));
}

export const TOPIC: Recipient = {
  index: 0,
  target: '/topics/news',
  registrationId: '/topics/news',
  kind: 'topic',
};

/** A response as the transport hands it over: any status, a hostile reason phrase and body. */
export function response(
  status: number,
  statusText: string,
  body: string,
  wait?: string,
): HttpResponse {
  const headers = new Headers(wait === undefined ? {} : { 'retry-after': wait });
  return { status, statusText, headers, body };
}

/** Any status, weighted to the ones the parsers treat apart. */
export const status = fc.oneof(
  fc.constantFrom(200, 200, 200, 400, 401, 403, 404, 413, 429, 500, 502, 503),
  fc.integer({ min: 100, max: 599 }),
);
