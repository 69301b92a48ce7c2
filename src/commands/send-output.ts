/**
 * How a send's results reach stdout: a table (rows in target order as they become final), one
 * JSON document at the end, or one JSON line per recipient as each is final plus a summary.
 * Whatever the form, diagnostics go to stderr and the exit code follows the same rules.
 */
import { ExitCode, UsageError } from '../errors.js';
import type { RecipientResult, SendReport } from '../engine/send.js';
import { buildSendJson, buildSummaryFields } from '../output/json.js';
import type { Io } from '../output/streams.js';
import { renderSummary, ResultTable } from '../output/text.js';
import type { SendFlags } from './send-input.js';

export interface SendOutput {
  /** Results in target order; the engine must keep them when `keepResults` is true. */
  ordered: boolean;
  keepResults: boolean;
  onResult(result: RecipientResult): void;
  /** Prints what comes after the results; `json` adds fields to the --json document. */
  finish(sendId: string, report: SendReport, json?: Record<string, unknown>): void;
}

export interface OutputMeta {
  protocol: 'legacy' | 'v1';
  dryRun: boolean;
}

export function createSendOutput(flags: SendFlags, io: Io, meta: OutputMeta): SendOutput {
  if (flags.json && flags.ndjson) throw new UsageError('--json and --ndjson cannot be combined');
  if (flags.json) return jsonOutput(io, meta);
  if (flags.ndjson) return ndjsonOutput(io, meta);
  return tableOutput(io, meta);
}

/** One document, so every result is kept until the end. */
function jsonOutput(io: Io, meta: OutputMeta): SendOutput {
  return {
    ordered: false,
    keepResults: true,
    onResult: () => {},
    finish(sendId, report, json) {
      const document = { ...buildSendJson(sendId, report, meta), ...json };
      io.out(`${JSON.stringify(document, null, 2)}\n`);
    },
  };
}

/** A line per recipient as it becomes final, then a summary line; nothing is held. */
function ndjsonOutput(io: Io, meta: OutputMeta): SendOutput {
  let pending = '';
  const flush = () => {
    if (pending !== '') io.out(pending);
    pending = '';
  };
  return {
    ordered: false,
    keepResults: false,
    onResult(result) {
      pending += ndjsonLine(result);
      if (pending.length >= 64 * 1024) flush();
    },
    finish(sendId, report, json) {
      flush();
      const summary = { type: 'summary', ...buildSummaryFields(sendId, report, meta), ...json };
      io.out(`${JSON.stringify(summary)}\n`);
    },
  };
}

/**
 * `{"type":"result", ...toJsonResult(result)}` as one line, written out field by field: a
 * million results through object spreads and a generic stringify make garbage enough to grow
 * the heap by tens of megabytes.
 */
export function ndjsonLine(result: RecipientResult): string {
  const text = JSON.stringify;
  const { recipient } = result;
  let line =
    `{"type":"result","target":${text(recipient.target)},` +
    `"registration_id":${text(recipient.registrationId)},"ok":${result.ok}`;
  if (result.messageId !== undefined) line += `,"message_id":${text(result.messageId)}`;
  if (result.canonicalId !== undefined) {
    line += `,"canonical_registration_id":${text(result.canonicalId)}`;
  }
  if (result.error !== undefined) line += `,"error":${text(result.error)}`;
  if (result.detail !== undefined) line += `,"detail":${text(result.detail)}`;
  if (result.status !== undefined) line += `,"status":${text(result.status)}`;
  return `${line},"attempts":${text(result.attempts)}}\n`;
}

/** Rows in target order; the summary is for the person at a terminal, so a pipe gets rows only. */
function tableOutput(io: Io, meta: OutputMeta): SendOutput {
  const table = new ResultTable(io.out, { tty: io.stdoutIsTTY, color: io.colorOut });
  return {
    ordered: true,
    keepResults: false,
    onResult: (result) => table.add(result),
    finish(sendId, report) {
      table.end();
      const summary = renderSummary(sendId, report, { dryRun: meta.dryRun });
      if (io.stdoutIsTTY) io.out(summary);
      else io.err(summary);
    },
  };
}

/**
 * The first that applies: 130 interrupted, 3 credentials rejected, 4 no answer, 1 a recipient
 * failed, 0 all accepted.
 */
export function exitCodeFor(report: SendReport): number {
  if (report.interrupted) return ExitCode.interrupted;
  if (report.errors.has('Unauthorized')) return ExitCode.auth;
  if (report.errors.has('Unreachable') || report.timedOut) return ExitCode.unreachable;
  if (report.failure > 0) return ExitCode.recipientFailed;
  return ExitCode.ok;
}
