/**
 * Property tests (issue 6): every response parser, fed thousands of malformed and hostile
 * bodies, returns an outcome instead of throwing; a `results` outcome has one result per
 * recipient; and every text that can reach the output is one clean, bounded line that never
 * holds a secret the server echoed. The token endpoint's answer is in hostile-token.test.ts.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { readV1Response } from '../../src/protocols/fcm-v1.js';
import { readLegacyResponse } from '../../src/protocols/gcm-legacy.js';
import { parseJsonExact } from '../../src/protocols/json.js';
import type { Recipient } from '../../src/protocols/types.js';
import {
  FAST_CHECK_SEED,
  hostileBody,
  hostileText,
  jsonText,
  legacyAnswer,
  retryAfter,
  SENTINEL_KEY,
  v1ErrorAnswer,
} from './hostile-bodies.js';
import { expectSafeOutcome, NOW, response, status, tokens, TOPIC } from './hostile-checks.js';

const RUNS = { seed: FAST_CHECK_SEED, numRuns: 2000 };
/** Recipients for a legacy request, and bodies that sometimes carry the right number of results. */
const legacyCase = fc.integer({ min: 0, max: 5 }).chain((count) => {
  const recipients = count === 0 ? [TOPIC] : tokens(count);
  const near = fc.integer({ min: Math.max(0, count - 1), max: count + 1 }).chain(legacyAnswer);
  return fc.record({
    recipients: fc.constant(recipients),
    body: hostileBody(fc.oneof(legacyAnswer(recipients.length), near)),
  });
});

describe('readLegacyResponse with hostile answers', () => {
  it('never throws, answers each recipient once, and keeps every text clean', () => {
    fc.assert(
      fc.property(status, hostileText, retryAfter, legacyCase, (code, reason, wait, input) => {
        const outcome = readLegacyResponse(
          response(code, reason, input.body, wait),
          input.recipients,
          NOW,
        );
        expectSafeOutcome(outcome, input.recipients);
      }),
      RUNS,
    );
  });
});

describe('readV1Response with hostile answers', () => {
  const success = fc
    .tuple(jsonText, hostileText)
    .map(([name, text]) => `{"name":${name},"x":${JSON.stringify(text)}}`);

  it('never throws, answers the one recipient, and keeps every text clean', () => {
    const body = hostileBody(fc.oneof(v1ErrorAnswer, success));
    fc.assert(
      fc.property(status, hostileText, retryAfter, body, (code, reason, wait, text) => {
        const outcome = readV1Response(response(code, reason, text, wait), tokens(1), NOW);
        expectSafeOutcome(outcome, tokens(1));
      }),
      RUNS,
    );
  });

  it.each(['__proto__', 'constructor', 'toString', 'hasOwnProperty'])(
    'classifies an error status of %s by its HTTP code instead of crashing',
    (name) => {
      const body = JSON.stringify({ error: { status: name, details: [] } });

      const outcome = readV1Response(response(418, "I'm a teapot", body), tokens(1), NOW);

      expect(outcome).toMatchObject({ kind: 'results', results: [{ error: 'InvalidRequest' }] });
    },
  );
});

describe('parseJsonExact with hostile text', () => {
  it('returns a value or throws a SyntaxError, never anything else', () => {
    const text = fc.oneof(jsonText, hostileBody(jsonText));
    fc.assert(
      fc.property(text, (input) => {
        try {
          parseJsonExact(input);
        } catch (error) {
          expect(error).toBeInstanceOf(SyntaxError);
        }
      }),
      RUNS,
    );
  });

  it('reads what JSON.parse reads, with integers past 15 digits as their exact text', () => {
    const exact = (value: unknown): unknown => {
      if (typeof value === 'number') {
        const literal = JSON.stringify(value);
        return /^-?\d{16,}$/.test(literal) ? literal : value;
      }
      if (Array.isArray(value)) return value.map(exact);
      if (typeof value !== 'object' || value === null) return value;
      return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, exact(item)]));
    };
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const text = JSON.stringify(value);
        expect(parseJsonExact(text)).toStrictEqual(exact(JSON.parse(text)));
      }),
      RUNS,
    );
  });

  it('keeps every digit of integers far past 2^64', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: 2n ** 64n, max: 2n ** 512n }), (big) => {
        expect(parseJsonExact(`{"multicast_id":${big},"n":[-${big}]}`)).toStrictEqual({
          multicast_id: String(big),
          n: [`-${big}`],
        });
      }),
      RUNS,
    );
  });
});

describe('huge and deeply nested answers', () => {
  const deep = `{"results":${'['.repeat(100_000)}${']'.repeat(100_000)}}`;
  const longLine = `${'x'.repeat(4_000_000)} key=${SENTINEL_KEY}`;
  const cases: Array<[string, number, string, Recipient[]]> = [
    ['100,000 levels of nesting', 200, deep, tokens(2)],
    [
      'half a million results',
      200,
      `{"results":[${'{"message_id":"m"},'.repeat(500_000)}{}]}`,
      tokens(3),
    ],
    ['a 4 MB reason on one line', 400, longLine, tokens(1)],
    [
      'a 4 MB message_id',
      200,
      `{"results":[{"message_id":"${'9'.repeat(4_000_000)}"}]}`,
      tokens(1),
    ],
    ['an integer of a million digits', 200, `{"message_id":${'7'.repeat(1_000_000)}}`, [TOPIC]],
  ];

  it.each(cases)('reads %s without a crash', (_what, code, body, recipients) => {
    const legacy = readLegacyResponse(response(code, 'OK', body), recipients, NOW);
    const v1 = readV1Response(
      response(code === 200 ? 400 : code, 'Bad Request', body),
      tokens(1),
      NOW,
    );

    expectSafeOutcome(legacy, recipients);
    expectSafeOutcome(v1, tokens(1));
  });
});
