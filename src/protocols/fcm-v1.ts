/**
 * FCM HTTP v1: one message and one target per request, an OAuth 2.0 bearer token, and a
 * `google.rpc.Status` error body classified into GCM-style error names (protocol.md 2 and 3.2).
 */
import type { TokenProvider } from '../auth/access-token.js';
import { UsageError } from '../errors.js';
import type { HttpRequest, HttpResponse } from '../transport/http.js';
import { parseRetryAfter } from '../transport/retry.js';
import type { V1Error } from './fcm-v1-error.js';
import { describeBody, describeError, parseV1Error } from './fcm-v1-error.js';
import { buildV1Message } from './fcm-v1-message.js';
import { describeStatus, isUsableId } from './json.js';
import type { BatchOutcome, Protocol, PushMessage, Recipient } from './types.js';

export { buildV1Message, convertV1Data } from './fcm-v1-message.js';

export const DEFAULT_V1_ORIGIN = 'https://fcm.googleapis.com';

/**
 * The send URL for `projectId`. Only the origin of `value` counts, so `--endpoint` may name the
 * emulator or a legacy URL on the same host; absent, Google's own host.
 */
export function resolveV1Endpoint(value: string | undefined, projectId: string): string {
  let origin = DEFAULT_V1_ORIGIN;
  if (value !== undefined && value !== '') {
    let url: URL;
    try {
      url = new URL(value);
    } catch {
      throw new UsageError(
        `--endpoint ${value} is not a URL`,
        'for example https://fcm.googleapis.com',
      );
    }
    if (url.protocol !== 'https:' && url.protocol !== 'http:') {
      throw new UsageError(`--endpoint ${value} is not an http:// or https:// URL`);
    }
    origin = url.origin;
  }
  return `${origin}/v1/projects/${encodeURIComponent(projectId)}/messages:send`;
}

/** Options of `createFcmV1Protocol`. */
export interface FcmV1Options {
  /** Any URL on the host to send to; see `resolveV1Endpoint`. */
  endpoint?: string;
  projectId: string;
  message: PushMessage;
  tokens: TokenProvider;
}

// LIMITATION: FCM v1 has no multicast, so each ID costs one request; long lists are slow.
export function createFcmV1Protocol(options: FcmV1Options): Protocol {
  const url = resolveV1Endpoint(options.endpoint, options.projectId);
  // The message part is the same in every request of a send: serialise it once.
  const common = JSON.stringify(buildV1Message(options.message)).slice(1, -1);
  const tail = options.message.dryRun ? '},"validate_only":true}' : '}}';
  return {
    name: 'v1',
    maxBatch: 1,
    async buildRequest(recipients: Recipient[]): Promise<HttpRequest> {
      const [recipient] = recipients;
      if (recipient === undefined || recipients.length !== 1) {
        throw new Error(
          `internal error: FCM v1 sends 1 recipient a request, not ${recipients.length}`,
        );
      }
      const token = await options.tokens.get();
      const target = JSON.stringify(buildTarget(recipient)).slice(1, -1);
      const body = `{"message":{${target}${common === '' ? '' : `,${common}`}${tail}`;
      const headers = { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' };
      return { url, headers, body };
    },
    readResponse: readV1Response,
    async refreshCredentials(failed: HttpRequest): Promise<void> {
      const token = readBearerToken(failed.headers);
      if (token !== undefined) await options.tokens.invalidate(token);
    },
  };
}

/** `message.token`, `message.topic` (without `/topics/`) or `message.condition`. */
function buildTarget(recipient: Recipient): Record<string, string> {
  if (recipient.kind === 'topic') {
    return { topic: recipient.registrationId.replace(/^\/topics\//, '') };
  }
  if (recipient.kind === 'condition') return { condition: recipient.registrationId };
  return { token: recipient.registrationId };
}

function readBearerToken(headers: Record<string, string>): string | undefined {
  const entry = Object.entries(headers).find(([name]) => name.toLowerCase() === 'authorization');
  const match = /^Bearer\s+(\S+)$/i.exec(entry?.[1] ?? '');
  return match?.[1];
}

/** What an error answer comes to: a verdict on the recipient, or a failed request. */
type Verdict =
  | { kind: 'recipient'; error: string; retriable: boolean }
  | { kind: 'request'; failure: RequestFailure };

type RequestFailure = 'unauthenticated' | 'forbidden' | 'notFound' | 'server' | 'unexpected';

const recipient = (error: string, retriable = false): Verdict => ({
  kind: 'recipient',
  error,
  retriable,
});
const request = (failure: RequestFailure): Verdict => ({ kind: 'request', failure });

/**
 * Verdicts by FcmError code, then google.rpc status, then HTTP code (protocol.md 2.7 and 3.2).
 * 429 and 5xx are retried; no 4xx is, since the same request would fail the same way.
 * INVALID_ARGUMENT is split further by `classifyInvalid`.
 *
 * | errorCode / status / HTTP               | outcome                                 |
 * | --------------------------------------- | --------------------------------------- |
 * | UNREGISTERED                            | NotRegistered                           |
 * | SENDER_ID_MISMATCH                      | MismatchSenderId                        |
 * | THIRD_PARTY_AUTH_ERROR                  | InvalidApnsCredential                   |
 * | QUOTA_EXCEEDED, RESOURCE_EXHAUSTED, 429 | QuotaExceeded, retried                  |
 * | UNAVAILABLE, 503                        | Unavailable, retried                    |
 * | INTERNAL, 500                           | InternalServerError, retried            |
 * | INVALID_ARGUMENT, 400                   | InvalidRegistration, MessageTooBig, ... |
 * | 413                                     | MessageTooBig                           |
 * | UNAUTHENTICATED, 401                    | request Unauthorized, token refreshed   |
 * | PERMISSION_DENIED, 403                  | request Unauthorized: IAM or API off    |
 * | NOT_FOUND, 404                          | request InvalidRequest: URL or project  |
 * | any other 4xx                           | InvalidRequest                          |
 * | any other 5xx (502, 504)                | request Unreachable, retried            |
 */
const VERDICTS: Record<string, Verdict> = {
  UNREGISTERED: recipient('NotRegistered'),
  SENDER_ID_MISMATCH: recipient('MismatchSenderId'),
  THIRD_PARTY_AUTH_ERROR: recipient('InvalidApnsCredential'),
  QUOTA_EXCEEDED: recipient('QuotaExceeded', true),
  RESOURCE_EXHAUSTED: recipient('QuotaExceeded', true),
  429: recipient('QuotaExceeded', true),
  UNAVAILABLE: recipient('Unavailable', true),
  503: recipient('Unavailable', true),
  INTERNAL: recipient('InternalServerError', true),
  500: recipient('InternalServerError', true),
  413: recipient('MessageTooBig'),
  UNAUTHENTICATED: request('unauthenticated'),
  401: request('unauthenticated'),
  PERMISSION_DENIED: request('forbidden'),
  403: request('forbidden'),
  NOT_FOUND: request('notFound'),
  404: request('notFound'),
};

/** How each failed request is reported: its error, what the status means, what to do. */
const FAILURES: Record<
  RequestFailure,
  {
    error: Extract<BatchOutcome, { kind: 'failed' }>['error'];
    means?: string;
    advice?: string;
    status?: string;
  }
> = {
  // An expired or revoked token is cured by a fresh one: the engine refreshes and resends once.
  unauthenticated: {
    error: 'Unauthorized',
    means: 'the access token was refused',
    status: 'UNAUTHENTICATED',
  },
  forbidden: {
    error: 'Unauthorized',
    means: 'permission denied',
    advice: 'the service account needs cloudmessaging.messages.create and the FCM API enabled',
    status: 'PERMISSION_DENIED',
  },
  notFound: {
    error: 'InvalidRequest',
    means: 'wrong URL or project',
    advice: 'check --endpoint and project_id',
  },
  server: { error: 'Unreachable' },
  unexpected: { error: 'InvalidResponse' },
};

/** The answer to one v1 send: the message name, or what went wrong and whether to retry. */
export function readV1Response(
  response: HttpResponse,
  recipients: Recipient[],
  now: number,
): BatchOutcome {
  if (response.status === 200) return readSuccess(response.body);
  const retryAfterMs = parseRetryAfter(response.headers.get('retry-after'), now);
  const parsed = parseV1Error(response.body);
  const serverSays = parsed === undefined ? describeBody(response.body) : describeError(parsed);
  const status = parsed?.errorCode ?? parsed?.status;
  const verdict = classify(parsed, response.status);
  const statusLine = describeStatus(response);
  if (verdict.kind === 'recipient') {
    const { error, retriable } = verdict;
    const detail = serverSays ?? statusLine;
    const result = { ok: false as const, error, retriable, detail, ...(status && { status }) };
    return { kind: 'results', results: recipients.map(() => result), retryAfterMs };
  }
  const failure = FAILURES[verdict.failure];
  const parts = [failure.means, serverSays && `(${serverSays})`].filter(Boolean).join(' ');
  const advice = failure.advice === undefined ? '' : `; ${failure.advice}`;
  return {
    kind: 'failed',
    error: failure.error,
    detail: `${statusLine}${parts === '' ? '' : `: ${parts}`}${advice}`,
    // A gateway between here and FCM failed (502, 504): the same request may well go through.
    retriable: verdict.failure === 'server',
    retryAfterMs,
    ...(verdict.failure === 'unauthenticated' && { refreshable: true }),
    ...((status ?? failure.status) && { status: status ?? failure.status }),
  };
}

function classify(parsed: V1Error | undefined, httpStatus: number): Verdict {
  // UNSPECIFIED_ERROR says nothing; the status and HTTP code may.
  const keys = [parsed?.errorCode, parsed?.status, String(httpStatus)].filter(
    (key): key is string => key !== undefined && key !== 'UNSPECIFIED_ERROR',
  );
  for (const key of keys) {
    if (key === 'INVALID_ARGUMENT' || key === '400') return classifyInvalid(parsed);
    // Own keys only: a server's "__proto__" or "constructor" is no verdict.
    if (Object.hasOwn(VERDICTS, key)) return VERDICTS[key] as Verdict;
  }
  if (httpStatus >= 400 && httpStatus < 500) return recipient('InvalidRequest');
  return request(httpStatus >= 500 ? 'server' : 'unexpected');
}

/**
 * INVALID_ARGUMENT covers many legacy codes; the field violations and the message tell which.
 * Anything not recognised is `InvalidParameters`, legacy's "wrong name or type" answer.
 */
function classifyInvalid(parsed: V1Error | undefined): Verdict {
  const fields = parsed?.violations.map((violation) => violation.field) ?? [];
  const descriptions = parsed?.violations.map((violation) => violation.description) ?? [];
  const text = [parsed?.message ?? '', ...descriptions].join(' ');
  const onField = (pattern: RegExp) => fields.some((field) => pattern.test(field));
  if (onField(/^message\.token$/) || /registration token/i.test(text)) {
    return recipient('InvalidRegistration');
  }
  if (/too big|too large|exceeds the maximum/i.test(text)) return recipient('MessageTooBig');
  if (onField(/\bttl$/) || /\bttl\b|time to live/i.test(text)) return recipient('InvalidTtl');
  if (onField(/restricted_package_name$/) || /package name/i.test(text)) {
    return recipient('InvalidPackageName');
  }
  if (onField(/^message\.data\b/) || /data (payload )?key|reserved key/i.test(text)) {
    return recipient('InvalidDataKey');
  }
  return recipient('InvalidParameters');
}

function readSuccess(body: string): BatchOutcome {
  let answer: unknown;
  try {
    answer = JSON.parse(body);
  } catch {
    answer = undefined;
  }
  const name = (answer as { name?: unknown } | null | undefined)?.name;
  if (typeof name === 'string' && isUsableId(name)) {
    return { kind: 'results', results: [{ ok: true, messageId: name }] };
  }
  const what =
    body.trim() === ''
      ? 'an empty answer'
      : answer === undefined
        ? 'an answer that is not JSON'
        : 'an answer without a message name';
  return {
    kind: 'failed',
    error: 'InvalidResponse',
    detail: `the service sent ${what}`,
    retriable: false,
  };
}
