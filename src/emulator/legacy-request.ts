/**
 * Reads legacy send requests (protocol.md 1.3 and 1.5) into one shape. Refusals carry the
 * plain-text reason that goes into a 400 body. Written apart from the client's builders on
 * purpose: a client bug must not be mirrored here.
 */
import {
  accept,
  isJsonObject,
  quoteValue,
  refuse,
  type JsonObject,
  type Parsed,
} from './checks.js';
import { isTopicName, parseCondition } from './conditions.js';
import type { TopicTarget } from './delivery.js';

/** Who a legacy send goes to. */
export type LegacyTarget = { kind: 'tokens'; ids: string[] } | TopicTarget;

/** A legacy send request after its fields passed the type checks. */
export interface LegacySend {
  target: LegacyTarget;
  data?: JsonObject;
  notification?: JsonObject;
  collapseKey?: string;
  priority?: 'normal' | 'high';
  /** Seconds as sent; the range check gives `InvalidTtl` per recipient, not a 400. */
  timeToLive?: number;
  restrictedPackageName?: string;
  dryRun: boolean;
}

/** Google's documented limit on `registration_ids`. */
export const MAX_REGISTRATION_IDS = 1000;

type FieldType = 'string' | 'boolean' | 'number' | 'object';

const FIELD_TYPES: Record<string, FieldType> = {
  to: 'string',
  condition: 'string',
  notification_key: 'string',
  collapse_key: 'string',
  priority: 'string',
  restricted_package_name: 'string',
  content_available: 'boolean',
  mutable_content: 'boolean',
  delay_while_idle: 'boolean',
  dry_run: 'boolean',
  time_to_live: 'number',
  data: 'object',
  notification: 'object',
};

const TARGET_FIELDS = ['to', 'registration_ids', 'condition', 'notification_key'] as const;
const TOPIC_PREFIX = '/topics/';

function hasType(value: unknown, type: FieldType): boolean {
  return type === 'object' ? isJsonObject(value) : typeof value === type;
}

function checkFieldTypes(body: JsonObject): string | undefined {
  for (const [field, type] of Object.entries(FIELD_TYPES)) {
    const value = body[field];
    if (value !== undefined && !hasType(value, type)) {
      return `Field "${field}" must be a JSON ${type}: ${quoteValue(value)}`;
    }
  }
  if (body.priority !== undefined && body.priority !== 'normal' && body.priority !== 'high') {
    return `Field "priority" must be "normal" or "high": ${quoteValue(body.priority)}`;
  }
  return undefined;
}

function readRegistrationIds(value: unknown): Parsed<LegacyTarget> {
  if (!Array.isArray(value)) {
    return refuse(`Field "registration_ids" must be a JSON array: ${quoteValue(value)}`);
  }
  if (value.length === 0) return refuse('Field "registration_ids" must not be empty');
  if (value.length > MAX_REGISTRATION_IDS) {
    return refuse(
      `Number of messages on bulk (${value.length}) exceeds maximum allowed ` +
        `(${MAX_REGISTRATION_IDS})`,
    );
  }
  const notString = value.find((id) => typeof id !== 'string');
  if (notString !== undefined) {
    return refuse(`Field "registration_ids" must hold only strings: ${quoteValue(notString)}`);
  }
  return accept({ kind: 'tokens', ids: value as string[] });
}

function readTarget(body: JsonObject): Parsed<LegacyTarget> {
  const present = TARGET_FIELDS.filter((field) => body[field] !== undefined);
  if (present.length === 0) {
    return refuse(
      'Missing target: set "to", "registration_ids", "condition" or "notification_key"',
    );
  }
  if (present.length > 1) return refuse(`Use only one target field, not ${present.join(' and ')}`);
  if (body.registration_ids !== undefined) return readRegistrationIds(body.registration_ids);
  if (typeof body.condition === 'string') {
    const condition = parseCondition(body.condition);
    if (!condition.ok) return refuse(`Invalid "condition": ${condition.error}`);
    return accept({ kind: 'condition', text: body.condition, condition: condition.value });
  }
  const to = String(body.to ?? body.notification_key);
  if (!to.startsWith(TOPIC_PREFIX)) return accept({ kind: 'tokens', ids: [to] });
  const topic = to.slice(TOPIC_PREFIX.length);
  if (!isTopicName(topic)) {
    return refuse(`Invalid topic name ${quoteValue(topic)}: names match [a-zA-Z0-9-_.~%]+`);
  }
  return accept({ kind: 'topic', topic });
}

/** Reads a JSON send body; field types first, then the target. */
export function parseJsonSend(text: string): Parsed<LegacySend> {
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch (error) {
    return refuse(`JSON_PARSING_ERROR: ${(error as Error).message}`);
  }
  if (!isJsonObject(body)) return refuse('JSON_PARSING_ERROR: the body must be a JSON object');
  const typeError = checkFieldTypes(body);
  if (typeError !== undefined) return refuse(typeError);
  const target = readTarget(body);
  if (!target.ok) return target;
  return accept({
    target: target.value,
    data: body.data as JsonObject | undefined,
    notification: body.notification as JsonObject | undefined,
    collapseKey: body.collapse_key as string | undefined,
    priority: body.priority as LegacySend['priority'],
    timeToLive: body.time_to_live as number | undefined,
    restrictedPackageName: body.restricted_package_name as string | undefined,
    dryRun: body.dry_run === true,
  });
}

function readFormFlag(params: URLSearchParams, name: string): Parsed<boolean> {
  const value = params.get(name);
  if (value === null || value === '0' || value === 'false') return accept(false);
  if (value === '1' || value === 'true') return accept(true);
  return refuse(`Field "${name}" must be 0, 1, true or false: ${quoteValue(value)}`);
}

function readFormData(params: URLSearchParams): JsonObject | undefined {
  const data: JsonObject = {};
  for (const [key, value] of params) {
    if (key.startsWith('data.')) data[key.slice('data.'.length)] = value;
  }
  return Object.keys(data).length > 0 ? data : undefined;
}

/**
 * Reads a form-encoded send. A missing `registration_id` is not a 400: Google answered it with
 * `Error=MissingRegistration`, so it becomes an empty ID that fails per recipient.
 */
export function parseFormSend(text: string): Parsed<LegacySend> {
  const params = new URLSearchParams(text);
  const ids = params.getAll('registration_id');
  if (ids.length > 1) return refuse('Field "registration_id" takes exactly one ID');
  const ttlText = params.get('time_to_live');
  if (ttlText !== null && !/^-?\d+$/.test(ttlText)) {
    return refuse(`Field "time_to_live" must be a number: ${quoteValue(ttlText)}`);
  }
  const delayWhileIdle = readFormFlag(params, 'delay_while_idle');
  if (!delayWhileIdle.ok) return delayWhileIdle;
  const dryRun = readFormFlag(params, 'dry_run');
  if (!dryRun.ok) return dryRun;
  return accept({
    target: { kind: 'tokens', ids: [ids[0] ?? ''] },
    data: readFormData(params),
    collapseKey: params.get('collapse_key') ?? undefined,
    timeToLive: ttlText === null ? undefined : Number(ttlText),
    restrictedPackageName: params.get('restricted_package_name') ?? undefined,
    dryRun: dryRun.value,
  });
}
