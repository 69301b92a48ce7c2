import { describe, expect, it } from 'vitest';
import { idToString, parseJsonExact } from '../../src/protocols/json.js';

describe('parseJsonExact', () => {
  it('keeps a 19-digit integer exact as a string', () => {
    const parsed = parseJsonExact('{"multicast_id":6617353745316249851}');

    expect(parsed).toEqual({ multicast_id: '6617353745316249851' });
  });

  it('keeps an integer just above 2^53 exact, where JSON.parse would round it', () => {
    const text = '{"id":9007199254740993}';

    expect(JSON.parse(text)).toEqual({ id: 9007199254740992 });
    expect(parseJsonExact(text)).toEqual({ id: '9007199254740993' });
  });

  it('keeps a negative long integer exact with its sign', () => {
    expect(parseJsonExact('[-12345678901234567890]')).toEqual(['-12345678901234567890']);
  });

  it('keeps several long integers in one document exact', () => {
    const text = '{"a":11111111111111111111,"b":[22222222222222222222,3]}';

    expect(parseJsonExact(text)).toEqual({
      a: '11111111111111111111',
      b: ['22222222222222222222', 3],
    });
  });

  it.each([
    ['a small integer', '{"n":108}', { n: 108 }],
    ['zero', '{"n":0}', { n: 0 }],
    ['a negative integer', '{"n":-42}', { n: -42 }],
    ['a 15-digit integer', '{"n":123456789012345}', { n: 123456789012345 }],
    ['a float', '{"n":1.25}', { n: 1.25 }],
    ['a negative float', '{"n":-0.5}', { n: -0.5 }],
    ['an exponent', '{"n":1e21}', { n: 1e21 }],
    ['a signed exponent', '{"n":2.5E-3}', { n: 0.0025 }],
    ['a long float', '{"n":12345678901234567890.5}', { n: 12345678901234567890.5 }],
    ['a long mantissa with exponent', '{"n":12345678901234567890e2}', { n: 1.2345678901234568e21 }],
  ])('leaves %s as a number', (_what, text, expected) => {
    expect(parseJsonExact(text)).toEqual(expected);
  });

  it('leaves digits inside a string alone', () => {
    const text = '{"message_id":"0:12345678901234567890%abc"}';

    expect(parseJsonExact(text)).toEqual({ message_id: '0:12345678901234567890%abc' });
  });

  it('does not end a string at an escaped quote', () => {
    const text = '{"s":"say \\"12345678901234567890\\" twice","n":12345678901234567890}';

    expect(parseJsonExact(text)).toEqual({
      s: 'say "12345678901234567890" twice',
      n: '12345678901234567890',
    });
  });

  it('ends a string after an escaped backslash', () => {
    const text = '{"s":"C:\\\\","n":98765432109876543210}';

    expect(parseJsonExact(text)).toEqual({ s: 'C:\\', n: '98765432109876543210' });
  });

  it('parses keywords and nested values like JSON.parse', () => {
    const text = '{"t":true,"f":false,"z":null,"o":{"a":[1,"x"]}}';

    expect(parseJsonExact(text)).toEqual(JSON.parse(text));
  });

  it('throws a SyntaxError for text that is not JSON', () => {
    expect(() => parseJsonExact('{"a":')).toThrow(SyntaxError);
  });
});

describe('idToString', () => {
  it.each([
    ['a string', '0:1%ab', '0:1%ab'],
    ['an empty string', '', ''],
    ['an integer', 7718, '7718'],
    ['a float', 1.5, '1.5'],
    ['zero', 0, '0'],
  ])('turns %s into its exact text', (_what, value, expected) => {
    expect(idToString(value)).toBe(expected);
  });

  it.each([
    ['NaN', Number.NaN],
    ['Infinity', Number.POSITIVE_INFINITY],
    ['null', null],
    ['undefined', undefined],
    ['a boolean', true],
    ['an object', { id: 1 }],
    ['an array', ['1']],
    ['a bigint', 1n],
  ])('gives undefined for %s', (_what, value) => {
    expect(idToString(value)).toBeUndefined();
  });
});
