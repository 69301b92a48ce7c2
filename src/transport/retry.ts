/**
 * The retry schedule. Pure functions of the attempt number, a random source and a clock, so the
 * tests can check every wait exactly.
 */

/** First back-off base in ms; the base doubles with each retry. */
export const BASE_DELAY_MS = 1000;
/** The base stops growing here, so one wait is at most 1.5 × 30 s. */
export const MAX_BASE_DELAY_MS = 30_000;

/**
 * The wait before retry `retry` (1 for the first retry): random in [b/2, 3b/2) with
 * b = 1 s × 2^(retry−1), b capped at 30 s. The random spread keeps the retries of many
 * recipients from firing together, as Google's rules for senders ask.
 */
export function backoffDelay(retry: number, random: () => number = Math.random): number {
  const base = Math.min(BASE_DELAY_MS * 2 ** (retry - 1), MAX_BASE_DELAY_MS);
  return base / 2 + random() * base;
}

/**
 * A Retry-After header in ms from `now`: delta-seconds (`120`) or an HTTP date (RFC 9110
 * 10.2.3). Undefined when absent or unreadable; a date in the past means no wait.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (value === null || value === undefined) return undefined;
  const text = value.trim();
  if (/^\d+$/.test(text)) return Number(text) * 1000;
  if (!/[a-z]/i.test(text)) return undefined;
  const date = Date.parse(text);
  if (Number.isNaN(date)) return undefined;
  return Math.max(0, date - now);
}

/** The wait before a retry: the back-off, or longer when the server asked for longer. */
export function retryDelay(
  retry: number,
  retryAfterMs: number | undefined,
  random: () => number = Math.random,
): number {
  return Math.max(backoffDelay(retry, random), retryAfterMs ?? 0);
}
