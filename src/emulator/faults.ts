/**
 * Scripted transport faults: the next N send requests answer with an error status, wait, lose
 * their connection, get a cut-off answer, or get an HTML page in place of the service's. They
 * queue in order of arrival and never touch control requests.
 */
import {
  accept,
  findUnknownKeys,
  isJsonObject,
  isWholeNumber,
  refuse,
  type JsonObject,
  type Parsed,
} from './checks.js';

/** A fault as the control API and `EmulatorOptions.faults` take it. */
export type FaultSpec =
  | {
      /** 429 or any 5xx. */
      status: number;
      /** How many send requests get it. */
      count: number;
      /** `Retry-After` header value: delta-seconds (`"2"`) or an HTTP date. */
      retry_after?: string;
    }
  | {
      /** Delay before the request is served normally, in milliseconds. */
      latency_ms: number;
      count: number;
    }
  | {
      /** How many send requests lose their connection halfway through the response body. */
      drop: number;
    }
  | {
      /**
       * How many send requests are served, but answered with only the first half of the body,
       * sent as if complete: a correct Content-Length and a clean end, JSON cut mid-value.
       */
      truncate: number;
    }
  | {
      /**
       * How many send requests get 200 with an HTML page instead of reaching the service, as
       * from a captive portal or a misrouted proxy; nothing is delivered.
       */
      html: number;
    };

/** What the server does to the one request that took a fault. */
export type FaultAction =
  | { kind: 'status'; status: number; retryAfter?: string }
  | { kind: 'latency'; ms: number }
  | { kind: 'drop' }
  | { kind: 'truncate' }
  | { kind: 'html' };

/** The faults that are just a count of requests: `{"drop": 2}`. */
const COUNTED_KINDS = ['drop', 'truncate', 'html'] as const;
type CountedKind = (typeof COUNTED_KINDS)[number];

/** A fault that answers in place of the service. */
export type StatusFault = Extract<FaultAction, { kind: 'status' }>;

/** The headers every status-fault answer carries, whatever the body's shape. */
export function readFaultHeaders(fault: StatusFault): Record<string, string> {
  return fault.retryAfter === undefined ? {} : { 'retry-after': fault.retryAfter };
}

const MAX_COUNT = 1_000_000;
/** Ten minutes: longer than any client timeout worth testing. */
export const MAX_LATENCY_MS = 600_000;
// IMF-fixdate, the HTTP date form every client is required to read (RFC 9110, 5.6.7).
const HTTP_DATE =
  /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun), \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} GMT$/;

function isFaultStatus(value: unknown): value is number {
  return value === 429 || isWholeNumber(value, 500, 599);
}

/** Accepts delta-seconds or an IMF-fixdate; numbers are turned into delta-seconds. */
function parseRetryAfter(value: unknown): Parsed<string | undefined> {
  if (value === undefined) return accept(undefined);
  if (isWholeNumber(value, 0, Number.MAX_SAFE_INTEGER)) return accept(String(value));
  if (typeof value === 'string' && (/^\d+$/.test(value) || isHttpDate(value))) {
    return accept(value);
  }
  return refuse(
    '"retry_after" must be delta-seconds like "2" or an HTTP date like ' +
      '"Wed, 21 Oct 2026 07:28:00 GMT"',
  );
}

function isHttpDate(text: string): boolean {
  return HTTP_DATE.test(text) && !Number.isNaN(Date.parse(text));
}

function parseCount(value: unknown, name: string): Parsed<number> {
  if (isWholeNumber(value, 1, MAX_COUNT)) return accept(value);
  return refuse(`"${name}" must be a whole number from 1 to ${MAX_COUNT}`);
}

function parseStatusFault(value: JsonObject): Parsed<FaultSpec> {
  if (!isFaultStatus(value.status)) return refuse('"status" must be 429 or from 500 to 599');
  const count = parseCount(value.count, 'count');
  if (!count.ok) return count;
  const retryAfter = parseRetryAfter(value.retry_after);
  if (!retryAfter.ok) return retryAfter;
  const spec: FaultSpec = { status: value.status, count: count.value };
  if (retryAfter.value !== undefined) spec.retry_after = retryAfter.value;
  return accept(spec);
}

function parseLatencyFault(value: JsonObject): Parsed<FaultSpec> {
  if (!isWholeNumber(value.latency_ms, 0, MAX_LATENCY_MS)) {
    return refuse(`"latency_ms" must be a whole number from 0 to ${MAX_LATENCY_MS}`);
  }
  const count = parseCount(value.count, 'count');
  if (!count.ok) return count;
  return accept({ latency_ms: value.latency_ms, count: count.value });
}

const SHAPES = [
  { key: 'status', fields: ['status', 'count', 'retry_after'] },
  { key: 'latency_ms', fields: ['latency_ms', 'count'] },
  ...COUNTED_KINDS.map((key) => ({ key, fields: [key] })),
] as const;

/** Checks a fault from `POST /emulator/faults`: exactly one of the shapes. */
export function parseFaultSpec(value: unknown): Parsed<FaultSpec> {
  const usage =
    'send {"status", "count", "retry_after"?}, {"latency_ms", "count"}, {"drop"}, ' +
    '{"truncate"} or {"html"}';
  if (!isJsonObject(value)) return refuse(`a fault must be a JSON object; ${usage}`);
  const shapes = SHAPES.filter((shape) => value[shape.key] !== undefined);
  const shape = shapes[0];
  if (shape === undefined || shapes.length > 1) return refuse(`ambiguous fault; ${usage}`);
  const unknown = findUnknownKeys(value, shape.fields);
  if (unknown.length > 0) return refuse(`unknown fault field "${unknown[0]}"; ${usage}`);
  if (shape.key === 'status') return parseStatusFault(value);
  if (shape.key === 'latency_ms') return parseLatencyFault(value);
  const count = parseCount(value[shape.key], shape.key);
  return count.ok ? accept(countedFault(shape.key, count.value)) : count;
}

function countedFault(kind: CountedKind, count: number): FaultSpec {
  return { [kind]: count } as FaultSpec;
}

/** The kind and count of a fault that is only a count, such as `{"drop": 2}`. */
function readCounted(spec: FaultSpec): { kind: CountedKind; count: number } | undefined {
  const counts = spec as Partial<Record<CountedKind, number>>;
  const kind = COUNTED_KINDS.find((name) => counts[name] !== undefined);
  return kind === undefined ? undefined : { kind, count: counts[kind] as number };
}

/**
 * Reads a `--fault` flag, `STATUS:COUNT[:RETRY_AFTER]`. Only the first two colons split, since
 * an HTTP date in the third part has colons of its own.
 */
export function parseFaultFlag(text: string): Parsed<FaultSpec> {
  const match = /^(\d+):(\d+)(?::(.+))?$/.exec(text);
  if (match === null) return refuse('expected STATUS:COUNT or STATUS:COUNT:RETRY_AFTER');
  const [, status, count, retryAfter] = match;
  return parseFaultSpec({
    status: Number(status),
    count: Number(count),
    ...(retryAfter === undefined ? {} : { retry_after: retryAfter }),
  });
}

interface QueuedFault {
  spec: FaultSpec;
  remaining: number;
}

function describeAction(spec: FaultSpec): FaultAction {
  if ('status' in spec) {
    return spec.retry_after === undefined
      ? { kind: 'status', status: spec.status }
      : { kind: 'status', status: spec.status, retryAfter: spec.retry_after };
  }
  if ('latency_ms' in spec) return { kind: 'latency', ms: spec.latency_ms };
  return { kind: (readCounted(spec) as { kind: CountedKind }).kind };
}

function countOf(spec: FaultSpec): number {
  return 'count' in spec ? spec.count : (readCounted(spec)?.count ?? 0);
}

/** Faults waiting for send requests, first in, first out. */
export class FaultQueue {
  private readonly queue: QueuedFault[] = [];

  /** Queues a fault; throws when the spec is invalid. */
  add(spec: FaultSpec): void {
    const parsed = parseFaultSpec(spec);
    if (!parsed.ok) throw new Error(`invalid fault: ${parsed.error}`);
    this.queue.push({ spec: parsed.value, remaining: countOf(parsed.value) });
  }

  /** Takes one use of the oldest fault, if any, for the send request being served. */
  take(): FaultAction | undefined {
    const head = this.queue[0];
    if (head === undefined) return undefined;
    head.remaining -= 1;
    if (head.remaining <= 0) this.queue.shift();
    return describeAction(head.spec);
  }

  clear(): void {
    this.queue.length = 0;
  }

  /** Pending faults with their counts lowered to the uses left. */
  list(): FaultSpec[] {
    return this.queue.map(({ spec, remaining }) => {
      const counted = readCounted(spec);
      return counted === undefined
        ? { ...spec, count: remaining }
        : countedFault(counted.kind, remaining);
    });
  }
}
