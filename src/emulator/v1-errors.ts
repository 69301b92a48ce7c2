/**
 * FCM v1 error answers: a `google.rpc.Status` inside `error` (protocol.md 2.7), with an
 * `FcmError` detail for FCM's own errors, `BadRequest` field violations when a field is at
 * fault, and `ErrorInfo` for the auth errors Google explains that way.
 */
import { readFaultHeaders, type StatusFault } from './faults.js';
import { replyErrorPage, replyJson, type Reply } from './http.js';

/** A refused request: what is wrong and, when one field is at fault, its path. */
export interface V1Refusal {
  description: string;
  /** Such as `message.android.ttl`. */
  field?: string;
}

/** The FCM `ErrorCode` values the emulator answers with. */
export type FcmErrorCode =
  | 'INVALID_ARGUMENT'
  | 'UNREGISTERED'
  | 'SENDER_ID_MISMATCH'
  | 'QUOTA_EXCEEDED'
  | 'UNAVAILABLE'
  | 'INTERNAL';

/** Everything one error answer says. */
export interface V1Error {
  /** The HTTP status, repeated as `error.code`. */
  code: number;
  /** The canonical gRPC status name, such as `NOT_FOUND`. */
  status: string;
  message: string;
  /** Present for errors FCM itself raises; absent for auth errors of Google's front end. */
  errorCode?: FcmErrorCode;
  field?: string;
  /** A `google.rpc.ErrorInfo` reason such as `ACCESS_TOKEN_EXPIRED`. */
  reason?: { reason: string; domain: string; metadata?: Record<string, string> };
  headers?: Record<string, string>;
}

const TYPE_PREFIX = 'type.googleapis.com/';

function listDetails(error: V1Error): object[] {
  const details: object[] = [];
  if (error.errorCode !== undefined) {
    details.push({
      '@type': `${TYPE_PREFIX}google.firebase.fcm.v1.FcmError`,
      errorCode: error.errorCode,
    });
  }
  if (error.field !== undefined) {
    details.push({
      '@type': `${TYPE_PREFIX}google.rpc.BadRequest`,
      fieldViolations: [{ field: error.field, description: error.message }],
    });
  }
  if (error.reason !== undefined) {
    details.push({ '@type': `${TYPE_PREFIX}google.rpc.ErrorInfo`, ...error.reason });
  }
  return details;
}

export function replyV1Error(error: V1Error): Reply {
  const { code, status, message } = error;
  const reply = replyJson(code, { error: { code, message, status, details: listDetails(error) } });
  return { ...reply, headers: { ...reply.headers, ...error.headers } };
}

/** 400 INVALID_ARGUMENT, the answer to every malformed or refused message. */
export function replyInvalidArgument(refusal: V1Refusal): Reply {
  return replyV1Error({
    code: 400,
    status: 'INVALID_ARGUMENT',
    message: refusal.description,
    errorCode: 'INVALID_ARGUMENT',
    ...(refusal.field === undefined ? {} : { field: refusal.field }),
  });
}

/** The retriable answers, shared by device scripts and status faults. */
export const RETRIABLE_ERRORS = {
  429: {
    code: 429,
    status: 'RESOURCE_EXHAUSTED',
    message: 'Quota exceeded for sending messages; retry later and more slowly.',
    errorCode: 'QUOTA_EXCEEDED',
  },
  500: {
    code: 500,
    status: 'INTERNAL',
    message: 'Internal error encountered.',
    errorCode: 'INTERNAL',
  },
  503: {
    code: 503,
    status: 'UNAVAILABLE',
    message: 'The service is currently unavailable.',
    errorCode: 'UNAVAILABLE',
  },
} as const satisfies Record<number, V1Error>;

function isRetriableStatus(status: number): status is keyof typeof RETRIABLE_ERRORS {
  return status in RETRIABLE_ERRORS;
}

/**
 * A status fault on the v1 route. FCM itself answers 429, 500 and 503 in JSON; any other 5xx
 * comes from a proxy or front end in front of it, as an HTML page, which clients must survive.
 */
export function replyV1Fault(fault: StatusFault): Reply {
  const headers = readFaultHeaders(fault);
  if (!isRetriableStatus(fault.status)) return replyErrorPage(fault.status, headers);
  return replyV1Error({ ...RETRIABLE_ERRORS[fault.status], headers });
}
