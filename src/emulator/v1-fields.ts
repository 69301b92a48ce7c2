/**
 * Readers for the protobuf-JSON of FCM v1 requests. Each one throws a `FieldError` naming the
 * field at fault; `parseV1Send` catches it once, so the readers stay short.
 */
import { isJsonObject, quoteValue, type JsonObject } from './checks.js';

/** A refused field; caught at the top of `parseV1Send`, never outside it. */
export class FieldError extends Error {
  constructor(
    readonly field: string | undefined,
    description: string,
  ) {
    super(description);
  }
}

export function failField(field: string | undefined, description: string): never {
  throw new FieldError(field, description);
}

/** `message` + `android` gives `message.android`; the request itself has the empty path. */
export function joinPath(path: string, name: string): string {
  return path === '' ? name : `${path}.${name}`;
}

function toSnakeCase(name: string): string {
  return name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
}

/**
 * Copies a protobuf message object with every field name in snake_case. Protobuf JSON accepts
 * both `collapse_key` and `collapseKey`, and treats `null` as unset; an unknown name is an
 * error, as on Google, so a misspelt option is not dropped without a word.
 */
export function readFields(value: unknown, path: string, known: readonly string[]): JsonObject {
  const where = path === '' ? undefined : path;
  if (!isJsonObject(value)) failField(where, `${where ?? 'the body'} must be a JSON object`);
  const fields: JsonObject = {};
  for (const [key, field] of Object.entries(value)) {
    const name = known.includes(key) ? key : toSnakeCase(key);
    if (!known.includes(name)) {
      failField(where, `Unknown name ${JSON.stringify(key)} at '${where ?? 'the body'}'`);
    }
    if (name in fields) failField(joinPath(path, name), `${joinPath(path, name)} is given twice`);
    if (field !== null) fields[name] = field;
  }
  return fields;
}

/** Reads a protobuf message field: absent stays `undefined`, anything but an object is refused. */
export function readMessage(
  value: unknown,
  field: string,
  known: readonly string[],
): JsonObject | undefined {
  return value === undefined ? undefined : readFields(value, field, known);
}

export function readString(value: unknown, field: string): string | undefined {
  if (value === undefined || typeof value === 'string') return value;
  return failField(field, `${field} must be a string, not ${quoteValue(value)}`);
}

export function readBoolean(value: unknown, field: string): boolean | undefined {
  if (value === undefined || typeof value === 'boolean') return value;
  return failField(field, `${field} must be true or false, not ${quoteValue(value)}`);
}

/** A `google.protobuf.Struct`: any JSON object. */
export function readStruct(value: unknown, field: string): JsonObject | undefined {
  if (value === undefined || isJsonObject(value)) return value;
  return failField(field, `${field} must be a JSON object, not ${quoteValue(value)}`);
}

/**
 * A `map<string, string>`. Protobuf names a bad entry by its position, `data[0].value`, and
 * so does this; numbers and booleans must be turned into strings before sending.
 */
export function readStringMap(value: unknown, field: string): Record<string, string> | undefined {
  const map = readStruct(value, field);
  if (map === undefined) return undefined;
  Object.entries(map).forEach(([key, entry], index) => {
    if (typeof entry === 'string') return;
    const holds = `${JSON.stringify(key)} holds ${quoteValue(entry)}`;
    failField(`${field}[${index}].value`, `${field} values must be strings; ${holds}`);
  });
  return map as Record<string, string>;
}

/** An array of strings, such as `body_loc_args` (which the legacy protocol sent as text). */
export function readStringList(value: unknown, field: string): string[] | undefined {
  if (value === undefined) return undefined;
  if (Array.isArray(value) && value.every((entry) => typeof entry === 'string')) return value;
  return failField(field, `${field} must be a JSON array of strings, not ${quoteValue(value)}`);
}

/** Drops the `undefined` entries, so stored blocks hold only what was sent. */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, entry]) => entry !== undefined)) as T;
}
