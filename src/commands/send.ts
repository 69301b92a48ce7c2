/** `gcmpush send`: checks every input first, then sends, renders and updates stored names. */
import type { ConfigStore } from '../config/store.js';
import { ExitCode, UsageError } from '../errors.js';
import type { RecipientResult, SendEvents, SendReport } from '../engine/send.js';
import { runSend } from '../engine/send.js';
import { createSendId } from '../engine/send-id.js';
import { resolveTargets } from '../engine/targets.js';
import { buildSendJson } from '../output/json.js';
import type { Io } from '../output/streams.js';
import { renderResults, renderSummary } from '../output/text.js';
import { formatRequest, formatResponse } from '../output/verbose.js';
import { createLegacyProtocol, DEFAULT_LEGACY_ENDPOINT } from '../protocols/gcm-legacy.js';
import type { Protocol, PushMessage, Recipient } from '../protocols/types.js';
import { createTransport } from '../transport/http.js';
import { resolveApiKey } from './key.js';
import type { SendFlags, SendLimits } from './send-input.js';
import {
  parseLimits,
  readCondition,
  readMessage,
  readTargets,
  resolveLegacyEndpoint,
} from './send-input.js';

export type { SendFlags } from './send-input.js';
export { toSendFlags } from './send-input.js';

/** Clock, sleep and randomness; tests replace them to run the back-off exactly. */
export interface SendDeps {
  store: ConfigStore;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

/** Which protocol carries the send, to where, with which credentials. */
export type SendRoute = { protocol: 'legacy'; endpoint: string; apiKey: string };

/** A send whose every input has been read and checked. */
export interface SendPlan {
  recipients: Recipient[];
  message: PushMessage;
  limits: SendLimits;
  route: SendRoute;
  /** Canonical IDs and --prune change the stored names; off against a throwaway emulator. */
  writeConfig: boolean;
}

/** Requests in flight at once for a legacy send, over one keep-alive pool. */
const LEGACY_CONCURRENCY = 4;

export async function runSendCommand(flags: SendFlags, io: Io, deps: SendDeps): Promise<number> {
  const limits = parseLimits(flags);
  const ids = deps.store.ids();
  const condition = readCondition(flags);
  const targets = condition === undefined ? await readTargets(flags, io, ids) : [];
  const toTopic = condition !== undefined || targets.some((target) => isTopic(target));
  const message = await readMessage(flags, io, toTopic);
  if (flags.emulator) {
    const { runSendOnEmulator } = await import('./send-emulator.js');
    return runSendOnEmulator({ flags, limits, targets, condition, message }, io, deps);
  }
  const recipients =
    condition === undefined ? resolveTargets(targets, ids) : [conditionRecipient(condition)];
  const route = chooseRoute(flags, io.env, deps.store);
  const plan: SendPlan = { recipients, message, limits, route, writeConfig: true };
  const { sendId, report } = await deliver(plan, flags, io, deps);
  printReport(sendId, report, flags, io, { protocol: route.protocol });
  if (isLegacyGoogleEndpoint(route.endpoint) && report.results.some(isNotFound)) {
    io.err('hint: Google shut the legacy HTTP API down in 2024; use an emulator endpoint\n');
  }
  return exitCodeFor(report);
}

export function isTopic(target: string): boolean {
  return target.startsWith('/topics/');
}

export function conditionRecipient(condition: string): Recipient {
  return { index: 0, target: condition, registrationId: condition, kind: 'condition' };
}

function chooseRoute(flags: SendFlags, env: NodeJS.ProcessEnv, store: ConfigStore): SendRoute {
  const endpoint = resolveLegacyEndpoint(
    flags.endpoint ?? env.GCMPUSH_ENDPOINT ?? DEFAULT_LEGACY_ENDPOINT,
  );
  const apiKey = resolveApiKey(store, env);
  if (apiKey === undefined) {
    throw new UsageError('no API key is set', 'run `gcmpush key set`, or set GCMPUSH_API_KEY');
  }
  return { protocol: 'legacy', endpoint, apiKey: apiKey.key };
}

/** Sends the plan, then applies canonical IDs and --prune to the stored names. */
export async function deliver(
  plan: SendPlan,
  flags: SendFlags,
  io: Io,
  deps: SendDeps,
): Promise<{ sendId: string; report: SendReport }> {
  const sendId = createSendId();
  const concurrency = plan.limits.concurrency ?? LEGACY_CONCURRENCY;
  const transport = await createTransport({ connections: concurrency });
  let report: SendReport;
  try {
    const protocol: Protocol = createLegacyProtocol({
      endpoint: plan.route.endpoint,
      apiKey: plan.route.apiKey,
      message: plan.message,
    });
    report = await runSend(
      plan.recipients,
      protocol,
      { retries: plan.limits.retries, timeoutMs: plan.limits.timeoutMs, concurrency },
      {
        transport,
        now: deps.now ?? Date.now,
        sleep: deps.sleep ?? ((ms) => new Promise((resolve) => setTimeout(resolve, ms))),
        random: deps.random ?? Math.random,
      },
      createEvents(flags, io),
    );
  } finally {
    await transport.close();
  }
  if (plan.writeConfig) {
    await applyCanonicalIds(report.results, deps.store, io);
    if (flags.prune) await pruneUnregistered(report.results, deps.store, io);
  }
  return { sendId, report };
}

function createEvents(flags: SendFlags, io: Io): SendEvents {
  const events: SendEvents = {
    retry(info) {
      const who =
        info.recipients.length === 1
          ? (info.recipients[0] as Recipient).target
          : `${info.recipients.length} recipients`;
      const seconds = (info.delayMs / 1000).toFixed(1);
      io.err(
        `retrying ${who} in ${seconds} s, ` +
          `attempt ${info.attempt} of ${info.maxAttempts} (${info.reason})
`,
      );
    },
  };
  if (flags.verbose) {
    events.request = (request) => io.err(formatRequest(request));
    events.response = (response, elapsedMs) => io.err(formatResponse(response, elapsedMs));
  }
  return events;
}

/** Canonical IDs replace the stored ID of the name they came from, if it has not changed since. */
async function applyCanonicalIds(results: RecipientResult[], store: ConfigStore, io: Io) {
  const updates = results.filter(
    (result) => result.canonicalId !== undefined && result.recipient.name,
  );
  if (updates.length === 0) return;
  const applied = await store.update((data) => {
    const ids = { ...data.ids };
    const done: string[] = [];
    for (const { recipient, canonicalId } of updates) {
      const name = recipient.name as string;
      if (ids[name] !== recipient.registrationId) continue;
      ids[name] = canonicalId as string;
      done.push(name);
    }
    data.ids = ids;
    return done;
  });
  for (const name of applied) io.err(`Updated ${name} to its canonical registration ID\n`);
}

/** `--prune`: stored names whose ID the service no longer knows are removed. */
async function pruneUnregistered(results: RecipientResult[], store: ConfigStore, io: Io) {
  const dead = results.filter(
    (result) =>
      result.recipient.name &&
      (result.error === 'NotRegistered' || result.error === 'InvalidRegistration'),
  );
  if (dead.length === 0) return;
  const removed = await store.update((data) => {
    const ids = { ...data.ids };
    const done: string[] = [];
    for (const { recipient, error } of dead) {
      const name = recipient.name as string;
      if (ids[name] !== recipient.registrationId) continue;
      delete ids[name];
      done.push(`${name} (${error})`);
    }
    data.ids = ids;
    return done;
  });
  if (removed.length > 0) io.err(`Pruned ${removed.join(', ')}\n`);
}

/** What the report says besides the results: the protocol, and fields a mode adds to --json. */
export interface ReportExtras {
  protocol: SendRoute['protocol'];
  json?: Record<string, unknown>;
}

export function printReport(
  sendId: string,
  report: SendReport,
  flags: SendFlags,
  io: Io,
  extras: ReportExtras,
) {
  if (flags.json) {
    const meta = { protocol: extras.protocol, dryRun: flags.dryRun };
    const document = { ...buildSendJson(sendId, report, meta), ...extras.json };
    io.out(`${JSON.stringify(document, null, 2)}\n`);
    return;
  }
  io.out(renderResults(report, { tty: io.stdoutIsTTY, color: io.colorOut }));
  // A pipe gets only the rows, one per recipient; the summary is for the person at a terminal.
  const summary = renderSummary(sendId, report, { dryRun: flags.dryRun });
  if (io.stdoutIsTTY) io.out(summary);
  else io.err(summary);
}

/** The first that applies: 3 key rejected, 4 no answer, 1 a recipient failed, 0 all accepted. */
export function exitCodeFor(report: SendReport): number {
  const errors = new Set(report.results.map((result) => result.error));
  if (errors.has('Unauthorized')) return ExitCode.auth;
  if (errors.has('Unreachable') || report.timedOut) return ExitCode.unreachable;
  if (report.results.some((result) => !result.ok)) return ExitCode.recipientFailed;
  return ExitCode.ok;
}

function isNotFound(result: RecipientResult): boolean {
  return result.error === 'Unreachable' && (result.detail ?? '').startsWith('HTTP 404');
}

function isLegacyGoogleEndpoint(endpoint: string): boolean {
  return /^https:\/\/(fcm|gcm-http|android)\.googleapis\.com\//.test(endpoint);
}
