/**
 * Reads FCM HTTP v1 send requests (protocol.md 2.1 to 2.5) into one checked shape, or into the
 * refusal that becomes a 400 INVALID_ARGUMENT. Written apart from the client's builders on
 * purpose: a client bug must not be mirrored here.
 */
import { quoteValue, type JsonObject } from './checks.js';
import { isTopicName, parseCondition } from './conditions.js';
import {
  findReservedDataKey,
  measurePayload,
  readPayloadLimit,
  type TopicTarget,
} from './delivery.js';
import type { V1Refusal } from './v1-errors.js';
import {
  compact,
  failField,
  FieldError,
  readBoolean,
  readFields,
  readMessage,
  readString,
  readStringMap,
} from './v1-fields.js';
import {
  readAndroid,
  readApns,
  readFcmOptions,
  readWebpush,
  type AndroidOptions,
} from './v1-platforms.js';

/** Who a v1 send goes to: one token, or a topic or condition's followers. */
export type V1Target = { kind: 'token'; token: string } | TopicTarget;

/** The platform blocks as sent, with field names in snake_case. */
export type V1Blocks = Partial<Record<'android' | 'apns' | 'webpush' | 'fcm_options', JsonObject>>;

/** A v1 send request after every check that needs no device. */
export interface V1Send {
  validateOnly: boolean;
  target: V1Target;
  data?: Record<string, string>;
  notification?: JsonObject;
  android: AndroidOptions;
  blocks: V1Blocks;
}

export type V1Parsed = { ok: true; value: V1Send } | { ok: false; refusal: V1Refusal };

const REQUEST_FIELDS = ['validate_only', 'message'] as const;
const TARGET_FIELDS = ['token', 'topic', 'condition'] as const;
const MESSAGE_FIELDS = [
  ...TARGET_FIELDS,
  ...['name', 'data', 'notification', 'android', 'apns', 'webpush', 'fcm_options'],
] as const;
const NOTIFICATION_FIELDS = ['title', 'body', 'image'] as const;

function readTopic(topic: string): V1Target {
  if (topic.startsWith('/topics/')) {
    failField('message.topic', 'message.topic takes the bare topic name, without "/topics/"');
  }
  if (!isTopicName(topic)) {
    failField('message.topic', `topic names match [a-zA-Z0-9-_.~%]+; not ${quoteValue(topic)}`);
  }
  return { kind: 'topic', topic };
}

/** Exactly one of `token`, `topic` and `condition`: the oneof `target` of `Message`. */
function readTarget(message: JsonObject): V1Target {
  const present = TARGET_FIELDS.filter((name) => message[name] !== undefined);
  const [name] = present;
  if (name === undefined || present.length > 1) {
    const found =
      present.length === 0 ? 'none' : present.map((one) => `message.${one}`).join(' and ');
    failField(
      'message',
      `set exactly one of message.token, message.topic or message.condition; found ${found}`,
    );
  }
  const text = readString(message[name], `message.${name}`) ?? '';
  if (name === 'token') return { kind: 'token', token: text };
  if (name === 'topic') return readTopic(text);
  const condition = parseCondition(text);
  if (!condition.ok) failField('message.condition', `invalid condition: ${condition.error}`);
  return { kind: 'condition', text, condition: condition.value };
}

function readNotification(value: unknown): JsonObject | undefined {
  const notification = readMessage(value, 'message.notification', NOTIFICATION_FIELDS);
  for (const name of NOTIFICATION_FIELDS) {
    readString(notification?.[name], `message.notification.${name}`);
  }
  return notification;
}

/** Checks that need the whole message: the payload limit and reserved data keys. */
function checkPayload(send: V1Send): void {
  const { data, notification, android, target } = send;
  // Counted as sent: the shared fields and the Android ones, which reach an Android device.
  const size = measurePayload([data, notification, android.data, android.notification]);
  const limit = readPayloadLimit(target.kind !== 'token');
  if (size > limit) {
    failField('message', `the message payload is ${size} bytes; the limit here is ${limit}`);
  }
  checkDataKeys(data, 'message.data');
  checkDataKeys(android.data, 'message.android.data');
}

function checkDataKeys(data: Record<string, string> | undefined, field: string): void {
  const reserved = findReservedDataKey(data);
  if (reserved !== undefined) {
    failField(field, `invalid data payload key ${JSON.stringify(reserved)}: it is reserved`);
  }
}

function readMessageBody(value: unknown, validateOnly: boolean): V1Send {
  if (value === undefined) failField('message', 'the request has no "message"');
  const message = readFields(value, 'message', MESSAGE_FIELDS);
  const target = readTarget(message);
  readString(message.name, 'message.name');
  const android = readAndroid(message.android);
  const blocks = compact<V1Blocks>({
    android: android.block,
    apns: readApns(message.apns),
    webpush: readWebpush(message.webpush),
    fcm_options: readFcmOptions(message.fcm_options, 'message.fcm_options'),
  });
  const data = readStringMap(message.data, 'message.data');
  const notification = readNotification(message.notification);
  return { validateOnly, target, data, notification, android: android.options, blocks };
}

/** Reads a v1 send body; the first problem found is the one reported. */
export function parseV1Send(text: string): V1Parsed {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return {
      ok: false,
      refusal: { description: `Invalid JSON payload received: ${(error as Error).message}` },
    };
  }
  try {
    const request = readFields(body, '', REQUEST_FIELDS);
    const validateOnly = readBoolean(request.validate_only, 'validate_only') ?? false;
    const send = readMessageBody(request.message, validateOnly);
    checkPayload(send);
    return { ok: true, value: send };
  } catch (error) {
    if (!(error instanceof FieldError)) throw error;
    const refusal = error.field === undefined ? {} : { field: error.field };
    return { ok: false, refusal: { description: error.message, ...refusal } };
  }
}
