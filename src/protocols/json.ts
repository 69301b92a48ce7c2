/**
 * Reading what a server answered: JSON.parse that keeps large integers exact, and the checks
 * that keep a hostile answer's text from reaching the output raw.
 *
 * GCM writes `multicast_id` and topic `message_id` as 64-bit integers; JSON.parse would round
 * any above 2^53. Integer literals too long to be exact are turned into strings before parsing.
 */

const SAFE_DIGITS = 15;
const NUMBER = /-?\d+([.eE][-+\d.eE]*)?/y;

export function parseJsonExact(text: string): unknown {
  return JSON.parse(quoteLongIntegers(text));
}

/**
 * Strings are skipped with indexOf rather than a character at a time: a multicast answer is
 * almost all strings (a message ID per recipient), and this runs on every answer.
 */
function quoteLongIntegers(text: string): string {
  let out = '';
  let copiedTo = 0;
  for (let at = 0; at < text.length; at++) {
    const char = text.charCodeAt(at);
    if (char === QUOTE) {
      at = endOfString(text, at);
      // An unterminated string: JSON.parse will say what is wrong.
      if (at === -1) break;
      continue;
    }
    if (char !== MINUS && (char < ZERO || char > NINE)) continue;
    NUMBER.lastIndex = at;
    const match = NUMBER.exec(text);
    if (match === null) continue;
    const literal = match[0];
    const isLongInteger = match[1] === undefined && literal.replace('-', '').length > SAFE_DIGITS;
    if (isLongInteger) {
      out += `${text.slice(copiedTo, at)}"${literal}"`;
      copiedTo = at + literal.length;
    }
    at += literal.length - 1;
  }
  return copiedTo === 0 ? text : out + text.slice(copiedTo);
}

const QUOTE = 0x22;
const BACKSLASH = 0x5c;
const MINUS = 0x2d;
const ZERO = 0x30;
const NINE = 0x39;

/** The index of the quote that closes the string opened at `open`, or -1. */
function endOfString(text: string, open: number): number {
  for (
    let close = text.indexOf('"', open + 1);
    close !== -1;
    close = text.indexOf('"', close + 1)
  ) {
    let backslashes = 0;
    while (text.charCodeAt(close - 1 - backslashes) === BACKSLASH) backslashes++;
    // An even run of backslashes escapes itself, not the quote.
    if (backslashes % 2 === 0) return close;
  }
  return -1;
}

/** A numeric or string ID as an exact string; undefined for anything else. */
export function idToString(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (typeof value === 'number' && Number.isFinite(value)) return String(value);
  return undefined;
}

/** Registration IDs were documented as up to 4 KiB; no ID a service sends is longer. */
const MAX_ID_LENGTH = 4096;

/**
 * Whether an ID from an answer can be printed and stored as it is: 1 to 4096 printable ASCII
 * characters, no spaces. Anything else would reach a terminal, or the config, raw.
 */
export function isUsableId(text: string): boolean {
  return text.length <= MAX_ID_LENGTH && /^[\x21-\x7e]+$/.test(text);
}

// C0 and C1 controls, DEL and the Unicode line breaks: each ends a line or drives a terminal.
const UNPRINTABLE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029]/g;
// A server may echo what it was sent, so anything shaped like a credential is masked: the
// legacy key header, a bearer token, Google API keys and OAuth tokens, and signed JWTs.
const CREDENTIALS = [
  /(key\s*=\s*)\S+/gi,
  /(bearer\s+)\S+/gi,
  /()AIza[\w-]{30,}/g,
  /()ya29\.[\w.-]+/g,
  /()eyJ[\w-]+\.[\w-]+\.[\w-]+/g,
];

/** Masking reads this far past the clip, so a credential the clip would cut is masked whole. */
const CREDENTIAL_REACH = 2048;

/**
 * Server text fit for one line of output: its first line, control characters turned to
 * spaces, credentials masked, clipped to `width` characters with an ellipsis.
 */
export function clipServerText(text: string, width = 200): string {
  // Cut before the patterns run, so their cost stays bounded on a megabyte-long line.
  const first = (text.trim().split(/\r?\n/, 1)[0] ?? '').slice(0, width + CREDENTIAL_REACH);
  let line = first.replace(UNPRINTABLE, ' ').trim();
  for (const pattern of CREDENTIALS) line = line.replace(pattern, '$1[redacted]');
  return line.length > width ? `${line.slice(0, width - 1)}…` : line;
}

/** `HTTP 503 Service Unavailable`; the reason phrase is the server's, so it is clipped too. */
export function describeStatus(response: { status: number; statusText: string }): string {
  const reason = clipServerText(response.statusText, 60);
  return reason === '' ? `HTTP ${response.status}` : `HTTP ${response.status} ${reason}`;
}
