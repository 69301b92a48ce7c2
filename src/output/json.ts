/** The `--json` document of a send: an exported shape built by a pure function. */
import type { RecipientResult, SendReport } from '../engine/send.js';

export interface SendJsonResult {
  target: string;
  registration_id: string;
  ok: boolean;
  message_id?: string;
  canonical_registration_id?: string;
  error?: string;
  detail?: string;
  status?: string;
  attempts: number;
}

export interface SendJson {
  send_id: string;
  ok: boolean;
  success: number;
  failure: number;
  canonical_ids: number;
  multicast_ids: string[];
  protocol: string;
  dry_run: boolean;
  results: SendJsonResult[];
}

/** One result; optional fields appear only when they have a value, `attempts` last. */
export function toJsonResult(result: RecipientResult): SendJsonResult {
  return {
    target: result.recipient.target,
    registration_id: result.recipient.registrationId,
    ok: result.ok,
    ...(result.messageId !== undefined && { message_id: result.messageId }),
    ...(result.canonicalId !== undefined && { canonical_registration_id: result.canonicalId }),
    ...(result.error !== undefined && { error: result.error }),
    ...(result.detail !== undefined && { detail: result.detail }),
    ...(result.status !== undefined && { status: result.status }),
    attempts: result.attempts,
  };
}

export function buildSendJson(
  sendId: string,
  report: SendReport,
  meta: { protocol: string; dryRun: boolean },
): SendJson {
  return {
    ...buildSummaryFields(sendId, report, meta),
    results: report.results.map(toJsonResult),
  };
}

/** The fields of a send's JSON besides its results; also the last line of `--ndjson`. */
export function buildSummaryFields(
  sendId: string,
  report: Omit<SendReport, 'results'>,
  meta: { protocol: string; dryRun: boolean },
): Omit<SendJson, 'results'> {
  return {
    send_id: sendId,
    ok: report.failure === 0,
    success: report.success,
    failure: report.failure,
    canonical_ids: report.canonicalIds,
    multicast_ids: report.multicastIds,
    protocol: meta.protocol,
    dry_run: meta.dryRun,
  };
}
