/** Reading user input from standard input and files, with a size bound. */
import { UsageError } from './errors.js';

/** Inputs larger than this are refused rather than held in memory. */
export const MAX_INPUT_BYTES = 16 * 1024 * 1024;

/** All of a stream as UTF-8 text; refuses more than `limit` bytes, naming `what`. */
export async function readStream(
  stream: NodeJS.ReadableStream,
  what: string,
  limit = MAX_INPUT_BYTES,
): Promise<string> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of stream) {
    const buffer = typeof chunk === 'string' ? Buffer.from(chunk) : (chunk as Buffer);
    size += buffer.length;
    if (size > limit) {
      throw new UsageError(`${what} is larger than ${limit} bytes`);
    }
    chunks.push(buffer);
  }
  return stripBom(Buffer.concat(chunks).toString('utf8'));
}

export function stripBom(text: string): string {
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** Control characters (including newlines) have no place in a key, name or ID. */
export function hasControlCharacters(text: string): boolean {
  return /[\u0000-\u001f\u007f]/.test(text);
}

/** The first line of a stream (a key typed or piped in), without its line ending. */
export async function readFirstLine(stream: NodeJS.ReadableStream): Promise<string> {
  const { createInterface } = await import('node:readline');
  const lines = createInterface({ input: stream, crlfDelay: Infinity, terminal: false });
  try {
    for await (const line of lines) return stripBom(line);
    return '';
  } finally {
    lines.close();
  }
}
