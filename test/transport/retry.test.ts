import { describe, expect, it } from 'vitest';
import {
  BASE_DELAY_MS,
  MAX_BASE_DELAY_MS,
  backoffDelay,
  parseRetryAfter,
  retryDelay,
} from '../../src/transport/retry.js';

const NOW = Date.parse('2024-05-01T12:00:00Z');
const lowest = () => 0;
const highest = () => 0.999999;
const middle = () => 0.5;

describe('backoffDelay', () => {
  it('starts at 1 s and stops growing at 30 s', () => {
    expect(BASE_DELAY_MS).toBe(1000);
    expect(MAX_BASE_DELAY_MS).toBe(30_000);
  });

  it.each([
    [1, 1000],
    [2, 2000],
    [3, 4000],
    [4, 8000],
    [5, 16_000],
    [6, 30_000],
    [7, 30_000],
    [8, 30_000],
  ])('waits in [b/2, 3b/2) before retry %i, with b = %i ms', (retry, base) => {
    const shortest = backoffDelay(retry, lowest);
    const longest = backoffDelay(retry, highest);

    expect(shortest).toBe(base / 2);
    expect(longest).toBeLessThan((3 * base) / 2);
    expect(longest).toBeGreaterThan((3 * base) / 2 - 1);
  });

  it('spreads the wait linearly with the random value', () => {
    expect(backoffDelay(3, middle)).toBe(4000);
    expect(backoffDelay(1, () => 0.25)).toBe(750);
  });

  it('never waits longer than 45 s however many retries came before', () => {
    expect(backoffDelay(40, highest)).toBeLessThan(45_000);
    expect(backoffDelay(40, lowest)).toBe(15_000);
  });

  it('uses Math.random by default and stays within the bounds', () => {
    for (let retry = 1; retry <= 8; retry++) {
      const base = Math.min(1000 * 2 ** (retry - 1), 30_000);
      const wait = backoffDelay(retry);

      expect(wait).toBeGreaterThanOrEqual(base / 2);
      expect(wait).toBeLessThan((3 * base) / 2);
    }
  });
});

describe('parseRetryAfter', () => {
  it.each([
    ['0', 0],
    ['1', 1000],
    ['120', 120_000],
    [' 30 ', 30_000],
  ])('reads delta-seconds %j as %i ms', (value, expected) => {
    expect(parseRetryAfter(value, NOW)).toBe(expected);
  });

  it('reads a future HTTP date as the time left until it', () => {
    const value = new Date(NOW + 90_000).toUTCString();

    expect(parseRetryAfter(value, NOW)).toBe(90_000);
  });

  it('reads a fixed IMF date relative to the given now', () => {
    const value = 'Wed, 21 Oct 2015 07:28:00 GMT';
    const now = Date.parse('2015-10-21T07:27:00Z');

    expect(parseRetryAfter(value, now)).toBe(60_000);
  });

  it('waits nothing for an HTTP date in the past', () => {
    const value = new Date(NOW - 5 * 60_000).toUTCString();

    expect(parseRetryAfter(value, NOW)).toBe(0);
  });

  it.each([
    ['a word', 'soon'],
    ['an empty value', ''],
    ['a fraction', '1.5'],
    ['a negative number', '-5'],
    ['seconds with a unit', '5s'],
  ])('gives undefined for %s', (_what, value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  it('gives undefined when the header is absent', () => {
    expect(parseRetryAfter(null, NOW)).toBeUndefined();
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
  });
});

describe('retryDelay', () => {
  it('takes the back-off when Retry-After asks for less', () => {
    expect(retryDelay(2, 500, lowest)).toBe(1000);
  });

  it('takes Retry-After when it asks for more than the back-off', () => {
    expect(retryDelay(2, 120_000, highest)).toBe(120_000);
  });

  it('takes the back-off when there is no Retry-After', () => {
    expect(retryDelay(4, undefined, middle)).toBe(8000);
  });

  it('takes the back-off when Retry-After is zero', () => {
    expect(retryDelay(1, 0, lowest)).toBe(500);
  });
});
