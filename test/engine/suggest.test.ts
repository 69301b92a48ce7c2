import { describe, expect, it } from 'vitest';
import { editDistance, suggestNames } from '../../src/engine/suggest.js';

describe('editDistance', () => {
  it.each([
    ['', '', 0],
    ['abc', '', 3],
    ['', 'abc', 3],
    ['phone', 'phone', 0],
    ['kitten', 'sitting', 3],
    ['flaw', 'lawn', 2],
    ['phone', 'phnoe', 2],
    ['phone', 'phones', 1],
    ['tablet', 'table', 1],
    ['a', 'b', 1],
    ['Phone', 'phone', 1],
  ])('counts %j to %j as %i edits', (a, b, expected) => {
    expect(editDistance(a, b)).toBe(expected);
    expect(editDistance(b, a)).toBe(expected);
  });
});

describe('suggestNames', () => {
  const names = ['phone', 'tablet', 'pixel-7', 'pixel-8', 'pixels', 'watch'];

  it('suggests a stored name two edits away', () => {
    expect(suggestNames('phnoe', names)).toEqual(['phone']);
  });

  it('ignores case when measuring the distance', () => {
    expect(suggestNames('TABLET', names)).toEqual(['tablet']);
  });

  it('orders suggestions by distance, then by name', () => {
    expect(suggestNames('pixel', names)).toEqual(['pixels', 'pixel-7', 'pixel-8']);
  });

  it('gives at most three suggestions by default', () => {
    const many = ['ab1', 'ab2', 'ab3', 'ab4', 'ab5'];

    expect(suggestNames('ab', many)).toEqual(['ab1', 'ab2', 'ab3']);
  });

  it('gives at most the number asked for', () => {
    expect(suggestNames('pixel', names, 1)).toEqual(['pixels']);
  });

  it('allows two edits for short names', () => {
    expect(suggestNames('ab', ['xy', 'xyz'])).toEqual(['xy']);
  });

  it('allows a third of the length in edits for long names', () => {
    const wanted = 'abcdefghijkl';

    expect(suggestNames(wanted, ['abcdefghWXYZ', 'abcdefgVWXYZ'])).toEqual(['abcdefghWXYZ']);
  });

  it('suggests a name that starts with what was typed, however far it is', () => {
    expect(suggestNames('pix', ['pixel-8-pro-max', 'tablet'])).toEqual(['pixel-8-pro-max']);
  });

  it('suggests nothing when no name is close', () => {
    expect(suggestNames('zzzzzz', names)).toEqual([]);
  });

  it('suggests nothing when no names are stored', () => {
    expect(suggestNames('phone', [])).toEqual([]);
  });
});
