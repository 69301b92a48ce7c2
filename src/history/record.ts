/**
 * One line of the send history: what was sent, where, how, and what each recipient came to.
 * The builder is pure and takes no credentials at all: the API key, the service account and
 * tokens never reach it, so they cannot end up in the log.
 */
import type { RecipientResult, SendReport } from '../engine/send.js';
import type { SendJsonResult } from '../output/json.js';
import { toJsonResult } from '../output/json.js';
import type { Protocol, PushMessage } from '../protocols/types.js';

/** One recipient's outcome, in the same shape as a result of `send --json`. */
export type HistoryResult = SendJsonResult;

/** The settings that shaped the send, so `send --again` can repeat it. */
export interface HistoryOptions {
  dry_run: boolean;
  retries: number;
  /** The --timeout, in milliseconds. */
  timeout_ms: number;
  concurrency?: number;
  collapse_key?: string;
  /** Seconds. */
  ttl?: number;
  priority?: 'high' | 'normal';
  content_available?: boolean;
  restricted_package_name?: string;
  /** The topic condition of a `--condition` send; its `targets` are empty. */
  condition?: string;
  /** Sent through a throwaway in-process emulator. */
  emulator?: boolean;
  /** The Firebase project of an FCM v1 send. */
  project?: string;
}

/** The payload as sent. */
export interface HistoryMessage {
  data?: Record<string, unknown>;
  notification?: Record<string, unknown>;
}

/** One send, as one JSON line of the history log. */
export interface HistoryRecord {
  send_id: string;
  /** When the send started, ISO 8601 in UTC. */
  time: string;
  duration_ms: number;
  protocol: string;
  /** Host and port of the endpoint only: its path or query could carry a secret. */
  endpoint_host: string;
  /** The targets as given (names, raw IDs, a topic); empty when too many to keep. */
  targets: string[];
  /** How many targets were given when there were too many to keep; absent otherwise. */
  targets_omitted?: number;
  options: HistoryOptions;
  message: HistoryMessage;
  ok: boolean;
  success: number;
  failure: number;
  /** Per-recipient outcomes in send order, bounded; see `results_omitted`. */
  results: HistoryResult[];
  /** Results left out to keep the line bounded; absent when none were. */
  results_omitted?: number;
}

/** The checked limits and routing choices of a send; `SendLimits` fits as it is. */
export interface HistorySendOptions {
  retries: number;
  timeoutMs: number;
  concurrency?: number;
  condition?: string;
  emulator?: boolean;
  project?: string;
}

/** What a finished send hands to `buildHistoryRecord`. Times are epoch milliseconds. */
export interface HistoryInput {
  sendId: string;
  startedAt: number;
  finishedAt: number;
  protocol: Protocol['name'];
  /** The URL sent to (v1 without --endpoint: the default origin); only its host is kept. */
  endpoint: string;
  /** The targets as given, before names were resolved; or a keeper fed as they streamed by. */
  targets: Iterable<string> | TargetKeeper;
  message: PushMessage;
  options: HistorySendOptions;
  /** The finished send: its counts, and its results unless `results` took them as they came. */
  report: Pick<SendReport, 'results' | 'success' | 'failure'>;
  /** Results fed one by one from `SendEvents.result`, for a send whose report keeps none. */
  results?: ResultKeeper;
}

/**
 * How much of a send one line keeps. A send to a million IDs must not write a 200 MB line, so
 * failures (what `--failed-only` needs) get the larger share and successes a small one.
 */
export const HISTORY_BOUNDS = {
  targets: 1_000,
  targetChars: 512 * 1024,
  failedResults: 10_000,
  failedChars: 3 * 1024 * 1024,
  okResults: 1_000,
  okChars: 512 * 1024,
  detailChars: 200,
} as const;

export function buildHistoryRecord(input: HistoryInput): HistoryRecord {
  const { report } = input;
  const targets = keepTargets(input.targets);
  const results = input.results ?? keepResults(report.results);
  return {
    send_id: input.sendId,
    time: new Date(input.startedAt).toISOString(),
    duration_ms: Math.max(0, Math.round(input.finishedAt - input.startedAt)),
    protocol: input.protocol,
    endpoint_host: endpointHost(input.endpoint),
    targets: targets.kept,
    ...(targets.omitted > 0 && { targets_omitted: targets.omitted }),
    options: buildOptions(input.message, input.options),
    message: {
      ...(input.message.data !== undefined && { data: input.message.data }),
      ...(input.message.notification !== undefined && {
        notification: input.message.notification,
      }),
    },
    ok: report.failure === 0,
    success: report.success,
    failure: report.failure,
    results: results.kept,
    ...(results.omitted > 0 && { results_omitted: results.omitted }),
  };
}

/** `host:port` of the URL; never the URL itself, which may hold user:password or a key. */
export function endpointHost(endpoint: string): string {
  try {
    return new URL(endpoint).host || 'unknown';
  } catch {
    return 'unknown';
  }
}

function buildOptions(message: PushMessage, options: HistorySendOptions): HistoryOptions {
  const record: HistoryOptions = {
    dry_run: message.dryRun === true,
    retries: options.retries,
    timeout_ms: options.timeoutMs,
    concurrency: options.concurrency,
    collapse_key: message.collapseKey,
    ttl: message.ttl,
    priority: message.priority,
    content_available: message.contentAvailable === true ? true : undefined,
    restricted_package_name: message.restrictedPackageName,
    condition: options.condition,
    emulator: options.emulator === true ? true : undefined,
    project: options.project,
  };
  // Absent rather than undefined, so a reader of the log sees only what was set.
  for (const key of Object.keys(record) as Array<keyof HistoryOptions>) {
    if (record[key] === undefined) delete record[key];
  }
  return record;
}

function keepTargets(targets: Iterable<string> | TargetKeeper): TargetKeeper {
  if (targets instanceof TargetKeeper) return targets;
  const keeper = new TargetKeeper();
  for (const target of targets) keeper.note(target);
  return keeper;
}

function keepResults(results: Iterable<RecipientResult>): ResultKeeper {
  const keeper = new ResultKeeper();
  for (const result of results) keeper.note(result);
  return keeper;
}

/**
 * The targets of a record, fed one at a time: all of them, or none once past the bound, since
 * a partial list would make `send --again` go to the wrong set.
 */
export class TargetKeeper {
  private list: string[] | undefined = [];
  private count = 0;
  private chars = 0;

  note(target: string): void {
    this.count++;
    if (this.list === undefined) return;
    this.chars += target.length + 3;
    if (this.count > HISTORY_BOUNDS.targets || this.chars > HISTORY_BOUNDS.targetChars) {
      this.list = undefined;
    } else {
      this.list.push(target);
    }
  }

  /** The targets, or an empty list when there were too many. */
  get kept(): string[] {
    return this.list ?? [];
  }

  /** How many targets were given when there were too many to keep; else 0. */
  get omitted(): number {
    return this.list === undefined ? this.count : 0;
  }
}

/**
 * The results of a record, fed one at a time in send order: the first of each kind while
 * their count and size fit the bounds. Once one does not fit, no later one of that kind is
 * kept, so "the first N" stays true.
 */
export class ResultKeeper {
  private readonly list: HistoryResult[] = [];
  private readonly room = {
    failed: { count: HISTORY_BOUNDS.failedResults as number, chars: HISTORY_BOUNDS.failedChars },
    ok: { count: HISTORY_BOUNDS.okResults as number, chars: HISTORY_BOUNDS.okChars },
  };
  private seen = 0;

  note(result: RecipientResult): void {
    // LIMITATION: past 10,000 failures (fewer for long IDs) --failed-only resends only those kept.
    this.seen++;
    const budget = result.ok ? this.room.ok : this.room.failed;
    if (budget.count === 0) return;
    const entry = toHistoryResult(result);
    const chars = JSON.stringify(entry).length;
    if (chars > budget.chars) {
      budget.count = 0;
      return;
    }
    budget.count--;
    budget.chars -= chars;
    this.list.push(entry);
  }

  get kept(): HistoryResult[] {
    return this.list;
  }

  /** Results seen but not kept. */
  get omitted(): number {
    return this.seen - this.list.length;
  }
}

/** A `send --json` result with server text clipped: a 400 body repeated per ID adds up. */
function toHistoryResult(result: RecipientResult): HistoryResult {
  const entry = toJsonResult(result);
  if (entry.detail !== undefined && entry.detail.length > HISTORY_BOUNDS.detailChars) {
    entry.detail = `${entry.detail.slice(0, HISTORY_BOUNDS.detailChars - 1)}…`;
  }
  return entry;
}
