/**
 * Serves `POST /v1/projects/:project/messages:send` the way FCM HTTP v1 does: the bearer token
 * first, then the project, the message, and last the target device. One message per request.
 */
import type { IncomingHttpHeaders } from 'node:http';
import type { AccessGrant } from './credentials.js';
import {
  deliverToTopicTarget,
  PLACEHOLDER_MESSAGE_ID,
  storeDeliveries,
  type MessageContent,
  type TopicTarget,
} from './delivery.js';
import { replyJson, type Reply } from './http.js';
import type { Route, RouteRequest } from './routes.js';
import type { EmulatorState } from './state.js';
import {
  replyInvalidArgument,
  replyV1Error,
  replyV1Fault,
  RETRIABLE_ERRORS,
  type V1Error,
} from './v1-errors.js';
import { parseV1Send, type V1Send } from './v1-request.js';

// Google's front end explains refused credentials with an ErrorInfo in this domain.
const AUTH_DOMAIN = 'googleapis.com';
const CHALLENGE = {
  'www-authenticate': 'Bearer realm="https://accounts.google.com/", error="invalid_token"',
};

/** v1 answers for the device verdicts of `DeviceRegistry.judge` (protocol.md 3.2). */
const VERDICT_ERRORS: Record<string, V1Error> = {
  InvalidRegistration: {
    code: 400,
    status: 'INVALID_ARGUMENT',
    message: 'The registration token is not one this emulator issued.',
    errorCode: 'INVALID_ARGUMENT',
    field: 'message.token',
  },
  MismatchSenderId: {
    code: 403,
    status: 'PERMISSION_DENIED',
    message: 'The registration token belongs to another project (SenderId mismatch).',
    errorCode: 'SENDER_ID_MISMATCH',
  },
  NotRegistered: {
    code: 404,
    status: 'NOT_FOUND',
    message: 'Requested entity was not found.',
    errorCode: 'UNREGISTERED',
  },
  InvalidPackageName: {
    code: 400,
    status: 'INVALID_ARGUMENT',
    message: "The token's app package differs from message.android.restricted_package_name.",
    errorCode: 'INVALID_ARGUMENT',
    field: 'message.android.restricted_package_name',
  },
  Unavailable: RETRIABLE_ERRORS[503],
  InternalServerError: RETRIABLE_ERRORS[500],
};

function replyUnauthenticated(message: string, reason: string): Reply {
  const details = { reason: { reason, domain: AUTH_DOMAIN }, headers: CHALLENGE };
  return replyV1Error({ code: 401, status: 'UNAUTHENTICATED', message, ...details });
}

/** The bearer token's grant, or the 401 that refuses it; no FcmError, as on Google. */
function authorize(state: EmulatorState, headers: IncomingHttpHeaders): AccessGrant | Reply {
  const token = /^Bearer\s+(\S+)\s*$/i.exec(headers.authorization ?? '')?.[1];
  if (token === undefined) {
    const message = 'The request has no OAuth 2 access token; send Authorization: Bearer TOKEN.';
    return replyUnauthenticated(message, 'CREDENTIALS_MISSING');
  }
  const check = state.accessTokens.check(token);
  if (check.valid) return check.grant;
  if (check.reason === 'expired') {
    return replyUnauthenticated('The OAuth 2 access token has expired.', 'ACCESS_TOKEN_EXPIRED');
  }
  const message = 'The OAuth 2 access token is not one this emulator issued.';
  return replyUnauthenticated(message, 'ACCESS_TOKEN_TYPE_UNSUPPORTED');
}

/**
 * A token whose service account belongs to another project lacks the IAM permission there.
 * Google answers that with 403 and no FcmError; SENDER_ID_MISMATCH is for device tokens.
 */
function replyWrongProject(project: string, grant: AccessGrant): Reply {
  return replyV1Error({
    code: 403,
    status: 'PERMISSION_DENIED',
    message:
      `Permission cloudmessaging.messages.create denied on project "${project}": the access ` +
      `token is for ${grant.clientEmail} of project "${grant.projectId}".`,
    reason: {
      reason: 'IAM_PERMISSION_DENIED',
      domain: 'iam.googleapis.com',
      metadata: { permission: 'cloudmessaging.messages.create' },
    },
  });
}

/** What an Android device gets: `android.data` replaces `data`; notification fields merge. */
function describeContent(send: V1Send, project: string): MessageContent {
  const { android } = send;
  const notification =
    send.notification === undefined && android.notification === undefined
      ? null
      : { ...send.notification, ...android.notification };
  return {
    data: android.data ?? send.data ?? null,
    notification,
    protocol: 'v1',
    ...(android.collapseKey === undefined ? {} : { collapse_key: android.collapseKey }),
    ...(android.priority === undefined ? {} : { priority: android.priority }),
    ...(android.ttlSeconds === undefined ? {} : { time_to_live: android.ttlSeconds }),
    project,
    ...send.blocks,
  };
}

function replyName(project: string, messageId: string): Reply {
  return replyJson(200, { name: `projects/${project}/messages/${messageId}` });
}

/**
 * One token: the device's script decides. A `canonical` device is accepted and keeps its ID,
 * since v1 has no way to hand the sender a new one (protocol.md 3.1).
 */
function sendToToken(state: EmulatorState, send: V1Send, project: string, token: string): Reply {
  const dryRun = send.validateOnly;
  const options = { restrictedPackage: send.android.restrictedPackage, dryRun, project };
  const verdict = state.devices.judge(token, { ...options, keepId: true });
  if (!verdict.accepted) {
    return replyV1Error(VERDICT_ERRORS[verdict.error] ?? RETRIABLE_ERRORS[500]);
  }
  if (dryRun) return replyName(project, PLACEHOLDER_MESSAGE_ID);
  const messageId = state.ids.nextMessageId();
  storeDeliveries(state, describeContent(send, project), { messageId, receivers: [token] });
  return replyName(project, messageId);
}

/** Topics and conditions fan out to the project's matching devices under one numeric ID. */
function sendToTopics(
  state: EmulatorState,
  send: V1Send,
  project: string,
  target: TopicTarget,
): Reply {
  if (send.validateOnly) return replyName(project, PLACEHOLDER_MESSAGE_ID);
  const messageId = String(state.ids.nextBigId());
  const restrictedPackage = send.android.restrictedPackage;
  const delivery = { messageId, target, restrictedPackage, project };
  deliverToTopicTarget(state, describeContent(send, project), delivery);
  return replyName(project, messageId);
}

/** Serves one v1 send request whose body was already read. */
export function serveV1Send({ state, headers, body, params }: RouteRequest): Reply {
  const project = params[0] ?? '';
  const grant = authorize(state, headers);
  if ('status' in grant) return grant;
  if (grant.projectId !== project) return replyWrongProject(project, grant);
  const parsed = parseV1Send(body);
  if (!parsed.ok) return replyInvalidArgument(parsed.refusal);
  const send = parsed.value;
  const { target } = send;
  if (target.kind === 'token') return sendToToken(state, send, project, target.token);
  return sendToTopics(state, send, project, target);
}

/** The v1 send path; it takes scripted faults, answered in the v1 error shape. */
export const V1_ROUTES: readonly Route[] = [
  {
    // Some clients escape the colon of the custom method as %3A.
    pattern: /^\/v1\/projects\/([^/]+)\/messages(?::|%3[Aa])send$/,
    takesFaults: true,
    replyFault: replyV1Fault,
    handlers: { POST: serveV1Send },
  },
];
