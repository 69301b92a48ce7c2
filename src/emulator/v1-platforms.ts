/**
 * The platform blocks of an FCM v1 message (protocol.md 2.3 and 2.4): `android`, `apns`,
 * `webpush` and `fcm_options`. Each comes back with its field names in snake_case.
 */
import { quoteValue, type JsonObject } from './checks.js';
import { MAX_TTL_SECONDS } from './delivery.js';
import {
  compact,
  failField,
  joinPath,
  readBoolean,
  readMessage,
  readString,
  readStringList,
  readStringMap,
  readStruct,
} from './v1-fields.js';

/** The `android` options the emulator acts on, already checked. */
export interface AndroidOptions {
  collapseKey?: string;
  /** `NORMAL` or `HIGH`, in lower case like the legacy field. */
  priority?: 'normal' | 'high';
  /** `ttl` in seconds; it may have a fraction. */
  ttlSeconds?: number;
  restrictedPackage?: string;
  data?: Record<string, string>;
  notification?: JsonObject;
}

const ANDROID_FIELDS = [
  'collapse_key',
  'priority',
  'ttl',
  'restricted_package_name',
  'data',
  'notification',
  'fcm_options',
  'direct_boot_ok',
  'bandwidth_constrained_ok',
  'restricted_satellite_ok',
] as const;
// LIMITATION: the values of these fields are not checked, except the three arrays below.
const ANDROID_NOTIFICATION_FIELDS = [
  ...['title', 'body', 'icon', 'color', 'sound', 'tag', 'click_action', 'channel_id', 'image'],
  ...['body_loc_key', 'body_loc_args', 'title_loc_key', 'title_loc_args', 'ticker', 'sticky'],
  ...['event_time', 'local_only', 'notification_priority', 'default_sound', 'visibility'],
  ...['default_vibrate_timings', 'default_light_settings', 'vibrate_timings'],
  ...['notification_count', 'light_settings', 'bypass_proxy_notification', 'proxy'],
] as const;
const NOTIFICATION_LISTS = ['body_loc_args', 'title_loc_args', 'vibrate_timings'] as const;
// A protobuf Duration in JSON: whole seconds, an optional fraction of up to 9 digits, then "s".
const DURATION = /^\d+(\.\d{1,9})?s$/;
const ANALYTICS_LABEL = /^[a-zA-Z0-9\-_.~%]{1,50}$/;

function readDuration(value: unknown, field: string): number | undefined {
  const text = readString(value, field);
  if (text === undefined) return undefined;
  if (!DURATION.test(text)) {
    failField(field, `${field} must be a duration such as "3s" or "3.5s", not ${quoteValue(text)}`);
  }
  const seconds = Number(text.slice(0, -1));
  if (seconds > MAX_TTL_SECONDS) {
    failField(field, `${field} must be at most four weeks, "${MAX_TTL_SECONDS}s"; it is ${text}`);
  }
  return seconds;
}

function readPriority(value: unknown, field: string): AndroidOptions['priority'] {
  if (value === undefined) return undefined;
  if (value === 'NORMAL' || value === 'HIGH') return value === 'HIGH' ? 'high' : 'normal';
  return failField(field, `${field} must be "NORMAL" or "HIGH", not ${quoteValue(value)}`);
}

/** `fcm_options` of the message or of a platform: an analytics label and maybe a link. */
export function readFcmOptions(
  value: unknown,
  path: string,
  known: readonly string[] = ['analytics_label'],
): JsonObject | undefined {
  const options = readMessage(value, path, known);
  if (options === undefined) return undefined;
  const label = readString(options.analytics_label, joinPath(path, 'analytics_label'));
  if (label !== undefined && !ANALYTICS_LABEL.test(label)) {
    failField(joinPath(path, 'analytics_label'), 'analytics labels match [a-zA-Z0-9-_.~%]{1,50}');
  }
  const link = readString(options.link, joinPath(path, 'link'));
  if (link !== undefined && !link.startsWith('https://')) {
    failField(joinPath(path, 'link'), `${joinPath(path, 'link')} must be an HTTPS URL`);
  }
  readString(options.image, joinPath(path, 'image'));
  return options;
}

function readAndroidNotification(value: unknown, path: string): JsonObject | undefined {
  const notification = readMessage(value, path, ANDROID_NOTIFICATION_FIELDS);
  for (const name of NOTIFICATION_LISTS) readStringList(notification?.[name], joinPath(path, name));
  return notification;
}

/** Reads `message.android`: the block to store, and the options the emulator acts on. */
export function readAndroid(value: unknown): {
  block: JsonObject | undefined;
  options: AndroidOptions;
} {
  const path = 'message.android';
  const block = readMessage(value, path, ANDROID_FIELDS);
  if (block === undefined) return { block: undefined, options: {} };
  const at = (name: string): string => joinPath(path, name);
  for (const name of ['direct_boot_ok', 'bandwidth_constrained_ok', 'restricted_satellite_ok']) {
    readBoolean(block[name], at(name));
  }
  const notification = readAndroidNotification(block.notification, at('notification'));
  const fcmOptions = readFcmOptions(block.fcm_options, at('fcm_options'));
  const options = compact<AndroidOptions>({
    collapseKey: readString(block.collapse_key, at('collapse_key')),
    priority: readPriority(block.priority, at('priority')),
    ttlSeconds: readDuration(block.ttl, at('ttl')),
    restrictedPackage: readString(block.restricted_package_name, at('restricted_package_name')),
    data: readStringMap(block.data, at('data')),
    notification,
  });
  return { block: compact({ ...block, notification, fcm_options: fcmOptions }), options };
}

/** The fields of a platform block other than Android's, by the kind of value each holds. */
interface PlatformShape {
  maps: readonly string[];
  structs: readonly string[];
  strings: readonly string[];
  fcmOptions: readonly string[];
}

const APNS: PlatformShape = {
  maps: ['headers'],
  structs: ['payload'],
  strings: ['live_activity_token'],
  fcmOptions: ['analytics_label', 'image'],
};
const WEBPUSH: PlatformShape = {
  maps: ['headers', 'data'],
  structs: ['notification'],
  strings: [],
  fcmOptions: ['link', 'analytics_label'],
};

function readPlatform(value: unknown, path: string, shape: PlatformShape): JsonObject | undefined {
  const { maps, structs, strings } = shape;
  const block = readMessage(value, path, [...maps, ...structs, ...strings, 'fcm_options']);
  if (block === undefined) return undefined;
  for (const name of maps) readStringMap(block[name], joinPath(path, name));
  for (const name of structs) readStruct(block[name], joinPath(path, name));
  for (const name of strings) readString(block[name], joinPath(path, name));
  const fcmOptionsPath = joinPath(path, 'fcm_options');
  const fcmOptions = readFcmOptions(block.fcm_options, fcmOptionsPath, shape.fcmOptions);
  return compact({ ...block, fcm_options: fcmOptions });
}

export function readApns(value: unknown): JsonObject | undefined {
  return readPlatform(value, 'message.apns', APNS);
}

export function readWebpush(value: unknown): JsonObject | undefined {
  return readPlatform(value, 'message.webpush', WEBPUSH);
}
