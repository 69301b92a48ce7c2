/** The human view of a send: one row per recipient, then a summary line. */
import { Chalk, type ChalkInstance } from 'chalk';
import type { RecipientResult } from '../engine/send.js';
import { shortenId } from './mask.js';
import { formatTable, measureColumns } from './table.js';

export interface TextOptions {
  /** Aligned columns, symbols and shortened IDs; otherwise tab-separated whole values. */
  tty: boolean;
  color: boolean;
}

const HEADER = ['TARGET', 'STATUS', 'MESSAGE ID / ERROR', 'CANONICAL', 'ATTEMPTS'];

/** The whole table of a finished send at once. */
export function renderResults(results: RecipientResult[], options: TextOptions): string {
  let text = '';
  const table = new ResultTable((chunk) => (text += chunk), options);
  results.forEach((result) => table.add(result));
  table.end();
  return text;
}

/**
 * Writes result rows as they come, so a million of them never sit in memory. A pipe gets each
 * row as it is; a terminal gets rows in blocks, aligned to the widths of the first block.
 */
export class ResultTable {
  private readonly chalk: ChalkInstance;
  private rows: RecipientResult[] = [];
  private widths: number[] | undefined;
  private pending = '';

  constructor(
    private readonly write: (text: string) => void,
    private readonly options: TextOptions,
    private readonly blockSize = 1000,
  ) {
    this.chalk = new Chalk({ level: options.color ? 1 : 0 });
  }

  add(result: RecipientResult): void {
    if (!this.options.tty) {
      this.pending += `${formatRow(result, false).join('\t')}\n`;
      if (this.pending.length >= 64 * 1024) this.flushText();
      return;
    }
    this.rows.push(result);
    if (this.rows.length >= this.blockSize) this.flushRows();
  }

  end(): void {
    if (this.options.tty) this.flushRows();
    else this.flushText();
  }

  private flushText() {
    if (this.pending !== '') this.write(this.pending);
    this.pending = '';
  }

  private flushRows() {
    if (this.rows.length === 0) return;
    const results = this.rows;
    const cells = results.map((result) => formatRow(result, true));
    const first = this.widths === undefined;
    this.widths ??= measureColumns(HEADER, cells);
    const paint = (row: number, column: number, text: string) => {
      if (column !== 1) return text;
      return results[row]?.ok ? this.chalk.green(text) : this.chalk.red(text);
    };
    this.write(
      formatTable(HEADER, cells, { tty: true, paint, widths: this.widths, noHeader: !first }),
    );
    this.rows = [];
  }
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
  totals: { total: number; success: number; failure: number; canonicalIds: number },
  options: { dryRun: boolean },
): string {
  const parts = [
    `${totals.total} recipient${totals.total === 1 ? '' : 's'}`,
    `${totals.success} ok`,
    `${totals.failure} failed`,
  ];
  const canonical = totals.canonicalIds;
  if (canonical > 0) parts.push(`${canonical} canonical ID${canonical === 1 ? '' : 's'}`);
  if (options.dryRun) parts.push('dry run: nothing delivered');
  return `send ${sendId}: ${parts.join(', ')}\n`;
}
