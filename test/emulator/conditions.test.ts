import { describe, expect, it } from 'vitest';
import { evaluateCondition, isTopicName, parseCondition } from '../../src/emulator/conditions.js';

function matches(text: string, topics: string[]): boolean {
  const parsed = parseCondition(text);
  if (!parsed.ok) throw new Error(parsed.error);
  return evaluateCondition(parsed.value, new Set(topics));
}

describe('topic conditions', () => {
  const cases: Array<[string, string[], boolean]> = [
    ["'a' in topics", ['a'], true],
    ["'a' in topics", ['b'], false],
    ["'a' in topics && 'b' in topics", ['a'], false],
    ["'a' in topics || 'b' in topics", ['b'], true],
    ["'a' in topics || 'b' in topics && 'c' in topics", ['a'], true],
    ["('a' in topics || 'b' in topics) && 'c' in topics", ['a'], false],
    ["'a' in topics && ('b' in topics || 'c' in topics)", ['a', 'c'], true],
    ['"a" IN Topics', ['a'], true],
  ];

  it.each(cases)('evaluates %s for topics %j as %s', (text, topics, expected) => {
    expect(matches(text, topics)).toBe(expected);
  });

  it.each([
    '',
    "'a' in topics &&",
    "'a' in topics 'b' in topics",
    "('a' in topics",
    "'a' topics",
    "'bad name' in topics",
    "'a' in topics || 'b' in topics || 'c' in topics || 'd' in topics || 'e' in topics || " +
      "'f' in topics",
  ])('refuses the condition %j', (text) => {
    expect(parseCondition(text).ok).toBe(false);
  });

  it('allows the topic name characters FCM allows and nothing else', () => {
    expect(isTopicName('news-2026_v1.0~%20')).toBe(true);
    expect(['', 'a b', 'a/b', 'ä'].map(isTopicName)).toEqual([false, false, false, false]);
  });
});
