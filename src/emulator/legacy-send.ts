/**
 * Serves `POST /gcm/send` and `POST /fcm/send` the way Google's legacy endpoint behaved:
 * key check, 400 for unreadable requests, then one result per recipient.
 */
import type { IncomingHttpHeaders } from 'node:http';
import {
  deliverToTopicTarget,
  findReservedDataKey,
  MAX_TTL_SECONDS,
  measurePayload,
  PLACEHOLDER_MESSAGE_ID,
  readPayloadLimit,
  storeDeliveries,
  type MessageContent,
  type TopicTarget,
} from './delivery.js';
import { replyErrorPage, replyJson, replyJsonText, replyText, type Reply } from './http.js';
import { parseFormSend, parseJsonSend, type LegacySend } from './legacy-request.js';
import type { Route } from './routes.js';
import type { EmulatorState } from './state.js';

/** One entry of a multicast `results` array. */
type RecipientResult = { message_id: string; registration_id?: string } | { error: string };

function readApiKey(headers: IncomingHttpHeaders): string {
  const match = /^key\s*=\s*(.*)$/i.exec(headers.authorization?.trim() ?? '');
  return match?.[1]?.trim() ?? '';
}

function isJsonRequest(headers: IncomingHttpHeaders): boolean {
  const type = headers['content-type']?.split(';')[0]?.trim().toLowerCase();
  return type === 'application/json';
}

/** Errors that belong to the message, so every recipient of the request gets them. */
function findMessageError(send: LegacySend): string | undefined {
  const size = measurePayload([send.data, send.notification]);
  if (size > readPayloadLimit(send.target.kind !== 'tokens')) return 'MessageTooBig';
  if (findReservedDataKey(send.data) !== undefined) return 'InvalidDataKey';
  const ttl = send.timeToLive;
  if (ttl !== undefined && !(Number.isInteger(ttl) && ttl >= 0 && ttl <= MAX_TTL_SECONDS)) {
    return 'InvalidTtl';
  }
  return undefined;
}

function describeContent(send: LegacySend): MessageContent {
  return {
    data: send.data ?? null,
    notification: send.notification ?? null,
    protocol: 'legacy',
    ...(send.collapseKey === undefined ? {} : { collapse_key: send.collapseKey }),
    ...(send.priority === undefined ? {} : { priority: send.priority }),
    ...(send.timeToLive === undefined ? {} : { time_to_live: send.timeToLive }),
  };
}

function judgeRecipient(state: EmulatorState, send: LegacySend, id: string): RecipientResult {
  if (id === '') return { error: 'MissingRegistration' };
  const { restrictedPackageName: restrictedPackage, dryRun } = send;
  const verdict = state.devices.judge(id, { restrictedPackage, dryRun });
  if (!verdict.accepted) return { error: verdict.error };
  if (dryRun) return { message_id: PLACEHOLDER_MESSAGE_ID, ...canonicalPart(verdict.canonicalId) };
  const messageId = state.ids.nextMessageId();
  storeDeliveries(state, describeContent(send), { messageId, receivers: [id] });
  return { message_id: messageId, ...canonicalPart(verdict.canonicalId) };
}

function canonicalPart(canonicalId: string | undefined): { registration_id?: string } {
  return canonicalId === undefined ? {} : { registration_id: canonicalId };
}

function judgeRecipients(state: EmulatorState, send: LegacySend, ids: string[]): RecipientResult[] {
  const messageError = findMessageError(send);
  if (messageError !== undefined) return ids.map(() => ({ error: messageError }));
  return ids.map((id) => judgeRecipient(state, send, id));
}

/** The multicast answer, with `multicast_id` written as a bare 64-bit integer literal. */
function replyMulticast(state: EmulatorState, results: RecipientResult[]): Reply {
  const failure = results.filter((result) => 'error' in result).length;
  const canonical = results.filter((result) => 'registration_id' in result).length;
  const text =
    `{"multicast_id":${state.ids.nextBigId()},"success":${results.length - failure},` +
    `"failure":${failure},"canonical_ids":${canonical},"results":${JSON.stringify(results)}}`;
  return replyJsonText(200, text);
}

/** The plain-text answer (protocol.md 1.5); retriable errors become 503 and 500 there. */
function replyFormResult(result: RecipientResult | undefined): Reply {
  if (result === undefined || 'error' in result) {
    const error = result?.error ?? 'MissingRegistration';
    if (error === 'Unavailable') return replyErrorPage(503);
    if (error === 'InternalServerError') return replyErrorPage(500);
    return replyText(200, `Error=${error}`);
  }
  const canonical = result.registration_id;
  const lines = [`id=${result.message_id}`];
  if (canonical !== undefined) lines.push(`registration_id=${canonical}`);
  return replyText(200, lines.join('\n'));
}

/** Topic and condition sends fan out to every matching device and answer one numeric ID. */
function sendToTopics(state: EmulatorState, send: LegacySend, target: TopicTarget): Reply {
  const messageError = findMessageError(send);
  if (messageError !== undefined) return replyJson(200, { error: messageError });
  const messageId = String(state.ids.nextBigId());
  if (!send.dryRun) {
    const restrictedPackage = send.restrictedPackageName;
    deliverToTopicTarget(state, describeContent(send), { messageId, target, restrictedPackage });
  }
  // Written by hand: the ID is a bare integer literal beyond 2^53, as Google sent it.
  return replyJsonText(200, `{"message_id":${messageId}}`);
}

/** Serves one legacy send request whose body was already read. */
export function serveLegacySend(
  state: EmulatorState,
  headers: IncomingHttpHeaders,
  body: string,
): Reply {
  if (!state.acceptsKey(readApiKey(headers))) return replyErrorPage(401);
  // Google treated any body not labelled JSON as the plain-text form, which is why a JSON body
  // sent without its content type came back as Error=MissingRegistration.
  const json = isJsonRequest(headers);
  const parsed = json ? parseJsonSend(body) : parseFormSend(body);
  if (!parsed.ok) return replyText(400, parsed.error);
  const send = parsed.value;
  const { target } = send;
  if (target.kind !== 'tokens') return sendToTopics(state, send, target);
  const results = judgeRecipients(state, send, target.ids);
  return json ? replyMulticast(state, results) : replyFormResult(results[0]);
}

/** The legacy send paths; both take scripted faults. */
export const LEGACY_ROUTES: readonly Route[] = [
  {
    pattern: /^\/(?:gcm|fcm)\/send$/,
    takesFaults: true,
    handlers: { POST: ({ state, headers, body }) => serveLegacySend(state, headers, body) },
  },
];
