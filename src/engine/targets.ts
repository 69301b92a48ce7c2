/** Turning `--to`, `--all` and `--to-file` into the list of recipients of one send. */
import { UsageError } from '../errors.js';
import { hasControlCharacters } from '../input.js';
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
    const line = (first ? raw.replace(/^\uFEFF/, '') : raw).trim();
    first = false;
    if (line !== '' && !line.startsWith('#')) yield line;
  }
}

/**
 * Resolves targets against the stored names, one at a time, so a list read from a file never
 * has to be held whole. Targets that come to the same registration ID are sent once, under the
 * first label given. `check` reports every unusable target as a UsageError, so a caller that
 * checks the whole list first sends nothing when one target is wrong.
 */
export class TargetResolver {
  private readonly seen = new DedupeSet();
  private readonly unknown: string[] = [];
  private unknownBeyond = 0;
  private topics = 0;
  private count = 0;

  constructor(private readonly ids: Record<string, string>) {}

  /** The next recipient, or undefined for a duplicate or an unknown name. */
  accept(target: string): Recipient | undefined {
    const recipient = resolveOne(target, this.ids, this.count);
    if (recipient === undefined) {
      // Enough to name in the error; counting them all would only hold memory.
      if (this.unknown.length < MAX_UNKNOWN_NAMED) this.unknown.push(target);
      else this.unknownBeyond++;
      return undefined;
    }
    if (!this.seen.add(recipient.registrationId)) return undefined;
    if (recipient.kind === 'topic') this.topics++;
    this.count++;
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

/** Checks a list that will be read again to send it: how many recipients, and whether a topic. */
export async function checkTargets(
  targets: AsyncIterable<string> | Iterable<string>,
  ids: Record<string, string>,
): Promise<{ count: number; toTopic: boolean }> {
  const resolver = new TargetResolver(ids);
  for await (const target of targets) resolver.accept(target);
  return resolver.check();
}

/** The recipients of a list already checked, read as they are needed. */
export async function* streamRecipients(
  targets: AsyncIterable<string> | Iterable<string>,
  ids: Record<string, string>,
): AsyncGenerator<Recipient> {
  const resolver = new TargetResolver(ids);
  for await (const target of targets) {
    const recipient = resolver.accept(target);
    if (recipient !== undefined) yield recipient;
  }
}

function resolveOne(
  target: string,
  ids: Record<string, string>,
  index: number,
): Recipient | undefined {
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
  const stored = Object.hasOwn(ids, target) ? ids[target] : undefined;
  if (stored !== undefined) {
    return { index, target, registrationId: stored, kind: 'token', name: target };
  }
  if (!looksLikeRegistrationId(target)) return undefined;
  if (hasControlCharacters(target) || /\s/.test(target)) {
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
