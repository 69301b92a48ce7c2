/**
 * `gcmpush history` and `history show`: recent sends from the history log, and what
 * `send --again` needs to repeat one of them.
 */
import { Chalk } from 'chalk';
import type { RecipientResult } from '../engine/send.js';
import { checkPayload } from '../engine/payload.js';
import { looksLikeRegistrationId } from '../engine/targets.js';
import { UsageError } from '../errors.js';
import { findRecord, historyEnabled, readHistory, shortenSendIds } from '../history/log.js';
import type { HistoryRead } from '../history/log.js';
import type { HistoryRecord, HistoryResult } from '../history/record.js';
import { shortenId } from '../output/mask.js';
import type { Io } from '../output/streams.js';
import { formatTable } from '../output/table.js';
import { renderResults } from '../output/text.js';
import type { PushMessage } from '../protocols/types.js';
import type { SendLimits } from './send-input.js';

/** The flags of `history` as commander hands them over. */
export interface HistoryListFlags {
  /** `-n`: how many sends, a whole number from 1; 20 when not given. */
  limit?: string;
  json: boolean;
}

const DEFAULT_LIMIT = 20;
const LIST_HEADER = ['SEND ID', 'TIME', 'PROTOCOL', 'TARGETS', 'OK', 'FAILED'];

export function runHistoryList(flags: HistoryListFlags, io: Io): void {
  const limit = parseLimit(flags.limit);
  const history = readHistory(io.env);
  warnSkipped(history, io);
  const records = history.records.slice(0, limit);
  if (flags.json) {
    io.out(`${JSON.stringify(records, null, 2)}\n`);
    return;
  }
  if (records.length === 0) {
    const off = historyEnabled(io.env) ? '' : '; recording is off (GCMPUSH_NO_HISTORY)';
    io.err(`No sends recorded yet in ${history.dir}${off}\n`);
    return;
  }
  io.out(renderList(records, history.records, io));
}

/** The table; `all` is every record, so each short ID is unique across the whole history. */
function renderList(records: HistoryRecord[], all: HistoryRecord[], io: Io): string {
  // A terminal gets IDs just long enough to tell apart; a pipe gets them whole.
  const short = shortenSendIds(all.map((record) => record.send_id));
  const tty = io.stdoutIsTTY;
  const chalk = new Chalk({ level: io.colorOut ? 1 : 0 });
  const rows = records.map((record) => [
    tty ? (short.get(record.send_id) ?? record.send_id) : record.send_id,
    formatTime(record.time, tty),
    describeRoute(record),
    describeTargets(record, tty),
    String(record.success),
    String(record.failure),
  ]);
  const paint = (row: number, column: number, text: string) =>
    column === 5 && (records[row]?.failure ?? 0) > 0 ? chalk.red(text) : text;
  return formatTable(LIST_HEADER, rows, { tty, paint });
}

export function runHistoryShow(sendId: string, flags: { json: boolean }, io: Io): void {
  const history = readHistory(io.env);
  warnSkipped(history, io);
  const record = requireRecord(history, sendId);
  if (flags.json) {
    io.out(`${JSON.stringify(record, null, 2)}\n`);
    return;
  }
  // As with `send`, a pipe gets only the rows; the description is for the person at a terminal.
  const describe = io.stdoutIsTTY ? io.out : io.err;
  describe(describeSend(record));
  const results = record.results.map((entry, index) =>
    toRecipientResult(entry, index, record.options.condition),
  );
  io.out(renderResults(results, { tty: io.stdoutIsTTY, color: io.colorOut }));
  describe(summarize(record));
}

/** What `send --again` reuses from a recorded send. */
export interface RecalledSend {
  /** The whole send ID of the record, also when a prefix was given. */
  sendId: string;
  /** Targets as given, to resolve against the current names; empty for a condition send. */
  targets: string[];
  condition?: string;
  message: PushMessage;
  limits: SendLimits;
  protocol: string;
  /** Host and port the send went to; the URL itself was not kept. */
  endpointHost: string;
  emulator: boolean;
  project?: string;
  /** One-line notes for stderr, such as failures that were too many to keep. */
  warnings: string[];
}

/**
 * The send to repeat: all its targets as given, or with `failedOnly` those that failed. Throws
 * a UsageError (exit 2) for an unknown ID, a record without its targets, or nothing to resend.
 */
export function recallSend(
  sendId: string,
  options: { failedOnly: boolean },
  env: NodeJS.ProcessEnv = process.env,
): RecalledSend {
  const history = readHistory(env);
  const record = requireRecord(history, sendId);
  const warnings = history.skipped > 0 ? [skippedWarning(history)] : [];
  const condition = record.options.condition;
  const targets = options.failedOnly ? failedTargets(record, warnings) : givenTargets(record);
  const message = recallMessage(record);
  const toTopic =
    condition !== undefined || targets.some((target) => target.startsWith('/topics/'));
  checkPayload(message.data, message.notification, toTopic);
  return {
    sendId: record.send_id,
    targets: condition === undefined ? targets : [],
    ...(condition !== undefined && { condition }),
    message,
    limits: recallLimits(record),
    protocol: record.protocol,
    endpointHost: record.endpoint_host,
    emulator: record.options.emulator === true,
    ...(record.options.project !== undefined && { project: record.options.project }),
    warnings,
  };
}

function parseLimit(text: string | undefined): number {
  if (text === undefined) return DEFAULT_LIMIT;
  if (!/^\d+$/.test(text) || Number(text) < 1) {
    throw new UsageError(`invalid -n ${JSON.stringify(text)}`, 'use a whole number from 1');
  }
  return Number(text);
}

function requireRecord(history: HistoryRead, sendId: string): HistoryRecord {
  const record = findRecord(history.records, sendId);
  if (record !== undefined) return record;
  throw new UsageError(
    `no send ${sendId} in the history`,
    'list the recent sends and their IDs with `gcmpush history`',
  );
}

function givenTargets(record: HistoryRecord): string[] {
  if (record.targets_omitted !== undefined) {
    throw new UsageError(
      `send ${record.send_id} went to ${record.targets_omitted} targets, ` +
        'too many to keep in the history',
      `resend to the failed ones with --again ${record.send_id} --failed-only, ` +
        'or give the targets again',
    );
  }
  if (record.targets.length === 0 && record.options.condition === undefined) {
    throw new UsageError(`send ${record.send_id} has no targets in the history`);
  }
  return record.targets;
}

function failedTargets(record: HistoryRecord, warnings: string[]): string[] {
  if (record.failure === 0) {
    throw new UsageError(`nothing to resend: every recipient of ${record.send_id} accepted`);
  }
  const failed = record.results.filter((result) => !result.ok).map((result) => result.target);
  if (failed.length === 0) {
    throw new UsageError(
      `the ${record.failure} failed recipients of ${record.send_id} were too many to keep ` +
        'in the history',
      'give the targets again with --to or --to-file',
    );
  }
  if (failed.length < record.failure) {
    warnings.push(
      `warning: the history kept ${failed.length} of the ${record.failure} failed recipients ` +
        `of ${record.send_id}; resending to those only`,
    );
  }
  return failed;
}

/** The message as sent. A hand-edited record may hold anything: keep values of the right type. */
function recallMessage(record: HistoryRecord): PushMessage {
  const { options, message: sent } = record;
  const message: PushMessage = {
    data: objectOrUndefined(sent.data),
    notification: objectOrUndefined(sent.notification),
    dryRun: options.dry_run === true,
  };
  if (typeof options.collapse_key === 'string') message.collapseKey = options.collapse_key;
  if (typeof options.ttl === 'number') message.ttl = options.ttl;
  if (options.priority === 'high' || options.priority === 'normal') {
    message.priority = options.priority;
  }
  if (options.content_available === true) message.contentAvailable = true;
  if (typeof options.restricted_package_name === 'string') {
    message.restrictedPackageName = options.restricted_package_name;
  }
  return message;
}

function recallLimits(record: HistoryRecord): SendLimits {
  const { retries, timeout_ms: timeoutMs, concurrency } = record.options;
  const limits: SendLimits = {
    retries: Number.isSafeInteger(retries) && retries >= 0 ? retries : 5,
    timeoutMs: typeof timeoutMs === 'number' && timeoutMs > 0 ? timeoutMs : 60_000,
  };
  if (typeof concurrency === 'number' && Number.isSafeInteger(concurrency) && concurrency > 0) {
    limits.concurrency = concurrency;
  }
  return limits;
}

function objectOrUndefined(value: unknown): Record<string, unknown> | undefined {
  const isObject = typeof value === 'object' && value !== null && !Array.isArray(value);
  return isObject ? (value as Record<string, unknown>) : undefined;
}

/** A recorded result in the engine's shape, so `history show` looks like `send`. */
function toRecipientResult(
  entry: HistoryResult,
  index: number,
  condition: string | undefined,
): RecipientResult {
  const kind =
    condition !== undefined ? 'condition' : entry.target.startsWith('/topics/') ? 'topic' : 'token';
  // A stored name differs from its registration ID; a raw ID was typed as itself.
  const name =
    kind === 'token' && entry.target !== entry.registration_id ? entry.target : undefined;
  return {
    recipient: { index, target: entry.target, registrationId: entry.registration_id, kind, name },
    ok: entry.ok,
    messageId: entry.message_id,
    canonicalId: entry.canonical_registration_id,
    error: entry.error,
    detail: entry.detail,
    status: entry.status,
    attempts: typeof entry.attempts === 'number' ? entry.attempts : 0,
  };
}

/** `send 0193…: legacy to fcm.googleapis.com, 2024-05-01 14:03:22, 1.2 s`, options, payload. */
function describeSend(record: HistoryRecord): string {
  const seconds = (record.duration_ms / 1000).toFixed(1);
  const lines = [
    `send ${record.send_id}: ${describeRoute(record)} to ${record.endpoint_host}, ` +
      `${formatTime(record.time, true)}, ${seconds} s`,
    `options: ${describeOptions(record.options).join(', ')}`,
  ];
  if (record.message.data !== undefined) lines.push(`data: ${JSON.stringify(record.message.data)}`);
  if (record.message.notification !== undefined) {
    lines.push(`notification: ${JSON.stringify(record.message.notification)}`);
  }
  return `${lines.join('\n')}\n\n`;
}

function describeOptions(options: HistoryRecord['options']): string[] {
  const parts = [`retries ${options.retries}`, `timeout ${options.timeout_ms / 1000} s`];
  if (options.concurrency !== undefined) parts.push(`concurrency ${options.concurrency}`);
  if (options.collapse_key !== undefined) parts.push(`collapse key ${options.collapse_key}`);
  if (options.ttl !== undefined) parts.push(`ttl ${options.ttl} s`);
  if (options.priority !== undefined) parts.push(`priority ${options.priority}`);
  if (options.content_available) parts.push('content available');
  if (options.restricted_package_name !== undefined) {
    parts.push(`restricted to ${options.restricted_package_name}`);
  }
  if (options.project !== undefined) parts.push(`project ${options.project}`);
  return parts;
}

/** `3 recipients, 2 ok, 1 failed`, and how many results the record left out. */
function summarize(record: HistoryRecord): string {
  const total = record.success + record.failure;
  const omitted = record.results_omitted ?? 0;
  const kept = omitted > 0 ? `; ${omitted} of the results were too many to keep` : '';
  return (
    `${total} recipient${total === 1 ? '' : 's'}, ${record.success} ok, ` +
    `${record.failure} failed${kept}\n`
  );
}

/** The protocol, and the modes that make a send unlike a real delivery. */
function describeRoute(record: HistoryRecord): string {
  const modes = [
    record.options.dry_run ? 'dry run' : '',
    record.options.emulator ? 'emulator' : '',
  ];
  return [record.protocol, ...modes.filter((mode) => mode !== '')].join(', ');
}

/** The condition, or the first few targets; raw IDs shortened on a terminal. */
function describeTargets(record: HistoryRecord, tty: boolean): string {
  if (record.options.condition !== undefined) return flatten(record.options.condition);
  if (record.targets_omitted !== undefined) return `${record.targets_omitted} targets`;
  const shown = record.targets
    .slice(0, 3)
    .map((target) => (tty && looksLikeRegistrationId(target) ? shortenId(target, 24) : target));
  const more = record.targets.length - shown.length;
  return flatten(shown.join(', ') + (more > 0 ? `, +${more} more` : ''));
}

/** Local `2024-05-01 14:03:22` for a person; the stored ISO 8601 UTC time for a pipe. */
function formatTime(iso: string, tty: boolean): string {
  const date = new Date(iso);
  if (!tty || Number.isNaN(date.getTime())) return iso;
  const two = (value: number) => String(value).padStart(2, '0');
  const day = `${date.getFullYear()}-${two(date.getMonth() + 1)}-${two(date.getDate())}`;
  return `${day} ${two(date.getHours())}:${two(date.getMinutes())}:${two(date.getSeconds())}`;
}

/** A row must stay one line of tab-separated fields. */
function flatten(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}

function warnSkipped(history: HistoryRead, io: Io) {
  if (history.skipped > 0) io.err(`${skippedWarning(history)}\n`);
}

function skippedWarning(history: HistoryRead): string {
  const lines = history.skipped === 1 ? 'line' : 'lines';
  return (
    `warning: skipped ${history.skipped} unreadable ${lines} of the send history ` +
    `in ${history.dir}`
  );
}
