/** `gcmpush send`: checks every input first, then sends, renders and updates stored names. */
import type { ConfigStore } from '../config/store.js';
import { ExitCode, UsageError } from '../errors.js';
import type { RecipientResult, SendEvents, SendReport } from '../engine/send.js';
import { runSend } from '../engine/send.js';
import { createSendId } from '../engine/send-id.js';
import { parseTargetLines, resolveTargets, splitTargets } from '../engine/targets.js';
import { checkPayload, parseJsonObject, readJsonText } from '../engine/payload.js';
import { readStream } from '../input.js';
import { buildSendJson } from '../output/json.js';
import type { Io } from '../output/streams.js';
import { renderResults, renderSummary } from '../output/text.js';
import { formatRequest, formatResponse } from '../output/verbose.js';
import { createLegacyProtocol, DEFAULT_LEGACY_ENDPOINT } from '../protocols/gcm-legacy.js';
import type { PushMessage, Recipient } from '../protocols/types.js';
import { createTransport } from '../transport/http.js';
import { resolveApiKey } from './key.js';

/** The flags of `send` as commander hands them over: values still unparsed strings. */
export interface SendFlags {
  to: string[];
  all: boolean;
  toFile?: string;
  data?: string;
  notification?: string;
  title?: string;
  body?: string;
  collapseKey?: string;
  ttl?: string;
  priority?: string;
  contentAvailable: boolean;
  restrictedPackageName?: string;
  dryRun: boolean;
  retries: string;
  timeout: string;
  endpoint?: string;
  json: boolean;
  prune: boolean;
  verbose: boolean;
}

/** Fills in the flags commander leaves out when they are not given. */
export function toSendFlags(options: Record<string, unknown>): SendFlags {
  const flag = (name: string) => options[name] === true;
  return {
    ...(options as Partial<SendFlags>),
    to: (options.to as string[] | undefined) ?? [],
    all: flag('all'),
    contentAvailable: flag('contentAvailable'),
    dryRun: flag('dryRun'),
    json: flag('json'),
    prune: flag('prune'),
    verbose: flag('verbose'),
    retries: (options.retries as string | undefined) ?? '5',
    timeout: (options.timeout as string | undefined) ?? '60',
  };
}

/** Clock, sleep and randomness; tests replace them to run the back-off exactly. */
export interface SendDeps {
  store: ConfigStore;
  now?: () => number;
  sleep?: (ms: number) => Promise<void>;
  random?: () => number;
}

const MAX_TTL = 2_419_200;
/** Requests in flight at once for one send, over one keep-alive pool. */
const LEGACY_CONCURRENCY = 4;

export async function runSendCommand(flags: SendFlags, io: Io, deps: SendDeps): Promise<number> {
  const settings = parseSettings(flags, io.env);
  const ids = deps.store.ids();
  const recipients = resolveTargets(await readTargets(flags, io, ids), ids);
  if (recipients.length === 0) throw new UsageError('the target list is empty');
  const message = await readMessage(flags, io, recipients[0]?.kind !== 'token');
  const apiKey = resolveApiKey(deps.store, io.env);
  if (apiKey === undefined) {
    throw new UsageError('no API key is set', 'run `gcmpush key set`, or set GCMPUSH_API_KEY');
  }

  const sendId = createSendId();
  const protocol = createLegacyProtocol({
    endpoint: settings.endpoint,
    apiKey: apiKey.key,
    message,
  });
  const transport = await createTransport({ connections: LEGACY_CONCURRENCY });
  let report: SendReport;
  try {
    report = await runSend(
      recipients,
      protocol,
      { retries: settings.retries, timeoutMs: settings.timeoutMs, concurrency: LEGACY_CONCURRENCY },
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

  await applyCanonicalIds(report.results, deps.store, io);
  if (flags.prune) await pruneUnregistered(report.results, deps.store, io);
  printReport(sendId, report, flags, io);
  if (isLegacyGoogleEndpoint(settings.endpoint) && report.results.some(isNotFound)) {
    io.err('hint: Google shut the legacy HTTP API down in 2024; use an emulator endpoint\n');
  }
  return exitCodeFor(report);
}

interface Settings {
  retries: number;
  timeoutMs: number;
  endpoint: string;
}

function parseSettings(flags: SendFlags, env: NodeJS.ProcessEnv): Settings {
  if (!/^\d+$/.test(flags.retries) || Number(flags.retries) > 100) {
    throw new UsageError(
      `invalid --retries ${JSON.stringify(flags.retries)}`,
      'use a whole number from 0 to 100',
    );
  }
  const timeout = Number(flags.timeout);
  if (!/^\d+(\.\d+)?$/.test(flags.timeout) || timeout <= 0) {
    throw new UsageError(
      `invalid --timeout ${JSON.stringify(flags.timeout)}`,
      'use a number of seconds above 0',
    );
  }
  return {
    retries: Number(flags.retries),
    timeoutMs: timeout * 1000,
    endpoint: resolveLegacyEndpoint(
      flags.endpoint ?? env.GCMPUSH_ENDPOINT ?? DEFAULT_LEGACY_ENDPOINT,
    ),
  };
}

/** A URL with a path is used as it is; a bare origin gets the legacy path `/fcm/send`. */
export function resolveLegacyEndpoint(value: string): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new UsageError(
      `invalid endpoint ${JSON.stringify(value)}`,
      'give a URL such as http://127.0.0.1:8089/fcm/send',
    );
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`invalid endpoint ${value}: only http and https URLs are supported`);
  }
  if (url.pathname === '/' && url.search === '') url.pathname = '/fcm/send';
  return url.toString();
}

async function readTargets(flags: SendFlags, io: Io, ids: Record<string, string>) {
  if (flags.all && (flags.to.length > 0 || flags.toFile !== undefined)) {
    throw new UsageError('--all cannot be combined with --to or --to-file');
  }
  if (flags.all) {
    const names = Object.keys(ids);
    if (names.length === 0) {
      throw new UsageError(
        '--all found no stored names',
        'add one with `gcmpush ids add NAME REGISTRATION_ID`',
      );
    }
    return names;
  }
  const targets = splitTargets(flags.to);
  if (flags.toFile !== undefined) {
    targets.push(...parseTargetLines(await readTargetFile(flags.toFile, io)));
  }
  if (targets.length === 0) {
    throw new UsageError(
      'no target given',
      'pass --to NAME (or a registration ID), --all, or --to-file FILE',
    );
  }
  return targets;
}

async function readTargetFile(file: string, io: Io): Promise<string> {
  if (file === '-') return readStream(io.stdin, '--to-file -');
  const { createReadStream } = await import('node:fs');
  try {
    return await readStream(createReadStream(file), `--to-file ${file}`, 512 * 1024 * 1024);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const reason =
      (error as NodeJS.ErrnoException).code === 'ENOENT'
        ? 'no such file'
        : (error as Error).message;
    throw new UsageError(`cannot read --to-file ${file}: ${reason}`);
  }
}

async function readMessage(flags: SendFlags, io: Io, toTopic: boolean): Promise<PushMessage> {
  const stdinUsers = [flags.data, flags.notification, flags.toFile].filter(
    (value) => value === '-',
  );
  if (stdinUsers.length > 1) {
    throw new UsageError(
      'only one of --data, --notification and --to-file can read standard input',
    );
  }
  const data = await readJsonOption(flags.data, '--data', io);
  let notification = await readJsonOption(flags.notification, '--notification', io);
  if (flags.title !== undefined || flags.body !== undefined) {
    notification = { ...notification };
    if (flags.title !== undefined) notification.title = flags.title;
    if (flags.body !== undefined) notification.body = flags.body;
  }
  checkPayload(data, notification, toTopic);
  const message: PushMessage = { data, notification, dryRun: flags.dryRun };
  if (flags.collapseKey !== undefined) message.collapseKey = flags.collapseKey;
  if (flags.ttl !== undefined) message.ttl = parseTtl(flags.ttl);
  if (flags.priority !== undefined) message.priority = parsePriority(flags.priority);
  if (flags.contentAvailable) message.contentAvailable = true;
  if (flags.restrictedPackageName !== undefined) {
    message.restrictedPackageName = flags.restrictedPackageName;
  }
  return message;
}

async function readJsonOption(value: string | undefined, flag: string, io: Io) {
  if (value === undefined) return undefined;
  const { text, source } = await readJsonText(value, flag, io.stdin);
  return parseJsonObject(text, source);
}

function parseTtl(value: string): number {
  const ttl = Number(value);
  if (!/^\d+$/.test(value) || ttl > MAX_TTL) {
    throw new UsageError(
      `invalid --ttl ${JSON.stringify(value)}`,
      `use whole seconds from 0 to ${MAX_TTL} (4 weeks)`,
    );
  }
  return ttl;
}

function parsePriority(value: string): 'high' | 'normal' {
  if (value === 'high' || value === 'normal') return value;
  throw new UsageError(`invalid --priority ${JSON.stringify(value)}`, 'use high or normal');
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

function printReport(sendId: string, report: SendReport, flags: SendFlags, io: Io) {
  if (flags.json) {
    const document = buildSendJson(sendId, report, { protocol: 'legacy', dryRun: flags.dryRun });
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
