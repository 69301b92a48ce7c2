/** The human view of a send: one row per recipient, then a summary line. */
import { Chalk } from 'chalk';
import type { RecipientResult, SendReport } from '../engine/send.js';
import { shortenId } from './mask.js';
import { formatTable } from './table.js';

export interface TextOptions {
  /** Aligned columns, symbols and shortened IDs; otherwise tab-separated whole values. */
  tty: boolean;
  color: boolean;
}

const HEADER = ['TARGET', 'STATUS', 'MESSAGE ID / ERROR', 'CANONICAL', 'ATTEMPTS'];

export function renderResults(report: SendReport, options: TextOptions): string {
  const chalk = new Chalk({ level: options.color ? 1 : 0 });
  const rows = report.results.map((result) => formatRow(result, options.tty));
  const paint = (row: number, column: number, text: string) => {
    const result = report.results[row];
    if (column !== 1 || result === undefined) return text;
    return result.ok ? chalk.green(text) : chalk.red(text);
  };
  return formatTable(HEADER, rows, { tty: options.tty, paint });
}

function formatRow(result: RecipientResult, tty: boolean): string[] {
  const { recipient } = result;
  // Raw registration IDs are shortened on a terminal; names, topics and conditions are not.
  const shorten = tty && recipient.name === undefined && recipient.kind === 'token';
  const target = shorten ? shortenId(recipient.target, 24) : recipient.target;
  const status = tty ? (result.ok ? '✓ ok' : '✗ failed') : result.ok ? 'ok' : 'failed';
  const outcome = result.ok
    ? (result.messageId ?? '')
    : `${result.error ?? 'failed'}${result.detail ? ` (${result.detail})` : ''}`;
  const canonical =
    result.canonicalId === undefined
      ? '-'
      : describeCanonical(recipient.name, result.canonicalId, tty);
  return [target, status, flattenWhitespace(outcome), canonical, String(result.attempts)];
}

/** Server text may hold tabs and newlines; a row must stay one line of tab-separated fields. */
function flattenWhitespace(text: string): string {
  return text.replace(/[\t\r\n]+/g, ' ');
}

/** `phone updated to cXk2…` for a stored name; just the new ID for a raw one. */
function describeCanonical(name: string | undefined, canonicalId: string, tty: boolean): string {
  const id = tty ? shortenId(canonicalId, 24) : canonicalId;
  return name === undefined ? id : `${name} updated to ${id}`;
}

/** `send 0193…: 3 recipients, 2 ok, 1 failed, 1 canonical ID` */
export function renderSummary(
  sendId: string,
  report: SendReport,
  options: { dryRun: boolean },
): string {
  const ok = report.results.filter((result) => result.ok).length;
  const failed = report.results.length - ok;
  const canonical = report.results.filter((result) => result.canonicalId !== undefined).length;
  const parts = [
    `${report.results.length} recipient${report.results.length === 1 ? '' : 's'}`,
    `${ok} ok`,
    `${failed} failed`,
  ];
  if (canonical > 0) parts.push(`${canonical} canonical ID${canonical === 1 ? '' : 's'}`);
  if (options.dryRun) parts.push('dry run: nothing delivered');
  return `send ${sendId}: ${parts.join(', ')}\n`;
}
