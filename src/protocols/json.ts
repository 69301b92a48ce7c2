/**
 * JSON.parse that keeps large integers exact.
 *
 * GCM writes `multicast_id` and topic `message_id` as 64-bit integers; JSON.parse would round
 * any above 2^53. Integer literals too long to be exact are turned into strings before parsing.
 */

const SAFE_DIGITS = 15;
const NUMBER = /-?\d+([.eE][-+\d.eE]*)?/y;

export function parseJsonExact(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text));
}

function quoteLongIntegers(text: string): string {
  let out = '';
  let copiedTo = 0;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const char = text[i];
    if (inString) {
      if (char === '\\') i++;
      else if (char === '"') inString = false;
      continue;
    }
    if (char === '"') {
      inString = true;
      continue;
    }
    if (char !== '-' && !(char !== undefined && char >= '0' && char <= '9')) continue;
    NUMBER.lastIndex = i;
    const match = NUMBER.exec(text);
    if (match === null) continue;
    const literal = match[0];
    const isLongInteger = match[1] === undefined && literal.replace('-', '').length > SAFE_DIGITS;
    if (isLongInteger) {
      out += `${text.slice(copiedTo, i)}"${literal}"`;
      copiedTo = i + literal.length;
    }
    i += literal.length - 1;
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}

/** A numeric or string ID as an exact string; undefined for anything else. */
export function idToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}
