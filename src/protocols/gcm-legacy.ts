/**
 * The legacy GCM/FCM HTTP protocol: `Authorization: key=…`, a JSON body with up to 1000
 * registration IDs, and one result per ID in the answer.
 */
import type { HttpRequest, HttpResponse } from '../transport/http.js';
import { parseRetryAfter } from '../transport/retry.js';
import { clipServerText, describeStatus, idToString, isUsableId, parseJsonExact } from './json.js';
import type { BatchOutcome, Protocol, PushMessage, Recipient, RecipientOutcome } from './types.js';

export const DEFAULT_LEGACY_ENDPOINT = 'https://fcm.googleapis.com/fcm/send';
export const MAX_REGISTRATION_IDS = 1000;

/** Per-ID errors the service asks senders to retry with back-off. */
const RETRIABLE_ERRORS = new Set(['Unavailable', 'InternalServerError']);
/** Legacy error codes are words such as `NotRegistered`; anything else is no error code. */
const ERROR_CODE = /^[A-Za-z][\w.-]{0,99}$/;
/**
 * The client's own names for whole-request failures, which pick the exit code: a result that
 * claims one (`Interrupted`) must not pass for the client's own verdict.
 */
const CLIENT_ERRORS = new Set([
  'Unauthorized',
  'InvalidRequest',
  'Unreachable',
  'InvalidResponse',
  'Interrupted',
]);

/** The message fields of the JSON body, everything but the target, in the wire's names. */
export function buildLegacyFields(message: PushMessage): Record<string, unknown> {
  const fields: Record<string, unknown> = {};
  if (message.collapseKey !== undefined) fields.collapse_key = message.collapseKey;
  if (message.priority !== undefined) fields.priority = message.priority;
  if (message.contentAvailable) fields.content_available = true;
  if (message.ttl !== undefined) fields.time_to_live = message.ttl;
  if (message.restrictedPackageName !== undefined) {
    fields.restricted_package_name = message.restrictedPackageName;
  }
  if (message.dryRun) fields.dry_run = true;
  if (message.data !== undefined) fields.data = message.data;
  if (message.notification !== undefined) fields.notification = message.notification;
  return fields;
}

/** The target part of the body: `to` for a topic, `condition`, or `registration_ids`. */
function buildTarget(recipients: Recipient[]): Record<string, unknown> {
  const first = recipients[0];
  if (first?.kind === 'topic') return { to: first.registrationId };
  if (first?.kind === 'condition') return { condition: first.registrationId };
  return { registration_ids: recipients.map((recipient) => recipient.registrationId) };
}

export function createLegacyProtocol(options: {
  endpoint: string;
  apiKey: string;
  message: PushMessage;
}): Protocol {
  // The message part is the same in every request of a send: serialise it once.
  const fieldsJson = JSON.stringify(buildLegacyFields(options.message)).slice(1, -1);
  const headers = {
    Authorization: `key=${options.apiKey}`,
    'Content-Type': 'application/json',
  };
  return {
    name: 'legacy',
    maxBatch: MAX_REGISTRATION_IDS,
    buildRequest(recipients: Recipient[]): HttpRequest {
      const target = JSON.stringify(buildTarget(recipients)).slice(1, -1);
      const body = fieldsJson === '' ? `{${target}}` : `{${target},${fieldsJson}}`;
      return { url: options.endpoint, headers, body };
    },
    readResponse: readLegacyResponse,
  };
}

export function readLegacyResponse(
  response: HttpResponse,
  recipients: Recipient[],
  now: number,
): BatchOutcome {
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  const status = response.status;
  if (status === 200) return readResults(response.body, recipients, retryAfterMs);
  const statusLine = describeStatus(response);
  if (status === 400) {
    const reason = clipServerText(response.body);
    return {
      kind: 'failed',
      error: 'InvalidRequest',
      detail: reason || statusLine,
      retriable: false,
    };
  }
  if (status === 401) {
    return {
      kind: 'failed',
      error: 'Unauthorized',
      detail: `${statusLine}: the API key was rejected`,
      retriable: false,
    };
  }
  // 5xx is the service's own trouble, and 429 asks to slow down: both clear with time.
  const retriable = status >= 500 || status === 429;
  return { kind: 'failed', error: 'Unreachable', detail: statusLine, retriable, retryAfterMs };
}

function readResults(
  body: string,
  recipients: Recipient[],
  retryAfterMs: number | undefined,
): BatchOutcome {
  let parsed: unknown;
  try {
    parsed = parseJsonExact(body);
  } catch {
    return invalid(body.trim() === '' ? 'an empty answer' : 'an answer that is not JSON');
  }
  if (!isObject(parsed)) return invalid('an answer that is not a JSON object');
  const single = recipients[0]?.kind !== 'token';
  if (single) {
    const result = readResult(parsed, recipients[0]);
    return result
      ? { kind: 'results', results: [result], retryAfterMs }
      : invalid('no message_id or error');
  }
  const results = parsed.results;
  if (!Array.isArray(results) || results.length !== recipients.length) {
    const count = Array.isArray(results) ? results.length : 'no';
    return invalid(`${count} results for ${recipients.length} registration IDs`);
  }
  const outcomes: RecipientOutcome[] = [];
  for (const [index, entry] of results.entries()) {
    const outcome = isObject(entry) ? readResult(entry, recipients[index]) : undefined;
    if (outcome === undefined) return invalid(`result ${index + 1} has no message_id or error`);
    outcomes.push(outcome);
  }
  const multicastId = readUsableId(parsed.multicast_id);
  return { kind: 'results', results: outcomes, multicastId, retryAfterMs };
}

function readResult(
  entry: Record<string, unknown>,
  recipient: Recipient | undefined,
): RecipientOutcome | undefined {
  const messageId = readUsableId(entry.message_id);
  if (messageId !== undefined) {
    // A canonical ID that could not be stored as it is gets dropped, not the accepted message.
    const canonical = typeof entry.registration_id === 'string' ? entry.registration_id : '';
    const changed = isUsableId(canonical) && canonical !== recipient?.registrationId;
    return changed ? { ok: true, messageId, canonicalId: canonical } : { ok: true, messageId };
  }
  const error = entry.error;
  if (typeof error === 'string' && ERROR_CODE.test(error) && !CLIENT_ERRORS.has(error)) {
    return { ok: false, error, retriable: RETRIABLE_ERRORS.has(error) };
  }
  return undefined;
}

function readUsableId(value: unknown): string | undefined {
  const id = idToString(value);
  return id !== undefined && isUsableId(id) ? id : undefined;
}

function invalid(what: string): BatchOutcome {
  return {
    kind: 'failed',
    error: 'InvalidResponse',
    detail: `the service sent ${what}`,
    retriable: false,
  };
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}
