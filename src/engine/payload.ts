/** The message payload: `--data` and `--notification` read, parsed and checked before sending. */
import { createReadStream, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { readStream } from '../input.js';
import { findJsonError } from './json-error.js';

/** GCM's limit on `data` plus `notification`; topic messages get half. */
export const MAX_PAYLOAD_BYTES = 4096;
export const MAX_TOPIC_PAYLOAD_BYTES = 2048;

/** Files given as `@FILE` larger than this are refused unread: no payload comes near it. */
const MAX_PAYLOAD_FILE_BYTES = 1024 * 1024;

/**
 * The text of a JSON option: inline, `@FILE`, or `-` for standard input. `flag` names the option
 * in error messages.
 */
export async function readJsonText(
  value: string,
  flag: string,
  stdin: NodeJS.ReadableStream,
): Promise<{ text: string; source: string }> {
  if (value === '-') {
    const text = await readStream(stdin, `${flag} -`, MAX_PAYLOAD_FILE_BYTES);
    return { text, source: 'standard input' };
  }
  if (!value.startsWith('@')) return { text: value, source: flag };
  const file = value.slice(1);
  let size: number;
  try {
    size = statSync(file).size;
  } catch (error) {
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (error as Error).message;
    throw new UsageError(`cannot read ${flag} file ${file}: ${reason}`);
  }
  if (size > MAX_PAYLOAD_FILE_BYTES) {
    throw new UsageError(
      `${flag} file ${file} is ${size} bytes; a push payload is at most ${MAX_PAYLOAD_BYTES} bytes`,
    );
  }
  // Read through the same bound: a FIFO or a device such as /dev/zero reports size 0.
  try {
    return {
      text: await readStream(
        createReadStream(file),
        `${flag} file ${file}`,
        MAX_PAYLOAD_FILE_BYTES,
      ),
      source: file,
    };
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${flag} file ${file}: ${(error as Error).message}`);
  }
}

/** Parses a JSON object, saying where the text is wrong when it is not JSON. */
export function parseJsonObject(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`${source} is not valid JSON: ${describeJsonError(error as Error, text)}`);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    const kind = value === null ? 'null' : Array.isArray(value) ? 'an array' : typeof value;
    throw new UsageError(
      `${source} must be a JSON object, not ${kind}`,
      `for example '{"msg":"hi"}'`,
    );
  }
  return value as Record<string, unknown>;
}

/** `expected ',' or '}', found ']' at line 1, column 13`, or JSON.parse's own words. */
function describeJsonError(error: Error, text: string): string {
  const place = findJsonError(text);
  if (place === undefined) return error.message;
  return `${place.message} at line ${place.line}, column ${place.column}`;
}

/** `from`, `message_type` and keys starting with `google` or `gcm` belong to the service. */
export function findReservedKeys(data: Record<string, unknown>): string[] {
  return Object.keys(data).filter(
    (key) => key === 'from' || key === 'message_type' || /^(google|gcm)/.test(key),
  );
}

/** The payload size GCM counts: the UTF-8 length of the JSON of `data` and `notification`. */
export function payloadSize(
  data: Record<string, unknown> | undefined,
  notification: Record<string, unknown> | undefined,
): number {
  let size = 0;
  if (data !== undefined) size += Buffer.byteLength(JSON.stringify(data));
  if (notification !== undefined) size += Buffer.byteLength(JSON.stringify(notification));
  return size;
}

export function checkPayload(
  data: Record<string, unknown> | undefined,
  notification: Record<string, unknown> | undefined,
  toTopic: boolean,
): void {
  const reserved = data === undefined ? [] : findReservedKeys(data);
  if (reserved.length > 0) {
    throw new UsageError(
      `reserved data key${reserved.length > 1 ? 's' : ''} ${reserved.join(', ')}`,
      'rename them: from, message_type and keys starting with google or gcm belong to the service',
    );
  }
  const size = payloadSize(data, notification);
  const limit = toTopic ? MAX_TOPIC_PAYLOAD_BYTES : MAX_PAYLOAD_BYTES;
  if (size > limit) {
    throw new UsageError(
      `the payload is ${size} bytes, over the ${limit}-byte limit${toTopic ? ' for topics' : ''}`,
      'send less in --data and --notification',
    );
  }
}
