import { describe, expect, it } from 'vitest';
import type { RetryInfo } from '../../src/engine/send.js';
import { createRetryNotices, NOTICE_WINDOW_MS } from '../../src/output/retry-notices.js';
import type { Recipient } from '../../src/protocols/types.js';

function recipients(count: number, from = 0): Recipient[] {
  return Array.from({ length: count }, (_, index) => ({
    index: from + index,
    target: `device${from + index}`,
    registrationId: `device:${from + index}`,
    kind: 'token',
  }));
}

function retry(batch: Recipient[], attempt = 2, reason = 'HTTP 503'): RetryInfo {
  return { recipients: batch, delayMs: 1200, attempt, maxAttempts: 6, reason };
}

function capture() {
  let clock = 0;
  const lines: string[] = [];
  const notices = createRetryNotices(
    (text) => lines.push(...text.split('\n').filter(Boolean)),
    () => clock,
  );
  return { notices, lines, advance: (ms: number) => (clock += ms) };
}

describe('retry notices', () => {
  it('name the one recipient of a request, or count them', () => {
    const { notices, lines } = capture();
    notices.notice(retry(recipients(1), 2, 'Unavailable'));
    notices.notice(retry(recipients(1000), 3));
    expect(lines).toEqual([
      'retrying device0 in 1.2 s, attempt 2 of 6 (Unavailable)',
      'retrying 1000 recipients in 1.2 s, attempt 3 of 6 (HTTP 503)',
    ]);
  });

  it('print one line for a burst of requests retried alike, and sum up the rest at the end', () => {
    const { notices, lines } = capture();
    for (let batch = 0; batch < 15; batch++) notices.notice(retry(recipients(1000, batch * 1000)));
    expect(lines).toEqual(['retrying 1000 recipients in 1.2 s, attempt 2 of 6 (HTTP 503)']);
    notices.flush();
    expect(lines.slice(1)).toEqual([
      'retrying 14 more requests (14000 recipients), attempt 2 of 6 (HTTP 503)',
    ]);
    notices.flush();
    expect(lines).toHaveLength(2);
  });

  it('notice the same kind again once the window has passed, summing up first', () => {
    const { notices, lines, advance } = capture();
    notices.notice(retry(recipients(1000)));
    notices.notice(retry(recipients(500, 1000)));
    advance(NOTICE_WINDOW_MS);
    notices.notice(retry(recipients(1000, 2000)));
    expect(lines).toEqual([
      'retrying 1000 recipients in 1.2 s, attempt 2 of 6 (HTTP 503)',
      'retrying 1 more request (500 recipients), attempt 2 of 6 (HTTP 503)',
      'retrying 1000 recipients in 1.2 s, attempt 2 of 6 (HTTP 503)',
    ]);
  });

  it('keep kinds apart by attempt and reason, and account for every request', () => {
    const { notices, lines } = capture();
    const kinds = [
      [2, 'HTTP 503'],
      [3, 'HTTP 503'],
      [2, 'Unavailable'],
    ] as const;
    for (let round = 0; round < 10; round++) {
      for (const [attempt, reason] of kinds) notices.notice(retry(recipients(10), attempt, reason));
    }
    notices.flush();
    const said = new Map<string, number>();
    for (const line of lines) {
      const match = /^retrying (?:(\d+) more requests?|\S+) .*attempt (\d) of 6 \((.+)\)$/.exec(
        line,
      );
      expect(match, line).not.toBeNull();
      const key = `${match?.[2]} ${match?.[3]}`;
      said.set(key, (said.get(key) ?? 0) + Number(match?.[1] ?? 1));
    }
    expect(Object.fromEntries(said)).toEqual({
      '2 HTTP 503': 10,
      '3 HTTP 503': 10,
      '2 Unavailable': 10,
    });
  });
});
