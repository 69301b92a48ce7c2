/**
 * The FCM HTTP v1 `message` object built from a `PushMessage`, by the legacy-to-v1 mapping of
 * protocol.md 3.1. Pure; everything the service would refuse for its shape is refused here,
 * before the first of many requests goes out.
 */
import { UsageError } from '../errors.js';
import type { PushMessage } from './types.js';

/** Notification keys v1 keeps in the common `message.notification`. */
const COMMON_KEYS = new Set(['title', 'body', 'image']);

/** Legacy notification keys that move to `android.notification`, by their v1 names. */
const ANDROID_RENAMES: Record<string, string> = { android_channel_id: 'channel_id' };
const ANDROID_STRING_KEYS = new Set([
  'icon',
  'color',
  'sound',
  'tag',
  'click_action',
  'body_loc_key',
  'title_loc_key',
  'channel_id',
]);
const LOC_ARGS_KEYS = new Set(['body_loc_args', 'title_loc_args']);

/** Keys only v1 has (protocol.md 2.4): passed to `android.notification` as given. */
const ANDROID_V1_KEYS = new Set([
  'ticker',
  'sticky',
  'event_time',
  'local_only',
  'notification_priority',
  'default_sound',
  'default_vibrate_timings',
  'default_light_settings',
  'vibrate_timings',
  'visibility',
  'notification_count',
  'light_settings',
  'proxy',
]);

/**
 * `data` with every value a string, as v1 requires: numbers and booleans become their JSON
 * text and are listed in `converted` (the command says so once); null, objects and arrays are
 * refused, since no one string is obviously what the user meant.
 */
export function convertV1Data(data: Record<string, unknown>): {
  data: Record<string, string>;
  converted: string[];
} {
  const result: Record<string, string> = {};
  const converted: string[] = [];
  for (const [key, value] of Object.entries(data)) {
    if (typeof value === 'string') {
      result[key] = value;
    } else if (typeof value === 'number' || typeof value === 'boolean') {
      result[key] = JSON.stringify(value);
      converted.push(key);
    } else {
      throw refuseDataValue(key, value);
    }
  }
  return { data: result, converted };
}

function refuseDataValue(key: string, value: unknown): UsageError {
  if (value === null) {
    return new UsageError(
      `data key "${key}" is null; FCM v1 data values must be strings`,
      `send "" or leave the key out`,
    );
  }
  const kind = Array.isArray(value)
    ? 'an array'
    : typeof value === 'object'
      ? 'an object'
      : `a ${typeof value}`;
  return new UsageError(
    `data key "${key}" holds ${kind}; FCM v1 data values must be strings`,
    `JSON-encode it yourself, e.g. '{"${key}":"{\\"a\\":1}"}'`,
  );
}

/** The message without its target: what every request of a send has in common. */
export function buildV1Message(message: PushMessage): Record<string, unknown> {
  const v1: Record<string, unknown> = {};
  if (message.data !== undefined) v1.data = convertV1Data(message.data).data;
  const parts = splitNotification(message.notification ?? {});
  if (Object.keys(parts.common).length > 0) v1.notification = parts.common;
  const android = buildAndroid(message, parts.android);
  if (Object.keys(android).length > 0) v1.android = android;
  const aps = buildAps(message, parts);
  if (Object.keys(aps).length > 0) v1.apns = { payload: { aps } };
  return v1;
}

interface NotificationParts {
  common: Record<string, unknown>;
  android: Record<string, unknown>;
  badge?: number;
  subtitle?: string;
}

// Unknown keys are refused rather than passed on: v1 answers INVALID_ARGUMENT for a field it
// does not know, and would do so for every one of thousands of requests.
function splitNotification(notification: Record<string, unknown>): NotificationParts {
  const parts: NotificationParts = { common: {}, android: {} };
  for (const [legacyKey, value] of Object.entries(notification)) {
    const key = ANDROID_RENAMES[legacyKey] ?? legacyKey;
    if (COMMON_KEYS.has(key)) parts.common[key] = requireString(legacyKey, value);
    else if (ANDROID_STRING_KEYS.has(key)) parts.android[key] = requireString(legacyKey, value);
    else if (LOC_ARGS_KEYS.has(key)) parts.android[key] = readLocArgs(legacyKey, value);
    else if (ANDROID_V1_KEYS.has(key)) parts.android[key] = value;
    else if (key === 'badge') parts.badge = readBadge(value);
    else if (key === 'subtitle') parts.subtitle = requireString(legacyKey, value);
    else throw refuseNotificationKey(legacyKey);
  }
  return parts;
}

function buildAndroid(
  message: PushMessage,
  notification: Record<string, unknown>,
): Record<string, unknown> {
  const android: Record<string, unknown> = {};
  if (message.collapseKey !== undefined) android.collapse_key = message.collapseKey;
  if (message.priority !== undefined) android.priority = message.priority.toUpperCase();
  // v1 durations are seconds with an `s` suffix (protocol.md 2.4).
  if (message.ttl !== undefined) android.ttl = `${message.ttl}s`;
  if (message.restrictedPackageName !== undefined) {
    android.restricted_package_name = message.restrictedPackageName;
  }
  if (Object.keys(notification).length > 0) android.notification = notification;
  return android;
}

function buildAps(message: PushMessage, parts: NotificationParts): Record<string, unknown> {
  const aps: Record<string, unknown> = {};
  if (message.contentAvailable) aps['content-available'] = 1;
  if (parts.badge !== undefined) aps.badge = parts.badge;
  if (parts.subtitle !== undefined) aps.alert = { subtitle: parts.subtitle };
  return aps;
}

function requireString(key: string, value: unknown): string {
  if (typeof value === 'string') return value;
  throw new UsageError(`notification key "${key}" must be a string for FCM v1`);
}

/** Legacy sent `*_loc_args` as a JSON array in a string; v1 wants the array itself. */
function readLocArgs(key: string, value: unknown): string[] {
  let list = value;
  if (typeof value === 'string') {
    try {
      list = JSON.parse(value);
    } catch {
      list = undefined;
    }
  }
  if (Array.isArray(list) && list.every((item) => typeof item === 'string')) return list;
  throw new UsageError(
    `notification key "${key}" must be a JSON array of strings`,
    `for example "${key}":"[\\"Ann\\",\\"3\\"]"`,
  );
}

/** APNs wants the badge as a number; legacy clients often sent it as a string of digits. */
function readBadge(value: unknown): number {
  const badge = typeof value === 'string' && /^\d+$/.test(value) ? Number(value) : value;
  if (typeof badge === 'number' && Number.isInteger(badge) && badge >= 0) return badge;
  throw new UsageError('notification key "badge" must be a whole number, 0 or more');
}

function refuseNotificationKey(key: string): UsageError {
  return new UsageError(
    `notification key "${key}" has no place in an FCM v1 message`,
    'use title, body, image, icon, color, sound, tag, click_action, android_channel_id, ' +
      'badge, subtitle, *_loc_key and *_loc_args, or an android.notification field',
  );
}
