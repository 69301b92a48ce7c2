/**
 * `gcmpush send`: checks every input first, so one bad input sends nothing; then streams the
 * recipients through the engine, prints each result, and updates the stored names.
 */
import type { ConfigStore } from '../config/store.js';
import { UsageError } from '../errors.js';
import type { RecipientResult, SendEvents, SendReport } from '../engine/send.js';
import { runSend } from '../engine/send.js';
import { createSendId } from '../engine/send-id.js';
import type { ChunkedTargets } from '../engine/targets.js';
import { checkTargets, chunkedTargets, KeptTargets, streamRecipients } from '../engine/targets.js';
import { appendHistory, historyEnabled } from '../history/log.js';
import { buildHistoryRecord, ResultKeeper, TargetKeeper } from '../history/record.js';
import { DEFAULT_V1_ORIGIN } from '../protocols/fcm-v1.js';
import { SendProgress, wantsProgress } from '../output/progress.js';
import { createRetryNotices, type RetryNotices } from '../output/retry-notices.js';
import type { Io } from '../output/streams.js';
import { formatRequest, formatResponse } from '../output/verbose.js';
import type { PushMessage, Recipient } from '../protocols/types.js';
import { createTransport } from '../transport/http.js';
import type { SendFlags, SendLimits, TargetSource } from './send-input.js';
import { listSource, openTargets, parseLimits, readCondition, readMessage } from './send-input.js';
import { createSendOutput, exitCodeFor } from './send-output.js';
import type { SendRoute } from './send-route.js';
import { chooseRoute, createProtocol, DEFAULT_CONCURRENCY, describeRoute } from './send-route.js';
import { NameChanges } from './send-store.js';

export type { SendFlags } from './send-input.js';
export { toSendFlags } from './send-input.js';
export type { SendRoute } from './send-route.js';

/** Clock, sleep, randomness and Ctrl-C; tests replace them to run the back-off exactly. */
export interface SendDeps {
  store: ConfigStore;
  now?: () => number;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Aborted when the user interrupts: the send stops at once and reports what it has. */
  signal?: AbortSignal;
}

/** A send whose every input has been read and checked. */
export interface SendPlan {
  recipients: Iterable<Recipient> | AsyncIterable<Recipient>;
  /** How many recipients, for the progress bar; default: the array's length, else no bar. */
  total?: number;
  message: PushMessage;
  limits: SendLimits;
  route: SendRoute;
  /** Canonical IDs and --prune change the stored names; off against a throwaway emulator. */
  writeConfig: boolean;
  /** What the history records of the targets: as given, noted while they are read. */
  history: { targets: TargetKeeper; condition?: string };
}

export async function runSendCommand(flags: SendFlags, io: Io, deps: SendDeps): Promise<number> {
  const ids = deps.store.ids();
  const input =
    flags.again === undefined ? await readSendInput(flags, io, ids) : await recallInput(flags, io);
  const { source, condition, limits } = input;
  const given = new TargetKeeper();
  try {
    if (input.emulator) {
      // Names not stored yet are fine here: the emulator gives each a device of its own.
      const targets = source === undefined ? [] : await collect(source.read());
      targets.forEach((target) => given.note(target));
      const message = await input.readMessage(condition !== undefined || targets.some(isTopic));
      const history = { targets: given, condition };
      const { runSendOnEmulator } = await import('./send-emulator.js');
      return await runSendOnEmulator(
        { flags, limits, targets, condition, message, history },
        io,
        deps,
      );
    }
    const { count, toTopic, kept } = await checkSource(source, ids);
    const message = await input.readMessage(toTopic || condition !== undefined);
    const route = chooseRoute({ ...flags, protocol: input.protocol }, io.env, deps.store);
    const recipients =
      source === undefined
        ? [conditionRecipient(condition as string)]
        : streamRecipients(noting(source.read(), given), ids, kept);
    const history = { targets: given, condition };
    const plan: SendPlan = {
      recipients,
      total: count,
      message,
      limits,
      route,
      writeConfig: true,
      history,
    };
    return await executeSend(plan, flags, io, deps);
  } finally {
    await source?.close();
  }
}

/** What a send goes to and carries, from the flags or from a recorded send. */
interface SendInput {
  limits: SendLimits;
  /** The targets; undefined for a condition send. */
  source?: TargetSource;
  condition?: string;
  readMessage(toTopic: boolean): Promise<PushMessage>;
  emulator: boolean;
  protocol?: string;
}

async function readSendInput(
  flags: SendFlags,
  io: Io,
  ids: Record<string, string>,
): Promise<SendInput> {
  const limits = parseLimits(flags);
  const condition = readCondition(flags);
  const source = condition === undefined ? await openTargets(flags, io, ids) : undefined;
  return {
    limits,
    source,
    condition,
    readMessage: (toTopic) => readMessage(flags, io, toTopic),
    emulator: flags.emulator,
    protocol: flags.protocol,
  };
}

/** The flags that say what to send and to whom; `--again` takes both from the history. */
const REPLACED_BY_AGAIN: Array<[keyof SendFlags, string]> = [
  ['all', '--all'],
  ['toFile', '--to-file'],
  ['condition', '--condition'],
  ['data', '--data'],
  ['notification', '--notification'],
  ['title', '--title'],
  ['body', '--body'],
  ['collapseKey', '--collapse-key'],
  ['ttl', '--ttl'],
  ['priority', '--priority'],
  ['contentAvailable', '--content-available'],
  ['restrictedPackageName', '--restricted-package-name'],
];

/** `--again SEND_ID`: the targets, message and limits of a recorded send. */
async function recallInput(flags: SendFlags, io: Io): Promise<SendInput> {
  const given = REPLACED_BY_AGAIN.filter(
    ([key]) => flags[key] !== undefined && flags[key] !== false,
  );
  if (flags.to.length > 0) given.unshift(['to', '--to']);
  if (given.length > 0) {
    const flagsGiven = given.map(([, flag]) => flag).join(', ');
    throw new UsageError(
      `--again repeats a recorded send as it was; it cannot take ${flagsGiven}`,
      'drop those flags, or send anew without --again',
    );
  }
  if (flags.failedOnly && flags.again === undefined) {
    throw new UsageError('--failed-only goes with --again SEND_ID');
  }
  const { recallSend } = await import('./history.js');
  const recalled = recallSend(flags.again as string, { failedOnly: flags.failedOnly }, io.env);
  for (const warning of recalled.warnings) io.err(`${warning}\n`);
  io.err(
    `Repeating send ${recalled.sendId} to ${plural(recalled.targets.length || 1, 'target')}\n`,
  );
  return {
    limits: recalled.limits,
    source: recalled.condition === undefined ? listSource(recalled.targets) : undefined,
    condition: recalled.condition,
    readMessage: async () => recalled.message,
    emulator: flags.emulator || recalled.emulator,
    protocol: flags.protocol ?? recalled.protocol,
  };
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}

/**
 * Passes the targets through, noting each for the history as it goes by; targets read by the
 * chunk stay readable by the chunk.
 */
function noting(targets: AsyncIterable<string>, keeper: TargetKeeper): AsyncIterable<string> {
  const { chunks } = targets as Partial<ChunkedTargets>;
  if (typeof chunks === 'function') {
    return chunkedTargets(async function* () {
      for await (const chunk of chunks.call(targets)) {
        for (const target of chunk) keeper.note(target);
        yield chunk;
      }
    });
  }
  return (async function* () {
    for await (const target of targets) {
      keeper.note(target);
      yield target;
    }
  })();
}

/** Reads the whole target list once, so an unknown name stops the send before anything goes. */
async function checkSource(source: TargetSource | undefined, ids: Record<string, string>) {
  if (source === undefined) return { count: 1, toTopic: false, kept: undefined };
  const kept = new KeptTargets();
  const scan = { ...(await checkTargets(source.read(), ids, kept)), kept };
  if (scan.count === 0) {
    throw new UsageError('the target list is empty', 'give at least one name, ID or topic');
  }
  return scan;
}

async function collect(items: AsyncIterable<string>): Promise<string[]> {
  const all: string[] = [];
  for await (const item of items) all.push(item);
  return all;
}

export function isTopic(target: string): boolean {
  return target.startsWith('/topics/');
}

export function conditionRecipient(condition: string): Recipient {
  return { index: 0, target: condition, registrationId: condition, kind: 'condition' };
}

/** What a mode adds after the usual output: fields of the --json document, or a last word. */
export interface SendExtras {
  json?: () => Record<string, unknown>;
  after?: (report: SendReport) => void;
}

/** Sends the plan, prints the results as they come, and returns the exit code. */
export async function executeSend(
  plan: SendPlan,
  flags: SendFlags,
  io: Io,
  deps: SendDeps,
  extras: SendExtras = {},
): Promise<number> {
  const progress = createProgress(plan, flags, io, deps);
  const guarded = progress?.guard(io) ?? io;
  const output = createSendOutput(flags, guarded, {
    protocol: plan.route.protocol,
    dryRun: plan.message.dryRun === true,
  });
  const changes = new NameChanges();
  let googleSaidNotFound = false;
  const onResult = (result: RecipientResult) => {
    changes.note(result);
    googleSaidNotFound ||= isNotFound(result);
    output.onResult(result);
  };
  const sendId = createSendId();
  const now = deps.now ?? Date.now;
  const startedAt = now();
  const kept = new ResultKeeper();
  const report = await deliver(plan, flags, guarded, deps, {
    ...output,
    progress,
    onResult: (result) => {
      kept.note(result);
      onResult(result);
    },
  });
  if (plan.writeConfig) await changes.apply(deps.store, io, { prune: flags.prune });
  else if (changes.any) io.err('note: --emulator never changes the stored names\n');
  output.finish(sendId, report, extras.json?.());
  extras.after?.(report);
  if (historyEnabled(io.env, !flags.history)) {
    const record = buildHistoryRecord({
      sendId,
      startedAt,
      finishedAt: now(),
      protocol: plan.route.protocol,
      endpoint: plan.route.endpoint ?? DEFAULT_V1_ORIGIN,
      targets: plan.history.targets,
      message: plan.message,
      options: {
        ...plan.limits,
        condition: plan.history.condition,
        emulator: !plan.writeConfig,
        project: plan.route.protocol === 'v1' ? plan.route.projectId : undefined,
      },
      report,
      results: kept,
    });
    const warning = appendHistory(record, io.env);
    if (warning !== undefined) io.err(`${warning}\n`);
  }
  if (plan.route.protocol === 'legacy' && googleSaidNotFound) {
    if (isGoogleHost(plan.route.endpoint)) {
      io.err('hint: Google shut the legacy HTTP API down in 2024; use FCM v1 or the emulator\n');
    }
  }
  return exitCodeFor(report);
}

/** The bar for this send, or undefined where none may show (see `wantsProgress`). */
function createProgress(plan: SendPlan, flags: SendFlags, io: Io, deps: SendDeps) {
  const total = plan.total ?? (Array.isArray(plan.recipients) ? plan.recipients.length : undefined);
  if (total === undefined || !wantsProgress(flags, io.stderrIsTTY)) return undefined;
  return new SendProgress({ total, io, now: deps.now ?? Date.now });
}

/** How `deliver` reports: results to the output, counts to the bar if there is one. */
interface DeliveryOutput {
  ordered: boolean;
  keepResults: boolean;
  onResult: (result: RecipientResult) => void;
  progress?: SendProgress;
}

async function deliver(
  plan: SendPlan,
  flags: SendFlags,
  io: Io,
  deps: SendDeps,
  output: DeliveryOutput,
): Promise<SendReport> {
  const concurrency = plan.limits.concurrency ?? DEFAULT_CONCURRENCY[plan.route.protocol];
  const now = deps.now ?? Date.now;
  if (flags.verbose) io.err(describeRoute(plan.route));
  const transport = await createTransport({
    connections: concurrency,
    http2: plan.route.protocol === 'v1',
  });
  const { progress } = output;
  const notices = createRetryNotices(io.err, now);
  try {
    // Before the credentials too: fetching an access token is part of what can be slow.
    await progress?.begin(deps.signal);
    const protocol = await createProtocol(plan.route, plan.message, { transport, now, io });
    const events = createEvents(flags, io, notices);
    events.result = output.onResult;
    return await runSend(
      plan.recipients,
      protocol,
      {
        retries: plan.limits.retries,
        timeoutMs: plan.limits.timeoutMs,
        concurrency,
        ordered: output.ordered,
        keepResults: output.keepResults,
      },
      {
        transport,
        now,
        sleep: deps.sleep ?? abortableSleep,
        random: deps.random ?? Math.random,
        signal: deps.signal,
        outputDrained: io.drained,
      },
      progress?.watch(events) ?? events,
    );
  } finally {
    // Cleared here, before anything else is printed: the table's end and the summary follow.
    progress?.stop();
    notices.flush();
    await transport.close();
  }
}

async function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  const { setTimeout: sleep } = await import('node:timers/promises');
  await sleep(ms, undefined, { signal }).catch(() => undefined);
}

function createEvents(flags: SendFlags, io: Io, notices: RetryNotices): SendEvents {
  const events: SendEvents = { retry: notices.notice };
  if (flags.verbose) {
    events.request = (request) => io.err(formatRequest(request));
    events.response = (response, elapsedMs) => io.err(formatResponse(response, elapsedMs));
  }
  return events;
}

function isNotFound(result: RecipientResult): boolean {
  return result.error === 'Unreachable' && (result.detail ?? '').startsWith('HTTP 404');
}

function isGoogleHost(endpoint: string): boolean {
  return /^https:\/\/(fcm|gcm-http|android)\.googleapis\.com\//.test(endpoint);
}
