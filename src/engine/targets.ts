/** Turning `--to`, `--all` and `--to-file` into the list of recipients of one send. */
import { UsageError } from '../errors.js';
import type { Recipient } from '../protocols/types.js';
import { DedupeSet } from './dedupe.js';
import { suggestNames } from './suggest.js';

const TOPIC_PREFIX = '/topics/';
const TOPIC_NAME = /^[a-zA-Z0-9\-_.~%]+$/;

/**
 * A target that is not a stored name is taken as a raw registration ID when it is longer than
 * a name may be or contains `:` (real tokens have one after their 11-character prefix).
 */
export function looksLikeRegistrationId(target: string): boolean {
  return target.length > 64 || target.includes(':');
}

/** Targets from `--to` values: comma-separated, blanks dropped. */
export function splitTargets(values: string[]): string[] {
  return values
    .flatMap((value) => value.split(','))
    .map((t) => t.trim())
    .filter((t) => t !== '');
}

/**
 * Targets from the lines of a file: blank lines and `#` comments skipped, a trailing carriage
 * return (CRLF files) and a leading byte order mark dropped.
 */
export async function* targetsOfLines(
  lines: AsyncIterable<string> | Iterable<string>,
): AsyncGenerator<string> {
  let first = true;
  for await (const raw of lines) {
    const target = targetOfLine(raw, first);
    first = false;
    if (target !== undefined) yield target;
  }
}

/** The target on one line of a file; undefined for a blank line or a `#` comment. */
export function targetOfLine(raw: string, first: boolean): string | undefined {
  const line = (first && raw.charCodeAt(0) === 0xfeff ? raw.slice(1) : raw).trim();
  return line === '' || line.startsWith('#') ? undefined : line;
}

/**
 * A target list that can also be read a chunk at a time. A million targets checked one `await`
 * at a time cost more than the checks themselves; `checkTargets` reads these by the chunk.
 */
export interface ChunkedTargets extends AsyncIterable<string> {
  chunks(): AsyncIterable<readonly string[]>;
}

/** Targets from a source of chunks, readable both ways. */
export function chunkedTargets(chunks: () => AsyncIterable<readonly string[]>): ChunkedTargets {
  return { chunks, [Symbol.asyncIterator]: () => eachOf(chunks()) };
}

/**
 * The items of the chunks one at a time. A plain iterator rather than an async generator: the
 * send pass already goes through two generators per target, and this sits under both.
 */
function eachOf<T>(chunks: AsyncIterable<readonly T[]>): AsyncIterator<T> {
  const source = chunks[Symbol.asyncIterator]();
  let chunk: readonly T[] = [];
  let at = 0;
  return {
    async next() {
      while (at === chunk.length) {
        const step = await source.next();
        if (step.done === true) return { done: true, value: undefined };
        chunk = step.value;
        at = 0;
      }
      return { done: false, value: chunk[at++] as T };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
}

function isChunked(targets: unknown): targets is ChunkedTargets {
  return typeof (targets as Partial<ChunkedTargets>).chunks === 'function';
}

/**
 * Resolves targets against the stored names, one at a time, so a list read from a file never
 * has to be held whole. Targets that come to the same registration ID are sent once, under the
 * first label given. `check` reports every unusable target as a UsageError, so a caller that
 * checks the whole list first sends nothing when one target is wrong.
 */
export class TargetResolver {
  private readonly seen = new DedupeSet();
  private readonly names: StoredNames;
  private readonly unknown: string[] = [];
  private unknownBeyond = 0;
  private topics = 0;
  private count = 0;
  /** Targets read so far, kept or not. */
  private position = 0;
  /** Where to note which of the targets read became recipients, if anywhere. */
  private readonly kept: KeptTargets | undefined;

  constructor(
    private readonly ids: Record<string, string>,
    options: { kept?: KeptTargets } = {},
  ) {
    this.names = new StoredNames(ids);
    this.kept = options.kept;
  }

  /** The next recipient, or undefined for a duplicate or an unknown name. */
  accept(target: string): Recipient | undefined {
    const position = this.position++;
    const recipient = resolveOne(target, this.names, this.count);
    if (recipient === undefined) {
      // Enough to name in the error; counting them all would only hold memory.
      if (this.unknown.length < MAX_UNKNOWN_NAMED) this.unknown.push(target);
      else this.unknownBeyond++;
      return undefined;
    }
    if (!this.seen.add(recipient.registrationId)) return undefined;
    if (recipient.kind === 'topic') this.topics++;
    this.count++;
    this.kept?.add(position);
    return recipient;
  }

  /** Throws for the list so far: unknown names, two topics, or a topic among other targets. */
  check(): { count: number; toTopic: boolean } {
    if (this.unknown.length > 0) throw unknownNameError(this.unknown, this.unknownBeyond, this.ids);
    if (this.topics > 1) {
      throw new UsageError('more than one topic given', 'send to one /topics/NAME at a time');
    }
    if (this.topics === 1 && this.count > 1) {
      throw new UsageError(
        'a topic cannot be combined with other targets in one send',
        'send to the topic and to the devices in two commands',
      );
    }
    return { count: this.count, toTopic: this.topics === 1 };
  }
}

const MAX_UNKNOWN_NAMED = 10;

/**
 * The positions, among the targets of a list, of those that became recipients: a bit each, so
 * 125 KB for a million. With it the second reading of a checked list skips duplicates without
 * looking them up again, which for a long list costs as much as the rest of reading it.
 */
export class KeptTargets {
  private bits = new Uint8Array(1024);

  add(position: number): void {
    const byte = position >>> 3;
    if (byte >= this.bits.length) {
      const grown = new Uint8Array(Math.max(this.bits.length * 2, byte + 1));
      grown.set(this.bits);
      this.bits = grown;
    }
    this.bits[byte] = (this.bits[byte] as number) | (1 << (position & 7));
  }

  has(position: number): boolean {
    return (((this.bits[position >>> 3] ?? 0) >>> (position & 7)) & 1) === 1;
  }
}

/** Resolves the targets of a list already checked, taking only those the check kept. */
class CheckedResolver {
  private readonly names: StoredNames;
  private position = 0;
  private count = 0;

  constructor(
    ids: Record<string, string>,
    private readonly kept: KeptTargets,
  ) {
    this.names = new StoredNames(ids);
  }

  accept(target: string): Recipient | undefined {
    if (!this.kept.has(this.position++)) return undefined;
    // Resolved again, not assumed: a file changed since the check still sends nothing wrong.
    const recipient = resolveOne(target, this.names, this.count);
    if (recipient !== undefined) this.count++;
    return recipient;
  }
}

/** Resolves a whole list at once; throws before returning when any target is unusable. */
export function resolveTargets(
  targets: Iterable<string>,
  ids: Record<string, string>,
): Recipient[] {
  const resolver = new TargetResolver(ids);
  const recipients: Recipient[] = [];
  for (const target of targets) {
    const recipient = resolver.accept(target);
    if (recipient !== undefined) recipients.push(recipient);
  }
  resolver.check();
  return recipients;
}

/**
 * Checks a list that will be read again to send it: how many recipients, and whether a topic.
 * Given `kept`, notes in it which targets became recipients, for `streamRecipients`.
 */
export async function checkTargets(
  targets: AsyncIterable<string> | Iterable<string>,
  ids: Record<string, string>,
  kept?: KeptTargets,
): Promise<{ count: number; toTopic: boolean }> {
  const resolver = new TargetResolver(ids, { kept });
  if (isChunked(targets)) {
    for await (const chunk of targets.chunks()) {
      for (const target of chunk) resolver.accept(target);
    }
  } else {
    for await (const target of targets) resolver.accept(target);
  }
  return resolver.check();
}

/**
 * The recipients of a list already checked, read as they are needed; given what the check
 * kept, duplicates are skipped by their place in the list. Chunked targets give chunked
 * recipients, so a caller that reads by the chunk pays no `await` per recipient.
 */
export function streamRecipients(
  targets: AsyncIterable<string> | Iterable<string>,
  ids: Record<string, string>,
  kept?: KeptTargets,
): AsyncIterable<Recipient> & Partial<ChunkedRecipients> {
  const resolver = kept === undefined ? new TargetResolver(ids) : new CheckedResolver(ids, kept);
  const accept = (target: string) => resolver.accept(target);
  if (!isChunked(targets)) return { [Symbol.asyncIterator]: () => filterEach(targets, accept) };
  const chunks = async function* () {
    for await (const chunk of targets.chunks()) {
      const recipients = acceptAll(chunk, accept);
      if (recipients.length > 0) yield recipients;
    }
  };
  return { chunks, [Symbol.asyncIterator]: () => eachOf(chunks()) };
}

/** Recipients that can also be read a chunk at a time; see `ChunkedTargets`. */
export interface ChunkedRecipients {
  chunks(): AsyncIterable<readonly Recipient[]>;
}

function acceptAll(chunk: readonly string[], accept: (target: string) => Recipient | undefined) {
  const recipients: Recipient[] = [];
  for (const target of chunk) {
    const recipient = accept(target);
    if (recipient !== undefined) recipients.push(recipient);
  }
  return recipients;
}

/** The targets that `accept` turns into recipients, one at a time, as a plain iterator. */
function filterEach(
  targets: AsyncIterable<string> | Iterable<string>,
  accept: (target: string) => Recipient | undefined,
): AsyncIterator<Recipient> {
  const source =
    Symbol.asyncIterator in targets
      ? targets[Symbol.asyncIterator]()
      : (targets as Iterable<string>)[Symbol.iterator]();
  return {
    async next() {
      for (let step = await source.next(); step.done !== true; step = await source.next()) {
        const recipient = accept(step.value);
        if (recipient !== undefined) return { done: false, value: recipient };
      }
      return { done: true, value: undefined };
    },
    async return() {
      await source.return?.();
      return { done: true, value: undefined };
    },
  };
}

/**
 * The stored names, looked up without turning every target into an object key: a million raw
 * IDs used as property keys would each be hashed into V8's string table. An ID longer than the
 * longest name cannot be one, so most never need a lookup at all.
 */
class StoredNames {
  private readonly map: Map<string, string>;
  private readonly longest: number;

  constructor(ids: Record<string, string>) {
    this.map = new Map(Object.entries(ids));
    this.longest = Math.max(0, ...[...this.map.keys()].map((name) => name.length));
  }

  get(target: string): string | undefined {
    return target.length > this.longest ? undefined : this.map.get(target);
  }
}

/** Printable ASCII only: no space or control character, so the slower full check is skipped. */
const PLAIN_ID = /^[\x21-\x7e]*$/;
const SPACE_OR_CONTROL = /[\s\u0000-\u001f\u007f]/;

function resolveOne(target: string, names: StoredNames, index: number): Recipient | undefined {
  if (target.startsWith(TOPIC_PREFIX)) {
    const topic = target.slice(TOPIC_PREFIX.length);
    if (!TOPIC_NAME.test(topic)) {
      throw new UsageError(
        `invalid topic ${JSON.stringify(target)}`,
        'topic names use letters, digits and - _ . ~ %',
      );
    }
    return { index, target, registrationId: target, kind: 'topic' };
  }
  const stored = names.get(target);
  if (stored !== undefined) {
    return { index, target, registrationId: stored, kind: 'token', name: target };
  }
  if (!looksLikeRegistrationId(target)) return undefined;
  if (!PLAIN_ID.test(target) && SPACE_OR_CONTROL.test(target)) {
    throw new UsageError(
      `the target ${JSON.stringify(target)} contains spaces or control characters`,
    );
  }
  return { index, target, registrationId: target, kind: 'token' };
}

function unknownNameError(
  unknown: string[],
  beyond: number,
  ids: Record<string, string>,
): UsageError {
  const names = Object.keys(ids);
  const first = unknown[0] as string;
  const suggestions = suggestNames(first, names);
  const more = beyond > 0 ? ` and ${beyond} more` : '';
  const what =
    unknown.length === 1 ? `unknown name ${first}` : `unknown names ${unknown.join(', ')}${more}`;
  if (suggestions.length > 0) {
    return new UsageError(
      what,
      `did you mean ${suggestions.join(', ')}? (see \`gcmpush ids list\`)`,
    );
  }
  const hint =
    names.length === 0
      ? 'no names are stored yet: add one with `gcmpush ids add NAME REGISTRATION_ID`'
      : 'see the stored names with `gcmpush ids list`, or pass a whole registration ID';
  return new UsageError(what, hint);
}
