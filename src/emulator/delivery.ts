/**
 * What both send protocols share once a request is read: the payload limits and reserved data
 * keys (protocol.md 1.3, 1.6 and 2.3), topic and condition fan-out, and storing in the inbox.
 */
import type { JsonObject } from './checks.js';
import { evaluateCondition, type Condition } from './conditions.js';
import type { StoredMessage } from './inbox.js';
import type { EmulatorState } from './state.js';

/** A send to everyone following a topic, or matching a topic condition. */
export type TopicTarget =
  { kind: 'topic'; topic: string } | { kind: 'condition'; text: string; condition: Condition };

/** The inbox fields one accepted message carries, whichever device receives it. */
export type MessageContent = Omit<
  StoredMessage,
  'registration_id' | 'message_id' | 'received_at' | 'topic' | 'condition'
>;

/** What a dry run (legacy) or validate_only (v1) answers instead of a real message ID. */
export const PLACEHOLDER_MESSAGE_ID = 'fake_message_id';
/** Four weeks, the longest time-to-live either protocol allows. */
export const MAX_TTL_SECONDS = 2_419_200;
const MAX_PAYLOAD_BYTES = 4096;
const MAX_TOPIC_PAYLOAD_BYTES = 2048;

/** The payload limit for a send: 4096 bytes, or 2048 for topic and condition sends. */
export function readPayloadLimit(toTopics: boolean): number {
  return toTopics ? MAX_TOPIC_PAYLOAD_BYTES : MAX_PAYLOAD_BYTES;
}

/** Bytes of the given payload objects as compact UTF-8 JSON, keys and values together. */
export function measurePayload(parts: ReadonlyArray<JsonObject | undefined>): number {
  let size = 0;
  for (const part of parts) {
    if (part !== undefined) size += Buffer.byteLength(JSON.stringify(part));
  }
  return size;
}

/** `from`, `message_type` and anything starting with `google` or `gcm` are Google's own. */
export function findReservedDataKey(data: JsonObject | undefined): string | undefined {
  return Object.keys(data ?? {}).find(
    (key) => key === 'from' || key === 'message_type' || /^(google|gcm)/.test(key),
  );
}

function matchTopicTarget(target: TopicTarget, topics: ReadonlySet<string>): boolean {
  if (target.kind === 'topic') return topics.has(target.topic);
  return evaluateCondition(target.condition, topics);
}

/** Stores one copy of the message for each receiver, all under the same message ID. */
export function storeDeliveries(
  state: EmulatorState,
  content: MessageContent,
  delivery: { messageId: string; receivers: readonly string[]; target?: TopicTarget },
): void {
  const { target } = delivery;
  const label = target === undefined ? {} : labelTopicTarget(target);
  const { data, notification, protocol, ...extras } = content;
  for (const id of delivery.receivers) {
    state.inbox.add({
      registration_id: id,
      message_id: delivery.messageId,
      data,
      notification,
      protocol,
      received_at: state.readNow(),
      ...extras,
      ...label,
    });
  }
}

function labelTopicTarget(target: TopicTarget): Pick<StoredMessage, 'topic' | 'condition'> {
  return target.kind === 'topic' ? { topic: target.topic } : { condition: target.text };
}

/**
 * Delivers a topic or condition send to every live device that matches it, skipping devices
 * of another package (`restrictedPackage`) or another Firebase project (`project`).
 */
export function deliverToTopicTarget(
  state: EmulatorState,
  content: MessageContent,
  send: { messageId: string; target: TopicTarget; restrictedPackage?: string; project?: string },
): void {
  const { messageId, target, restrictedPackage, project } = send;
  const matches = (topics: ReadonlySet<string>): boolean => matchTopicTarget(target, topics);
  const receivers = state.devices.findSubscribers(matches, { restrictedPackage, project });
  storeDeliveries(state, content, { messageId, receivers, target });
}
