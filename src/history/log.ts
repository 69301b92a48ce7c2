/**
 * The history log: one JSON line per send in the data folder, rotated at a size bound so at
 * most about two bounds are on disk. Writing never fails a send; reading skips what it cannot
 * parse instead of refusing the whole log.
 */
import {
  closeSync,
  fchmodSync,
  fstatSync,
  mkdirSync,
  openSync,
  readFileSync,
  renameSync,
  statSync,
  writeSync,
} from 'node:fs';
import { ConfigError, UsageError } from '../errors.js';
import { dataDir, historyFiles } from './paths.js';
import type { HistoryRecord } from './record.js';

/** Past this size the log is rotated before the next line is written. */
export const MAX_LOG_BYTES = 4 * 1024 * 1024;

/** Off with the `--no-history` flag, or with GCMPUSH_NO_HISTORY set to `1` or `true`. */
export function historyEnabled(env: NodeJS.ProcessEnv, noHistoryFlag = false): boolean {
  if (noHistoryFlag) return false;
  const value = (env.GCMPUSH_NO_HISTORY ?? '').trim().toLowerCase();
  return value !== '1' && value !== 'true';
}

/**
 * Appends one record as one line. Never throws: a folder that cannot be written must not fail
 * a send, so the problem comes back as a one-line warning for stderr; undefined when written.
 */
export function appendHistory(
  record: HistoryRecord,
  env: NodeJS.ProcessEnv = process.env,
  maxBytes: number = MAX_LOG_BYTES,
): string | undefined {
  const dir = dataDir(env);
  try {
    // The log names devices and holds payloads: keep it private to the user.
    mkdirSync(dir, { recursive: true, mode: 0o700 });
    appendLine(historyFiles(dir), Buffer.from(`${JSON.stringify(record)}\n`), maxBytes);
    return undefined;
  } catch (error) {
    return (
      `warning: send ${record.send_id} was not recorded in the history in ${dir}: ` +
      `${(error as Error).message} (--no-history or GCMPUSH_NO_HISTORY=1 turn recording off)`
    );
  }
}

/**
 * One `write` on a descriptor opened with O_APPEND: the kernel puts each write at the end in
 * one piece, so lines from parallel gcmpush processes never interleave.
 */
function appendLine(files: { rotated: string; current: string }, line: Buffer, maxBytes: number) {
  const fd = openForAppend(files, line.length, maxBytes);
  try {
    const written = writeSync(fd, line);
    if (written !== line.length) {
      throw new Error(`only ${written} of ${line.length} bytes were written`);
    }
  } finally {
    closeSync(fd);
  }
}

function openForAppend(
  files: { rotated: string; current: string },
  size: number,
  maxBytes: number,
): number {
  const fd = openPrivate(files.current);
  const { size: current, ino } = fstatSync(fd);
  if (current === 0 || current + size <= maxBytes) return fd;
  closeSync(fd);
  rotate(files, ino);
  return openPrivate(files.current);
}

/** Renames the log only if it is still the file that was measured, not one begun meanwhile. */
function rotate(files: { rotated: string; current: string }, measured: number) {
  // LIMITATION: no lock, so two processes rotating at the same instant may lose a rotated file.
  try {
    if (statSync(files.current).ino === measured) renameSync(files.current, files.rotated);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

/** Opens for appending, created 0600; a log made by hand with looser modes is tightened. */
function openPrivate(file: string): number {
  const fd = openSync(file, 'a', 0o600);
  try {
    if (process.platform !== 'win32' && (fstatSync(fd).mode & 0o777) !== 0o600) {
      fchmodSync(fd, 0o600);
    }
    return fd;
  } catch (error) {
    closeSync(fd);
    throw error;
  }
}

/** The whole history, newest first, and how many lines were not records. */
export interface HistoryRead {
  records: HistoryRecord[];
  /** Lines skipped: cut short by a crash, edited by hand, or not a send record. */
  skipped: number;
  dir: string;
}

/** Reads both log files; "newest" is the order sends finished and were appended in. */
export function readHistory(env: NodeJS.ProcessEnv = process.env): HistoryRead {
  const dir = dataDir(env);
  const files = historyFiles(dir);
  const records: HistoryRecord[] = [];
  let skipped = 0;
  for (const file of [files.rotated, files.current]) {
    for (const line of readLines(file)) {
      const record = parseRecord(line);
      if (record === undefined) skipped++;
      else records.push(record);
    }
  }
  return { records: records.reverse(), skipped, dir };
}

function readLines(file: string): string[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw new ConfigError(
      `cannot read the send history ${file}: ${(error as Error).message}`,
      'check the file permissions, or point GCMPUSH_DATA_DIR at another folder',
      error,
    );
  }
  return text.split('\n').filter((line) => line.trim() !== '');
}

function parseRecord(line: string): HistoryRecord | undefined {
  try {
    const value: unknown = JSON.parse(line);
    return isHistoryRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/** Enough of the shape that listing, showing and resending cannot trip over a record. */
function isHistoryRecord(value: unknown): value is HistoryRecord {
  if (!isObject(value)) return false;
  const { send_id, time, targets, options, message, results, success, failure } = value;
  return (
    typeof send_id === 'string' &&
    send_id !== '' &&
    typeof time === 'string' &&
    typeof success === 'number' &&
    typeof failure === 'number' &&
    isObject(options) &&
    isObject(message) &&
    Array.isArray(targets) &&
    targets.every((target) => typeof target === 'string') &&
    Array.isArray(results) &&
    results.every(
      (result) =>
        isObject(result) &&
        typeof result.target === 'string' &&
        typeof result.registration_id === 'string' &&
        typeof result.ok === 'boolean',
    )
  );
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

const MIN_PREFIX = 4;

/**
 * The record with this send ID, or with the one ID this prefix starts (as git takes short
 * hashes); undefined when none matches. An ambiguous prefix is a UsageError naming the matches.
 */
export function findRecord(records: HistoryRecord[], query: string): HistoryRecord | undefined {
  const wanted = query.trim().toLowerCase();
  const exact = records.find((record) => record.send_id.toLowerCase() === wanted);
  if (exact !== undefined) return exact;
  if (wanted.length < MIN_PREFIX) {
    throw new UsageError(
      `send ID ${JSON.stringify(query)} is too short`,
      `give at least ${MIN_PREFIX} characters of it, as \`gcmpush history\` shows them`,
    );
  }
  const matches = [
    ...new Set(
      records.map((record) => record.send_id).filter((id) => id.toLowerCase().startsWith(wanted)),
    ),
  ];
  if (matches.length > 1) {
    const listed = matches.slice(0, 5).join(', ');
    const more = matches.length > 5 ? ` and ${matches.length - 5} more` : '';
    throw new UsageError(
      `send ID ${query} is ambiguous: it starts ${listed}${more}`,
      'give more characters of the send ID',
    );
  }
  return matches.length === 1 ? records.find((record) => record.send_id === matches[0]) : undefined;
}

/**
 * The shortest prefix of each ID, at least `min` characters, that no other ID shares. Send IDs
 * are UUIDv7 and begin with the time, so sends a minute apart share their first 8 characters.
 */
export function shortenSendIds(ids: string[], min = 8): Map<string, string> {
  const sorted = [...new Set(ids)].sort();
  const short = new Map<string, string>();
  sorted.forEach((id, index) => {
    const shared = Math.max(
      commonPrefix(id, sorted[index - 1] ?? ''),
      commonPrefix(id, sorted[index + 1] ?? ''),
    );
    short.set(id, id.slice(0, Math.max(min, shared + 1)));
  });
  return short;
}

function commonPrefix(a: string, b: string): number {
  let length = 0;
  while (length < a.length && a[length] === b[length]) length++;
  return length;
}
