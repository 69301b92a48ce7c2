/**
 * Reading FCM v1 error bodies: a `google.rpc.Status` under `error`, with an FcmError code,
 * field violations and an APNs reason among its details (protocol.md 2.7). Front ends also
 * answer with HTML or plain text; those are described by their status alone.
 */
import { clipServerText } from './json.js';

const FCM_ERROR_TYPE = 'type.googleapis.com/google.firebase.fcm.v1.FcmError';

/** What a v1 error body says, each part optional. */
export interface V1Error {
  message?: string;
  status?: string;
  errorCode?: string;
  violations: Array<{ field: string; description: string }>;
  apnsReason?: string;
}

/** The parts of `{"error": {...}}` this client uses; undefined for any other body. */
export function parseV1Error(body: string): V1Error | undefined {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    return undefined;
  }
  const error = (answer as { error?: unknown } | null)?.error;
  if (typeof error !== 'object' || error === null) return undefined;
  const fields = error as Record<string, unknown>;
  const parsed: V1Error = {
    message: stringOrUndefined(fields.message),
    status: codeOrUndefined(fields.status),
    violations: [],
  };
  for (const detail of Array.isArray(fields.details) ? fields.details : []) {
    readErrorDetail(detail, parsed);
  }
  return parsed;
}

function readErrorDetail(detail: unknown, parsed: V1Error): void {
  if (typeof detail !== 'object' || detail === null) return;
  const fields = detail as Record<string, unknown>;
  const type = stringOrUndefined(fields['@type']) ?? '';
  if (type === FCM_ERROR_TYPE) parsed.errorCode ??= codeOrUndefined(fields.errorCode);
  if (type.endsWith('.ApnsError')) parsed.apnsReason ??= stringOrUndefined(fields.reason);
  const violations = Array.isArray(fields.fieldViolations) ? fields.fieldViolations : [];
  for (const violation of violations) {
    const { field, description } = (violation ?? {}) as Record<string, unknown>;
    parsed.violations.push({
      field: stringOrUndefined(field) ?? '',
      description: stringOrUndefined(description) ?? '',
    });
  }
}

/** The server's message, its first field violation and APNs reason, on one clipped line. */
export function describeError(parsed: V1Error): string | undefined {
  const parts = [parsed.message ?? ''];
  const first = parsed.violations[0];
  if (first !== undefined && first.description !== '' && !parts[0]?.includes(first.description)) {
    parts.push(first.field === '' ? first.description : `${first.field}: ${first.description}`);
  }
  if (parsed.apnsReason !== undefined) parts.push(`APNs: ${parsed.apnsReason}`);
  const text = parts.filter((part) => part !== '').join('; ');
  return text === '' ? undefined : clipServerText(text);
}

/** A plain-text body's first line; HTML error pages from front ends say nothing useful. */
export function describeBody(body: string): string | undefined {
  const text = body.trim();
  if (text === '' || text.startsWith('<')) return undefined;
  return clipServerText(text);
}

function stringOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** Status names and error codes are UPPER_SNAKE words; anything else is shown nowhere. */
function codeOrUndefined(value: unknown): string | undefined {
  return typeof value === 'string' && /^[A-Z][A-Z0-9_]{0,63}$/.test(value) ? value : undefined;
}
