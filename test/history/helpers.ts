/** Shared pieces of the history tests: a private data folder and records built the real way. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { RecipientResult } from '../../src/engine/send.js';
import { appendHistory } from '../../src/history/log.js';
import type { HistoryInput, HistoryRecord } from '../../src/history/record.js';
import { buildHistoryRecord } from '../../src/history/record.js';
import type { Recipient } from '../../src/protocols/types.js';

export const PHONE = 'cXk2_9aB3dE:APA91bPhone';
export const TABLET = 'dYl3_0bC4eF:APA91bTablet';
export const RAW = `eAb4AbCdEfG:APA91b${'r'.repeat(60)}WXYZ`;

/** A fresh folder that does not exist yet, inside a fresh temp folder. */
export function tempDataDir(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'gcmpush-history-')), 'data');
}

/** A result for `target`; a name gets its registration ID from `ids`. */
export function result(
  index: number,
  target: string,
  outcome: Partial<RecipientResult> = {},
  ids: Record<string, string> = { phone: PHONE, tablet: TABLET },
): RecipientResult {
  const registrationId = ids[target] ?? target;
  const recipient: Recipient = {
    index,
    target,
    registrationId,
    kind: target.startsWith('/topics/') ? 'topic' : 'token',
    ...(ids[target] !== undefined && { name: target }),
  };
  const ok = outcome.error === undefined;
  return { recipient, ok, attempts: 1, ...(ok && { messageId: `0:${index}%test` }), ...outcome };
}

export function report(results: RecipientResult[]): HistoryInput['report'] {
  const success = results.filter((entry) => entry.ok).length;
  return { results, success, failure: results.length - success };
}

/** The input of a two-device send where the tablet is no longer registered. */
export function sampleInput(overrides: Partial<HistoryInput> = {}): HistoryInput {
  return {
    sendId: '0193a5f2-7c1e-7abc-8def-0123456789ab',
    startedAt: Date.UTC(2024, 4, 1, 14, 3, 22, 250),
    finishedAt: Date.UTC(2024, 4, 1, 14, 3, 23, 450),
    protocol: 'legacy',
    endpoint: 'https://fcm.googleapis.com/fcm/send',
    targets: ['phone', 'tablet'],
    message: { data: { msg: 'hi' }, notification: { title: 'Hello' }, dryRun: false },
    options: { retries: 5, timeoutMs: 60_000 },
    report: report([result(0, 'phone'), result(1, 'tablet', { error: 'NotRegistered' })]),
    ...overrides,
  };
}

/** Builds and appends one record per entry, oldest first; fails the test on a warning. */
export function recordSends(dir: string, inputs: Array<Partial<HistoryInput>>): HistoryRecord[] {
  return inputs.map((overrides) => {
    const record = buildHistoryRecord(sampleInput(overrides));
    const warning = appendHistory(record, { GCMPUSH_DATA_DIR: dir });
    if (warning !== undefined) throw new Error(warning);
    return record;
  });
}
