/**
 * The stderr notices of retries: "retrying tablet in 1.0 s, attempt 2 of 6 (Unavailable)".
 *
 * A large send against a failing server retries every one of its requests, often within the
 * same moment, and a notice each would bury the log: 100,000 IDs make 100 lines a round. So a
 * retry with the attempt number and reason of a notice printed less than a second before is
 * counted rather than printed, and one line sums up those counted: when a retry of another
 * kind or a later one is noticed, or when the send ends (`flush`). Every retried request is
 * accounted for; each recipient's attempts are in its result as well.
 */
import type { RetryInfo } from '../engine/send.js';

/** How long a notice speaks for the retries like it that follow. */
export const NOTICE_WINDOW_MS = 1000;

interface Kind {
  attempt: number;
  maxAttempts: number;
  reason: string;
  printedAt: number;
  /** Retries counted since the notice, not yet summed up. */
  requests: number;
  recipients: number;
}

export interface RetryNotices {
  notice(info: RetryInfo): void;
  /** Sums up the retries counted and not yet said. */
  flush(): void;
}

export function createRetryNotices(write: (text: string) => void, now: () => number): RetryNotices {
  const kinds = new Map<string, Kind>();
  const flush = () => {
    for (const kind of kinds.values()) {
      if (kind.requests === 0) continue;
      const requests = kind.requests === 1 ? '1 more request' : `${kind.requests} more requests`;
      write(
        `retrying ${requests} (${kind.recipients} recipients), attempt ` +
          `${kind.attempt} of ${kind.maxAttempts} (${kind.reason})\n`,
      );
      kind.requests = 0;
      kind.recipients = 0;
    }
  };
  const notice = (info: RetryInfo) => {
    const key = `${info.attempt}\u0000${info.reason}`;
    const at = now();
    const kind = kinds.get(key);
    if (kind !== undefined && at - kind.printedAt < NOTICE_WINDOW_MS) {
      kind.requests++;
      kind.recipients += info.recipients.length;
      return;
    }
    flush();
    const { attempt, maxAttempts, reason } = info;
    kinds.set(key, { attempt, maxAttempts, reason, printedAt: at, requests: 0, recipients: 0 });
    const who =
      info.recipients.length === 1
        ? (info.recipients[0]?.target ?? '1 recipient')
        : `${info.recipients.length} recipients`;
    const seconds = (info.delayMs / 1000).toFixed(1);
    write(`retrying ${who} in ${seconds} s, attempt ${attempt} of ${maxAttempts} (${reason})\n`);
  };
  return { notice, flush };
}
