/** Small checks shared by the emulator's request and control parsers. */

/** Either a parsed value or a one-line reason why the input was refused. */
export type Parsed<T> = { ok: true; value: T } | { ok: false; error: string };

/** A JSON object: not null, not an array. */
export type JsonObject = Record<string, unknown>;

export function isJsonObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export function isWholeNumber(value: unknown, min: number, max: number): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value >= min && value <= max;
}

export function accept<T>(value: T): Parsed<T> {
  return { ok: true, value };
}

export function refuse<T>(error: string): Parsed<T> {
  return { ok: false, error };
}

/** Parses JSON text, treating an empty body as `{}` so bare `curl -X POST` calls work. */
export function parseJsonText(text: string): Parsed<unknown> {
  if (text.trim() === '') return accept({});
  try {
    return accept(JSON.parse(text) as unknown);
  } catch (error) {
    return refuse(`body is not valid JSON: ${(error as Error).message}`);
  }
}

/** Keys of `object` that are not in `known`, for "unknown field" messages. */
export function findUnknownKeys(object: JsonObject, known: readonly string[]): string[] {
  return Object.keys(object).filter((key) => !known.includes(key));
}

/** A value as JSON for an error message, cut to 60 characters. */
export function quoteValue(value: unknown): string {
  const text = JSON.stringify(value) ?? String(value);
  return text.length > 60 ? `${text.slice(0, 57)}...` : text;
}
