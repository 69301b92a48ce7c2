import { describe, expect, it } from 'vitest';
import { findJsonError } from '../../src/engine/json-error.js';

describe('findJsonError', () => {
  it.each([
    ['{"a":}', 1, 6, "unexpected '}'"],
    ['', 1, 1, 'unexpected end of input'],
    ['   ', 1, 4, 'unexpected end of input'],
    ['{"a":1,}', 1, 8, 'expected a property name in double quotes'],
    ["{'a':1}", 1, 2, 'expected a property name in double quotes'],
    ["['a']", 1, 2, 'unexpected a single quote (JSON strings use double quotes)'],
    ['[1 2]', 1, 4, "expected ',' or ']', found '2'"],
    ['{"a":1 "b":2}', 1, 8, "expected ',' or '}', found '\"'"],
    ['{"a" 1}', 1, 6, "expected ':' after the property name"],
    ['{"a":1', 1, 7, "unexpected end of input, expected ',' or '}'"],
    ['[1,', 1, 4, 'unexpected end of input'],
    ['"abc', 1, 5, 'unterminated string'],
    ['"a\tb"', 1, 3, 'control character in a string'],
    ['-', 1, 1, 'invalid number'],
    ['[-x]', 1, 2, 'invalid number'],
    ['{} x', 1, 4, 'unexpected text after the JSON value'],
    ['01', 1, 2, 'unexpected text after the JSON value'],
    ['tru', 1, 1, "unexpected 't'"],
    ['{"a":undefined}', 1, 6, "unexpected 'u'"],
  ])('places the error in %j at line %i, column %i', (text, line, column, message) => {
    expect(findJsonError(text)).toStrictEqual({ line, column, message });
  });

  it('counts lines and columns in multi-line input', () => {
    const text = '{\n  "a": 1,\n  "b": }\n';

    expect(findJsonError(text)).toStrictEqual({ line: 3, column: 8, message: "unexpected '}'" });
  });

  it('does not count the carriage return of CRLF lines in the column', () => {
    const text = '{\r\n  "a": 1\r\n  "b": 2\r\n}';

    expect(findJsonError(text)).toStrictEqual({
      line: 3,
      column: 3,
      message: "expected ',' or '}', found '\"'",
    });
  });

  it('places an error after an escaped quote in a string', () => {
    const text = '{"a":"say \\"hi\\"",}';

    expect(findJsonError(text)).toStrictEqual({
      line: 1,
      column: 19,
      message: 'expected a property name in double quotes',
    });
  });

  it.each([
    '{}',
    '[]',
    '{"a":[1,-2.5e3,0.5,1E+2,true,false,null,"x\\"y"]}',
    '  "just a string"  ',
    '0',
    '-0.0',
    '\n{\n  "a": {"b": [ ]}\n}\n',
    '{"\\u00e9":"\\n"}',
  ])('gives undefined for the valid JSON %j', (text) => {
    expect(JSON.parse(text)).not.toBeUndefined();
    expect(findJsonError(text)).toBeUndefined();
  });

  it.each(['"\\x"', '"\\u12"', '{"a":"\\uZZZZ"}'])(
    'finds the invalid escape sequence in %j, which JSON.parse rejects',
    (text) => {
      expect(() => JSON.parse(text)).toThrow(SyntaxError);
      expect(findJsonError(text)).toMatchObject({ line: 1 });
    },
  );
});
