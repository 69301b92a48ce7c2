/**
 * Everything `send` reads before it sends: the numeric flags, the target list and the message.
 * Each check throws a UsageError, so one bad input stops the send before anything goes out.
 */
import { UsageError } from '../errors.js';
import { checkPayload, parseJsonObject, readJsonText } from '../engine/payload.js';
import { chunkedTargets, splitTargets, targetOfLine } from '../engine/targets.js';
import type { Io } from '../output/streams.js';
import type { PushMessage } from '../protocols/types.js';

/** The flags of `send` as commander hands them over: values still unparsed strings. */
export interface SendFlags {
  to: string[];
  all: boolean;
  toFile?: string;
  condition?: string;
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
  concurrency?: string;
  endpoint?: string;
  protocol?: string;
  project?: string;
  emulator: boolean;
  /** `--again SEND_ID`: repeat a send from the history. */
  again?: string;
  failedOnly: boolean;
  /** false with `--no-history`. */
  history: boolean;
  json: boolean;
  ndjson: boolean;
  prune: boolean;
  verbose: boolean;
  /** false with `--no-progress`. */
  progress: boolean;
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
    emulator: flag('emulator'),
    failedOnly: flag('failedOnly'),
    history: options.history !== false,
    progress: options.progress !== false,
    json: flag('json'),
    ndjson: flag('ndjson'),
    prune: flag('prune'),
    verbose: flag('verbose'),
    retries: (options.retries as string | undefined) ?? '5',
    timeout: (options.timeout as string | undefined) ?? '60',
  };
}

/** The numeric flags, checked. */
export interface SendLimits {
  retries: number;
  timeoutMs: number;
  /** Requests in flight at once; undefined leaves it to the protocol's default. */
  concurrency?: number;
}

const MAX_TTL = 2_419_200;
const MAX_RETRIES = 100;
const MAX_CONCURRENCY = 1000;

export function parseLimits(flags: SendFlags): SendLimits {
  const retries = parseWholeNumber(flags.retries, 0, MAX_RETRIES);
  if (retries === undefined) {
    throw new UsageError(
      `invalid --retries ${JSON.stringify(flags.retries)}`,
      `use a whole number from 0 to ${MAX_RETRIES}`,
    );
  }
  const timeout = Number(flags.timeout);
  if (!/^\d+(\.\d+)?$/.test(flags.timeout) || timeout <= 0) {
    throw new UsageError(
      `invalid --timeout ${JSON.stringify(flags.timeout)}`,
      'use a number of seconds above 0',
    );
  }
  const limits: SendLimits = { retries, timeoutMs: timeout * 1000 };
  if (flags.concurrency !== undefined) {
    const concurrency = parseWholeNumber(flags.concurrency, 1, MAX_CONCURRENCY);
    if (concurrency === undefined) {
      throw new UsageError(
        `invalid --concurrency ${JSON.stringify(flags.concurrency)}`,
        `use a whole number from 1 to ${MAX_CONCURRENCY}`,
      );
    }
    limits.concurrency = concurrency;
  }
  return limits;
}

function parseWholeNumber(text: string, min: number, max: number): number | undefined {
  if (!/^\d+$/.test(text)) return undefined;
  const value = Number(text);
  return value >= min && value <= max ? value : undefined;
}

/** The targets of a send as given, readable more than once: to check them, then to send. */
export interface TargetSource {
  /** Each target in order: `--all` names, or `--to` values then `--to-file` lines. */
  read(): AsyncIterable<string>;
  /** Removes the copy of standard input, if one was made. */
  close(): Promise<void>;
}

export async function openTargets(
  flags: SendFlags,
  io: Io,
  ids: Record<string, string>,
): Promise<TargetSource> {
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
    return listSource(names);
  }
  const given = splitTargets(flags.to);
  if (flags.toFile === undefined) {
    if (given.length === 0) {
      throw new UsageError(
        'no target given',
        'pass --to NAME (or a registration ID), --all, --to-file FILE or --condition EXPR',
      );
    }
    return listSource(given);
  }
  const file = await openTargetFile(flags.toFile, io);
  return {
    read: () =>
      chunkedTargets(async function* () {
        if (given.length > 0) yield given;
        yield* readTargetChunks(file.path);
      }),
    close: file.close,
  };
}

export function listSource(targets: string[]): TargetSource {
  return {
    read: () =>
      chunkedTargets(async function* () {
        yield targets;
      }),
    close: async () => {},
  };
}

/** A file of targets to read twice; standard input is first copied to a private temp file. */
async function openTargetFile(
  file: string,
  io: Io,
): Promise<{ path: string; close: () => Promise<void> }> {
  const { mkdtemp, rm, stat } = await import('node:fs/promises');
  if (file === '-') {
    const { tmpdir } = await import('node:os');
    const path = await import('node:path');
    const dir = await mkdtemp(path.join(tmpdir(), 'gcmpush-targets-'));
    const copy = path.join(dir, 'stdin');
    const close = () => rm(dir, { recursive: true, force: true });
    try {
      await copyToFile(io.stdin, copy);
    } catch (error) {
      await close();
      throw new UsageError(`cannot read --to-file -: ${(error as Error).message}`);
    }
    return { path: copy, close };
  }
  try {
    if ((await stat(file)).isDirectory()) throw new UsageError(`--to-file ${file} is a folder`);
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const code = (error as NodeJS.ErrnoException).code;
    const reason = code === 'ENOENT' ? 'no such file' : (error as Error).message;
    throw new UsageError(`cannot read --to-file ${file}: ${reason}`);
  }
  return { path: file, close: async () => {} };
}

async function copyToFile(input: NodeJS.ReadableStream, file: string): Promise<void> {
  const { createWriteStream } = await import('node:fs');
  const { pipeline } = await import('node:stream/promises');
  await pipeline(input, createWriteStream(file, { mode: 0o600 }));
}

/** Bytes read at a time, as readline reads: larger chunks are held longer and cost memory. */
const READ_CHUNK_BYTES = 1 << 16;

/**
 * The targets of a file, a chunk at a time, so the file is never held whole. Lines end at `\n`,
 * `\r\n` or a lone `\r`, as readline would split them; readline itself hands lines over one
 * event at a time, which for a million lines costs more than everything done with them.
 */
async function* readTargetChunks(file: string): AsyncGenerator<string[]> {
  const { createReadStream } = await import('node:fs');
  const stream = createReadStream(file, { encoding: 'utf8', highWaterMark: READ_CHUNK_BYTES });
  let rest = '';
  let first = true;
  try {
    for await (const text of stream as AsyncIterable<string>) {
      const lines = `${rest}${text}`.split('\n');
      rest = lines.pop() as string;
      if (lines.length === 0) continue;
      yield collectTargets(lines, first);
      first = false;
    }
    if (rest !== '') yield collectTargets([rest], first);
  } catch (error) {
    throw new UsageError(`cannot read --to-file ${file}: ${(error as Error).message}`);
  } finally {
    stream.destroy();
  }
}

/** The targets on these lines; `first` when the first of them opens the file. */
function collectTargets(lines: string[], first: boolean): string[] {
  const targets: string[] = [];
  const take = (line: string, opensFile: boolean) => {
    const target = targetOfLine(line, opensFile);
    if (target !== undefined) targets.push(target);
  };
  lines.forEach((line, index) => {
    if (!line.includes('\r')) return take(line, first && index === 0);
    line.split('\r').forEach((part, at) => take(part, first && index === 0 && at === 0));
  });
  return targets;
}

/**
 * `--condition`, checked; undefined when not given. A condition is a send of its own: it cannot
 * share the request with other targets.
 */
export function readCondition(flags: SendFlags): string | undefined {
  if (flags.condition === undefined) return undefined;
  if (flags.all || flags.to.length > 0 || flags.toFile !== undefined) {
    throw new UsageError('--condition cannot be combined with --to, --all or --to-file');
  }
  const condition = (flags.condition ?? '').trim();
  if (condition === '') {
    throw new UsageError(
      'the condition is empty',
      `write one such as "'news' in topics && 'sport' in topics"`,
    );
  }
  return condition;
}

/** The message from `--data`, `--notification`, `--title`, `--body` and the option flags. */
export async function readMessage(
  flags: SendFlags,
  io: Io,
  toTopic: boolean,
): Promise<PushMessage> {
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

/** A URL with a path is used as it is; a bare origin gets the legacy path `/fcm/send`. */
export function resolveLegacyEndpoint(value: string): string {
  const url = parseEndpoint(value);
  if (url.pathname === '/' && url.search === '') url.pathname = '/fcm/send';
  return url.toString();
}

export function parseEndpoint(value: string): URL {
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
  return url;
}
