/** `--ndjson`'s result lines are written field by field; they must say what the object says. */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ndjsonLine } from '../../src/commands/send-output.js';
import type { RecipientResult } from '../../src/engine/send.js';
import { toJsonResult } from '../../src/output/json.js';

const text = fc.string({ unit: 'binary', maxLength: 40 });
const maybe = <T>(value: fc.Arbitrary<T>) => fc.option(value, { nil: undefined });

const result: fc.Arbitrary<RecipientResult> = fc.record({
  recipient: fc.record({
    index: fc.nat(),
    target: text,
    registrationId: text,
    kind: fc.constantFrom('token' as const, 'topic' as const),
  }),
  ok: fc.boolean(),
  messageId: maybe(text),
  canonicalId: maybe(text),
  error: maybe(text),
  detail: maybe(text),
  status: maybe(text),
  attempts: fc.integer({ min: 0, max: 10 }),
});

describe('ndjsonLine', () => {
  it('is the JSON of the result object, key for key and byte for byte, on one line', () => {
    fc.assert(
      fc.property(result, (entry) => {
        const line = ndjsonLine(entry);
        expect(line).toBe(`${JSON.stringify({ type: 'result', ...toJsonResult(entry) })}\n`);
        expect(line.slice(0, -1)).not.toContain('\n');
      }),
      { numRuns: 500 },
    );
  });
});
