/** Turning `--to`, `--all` and `--to-file` into the list of recipients of one send. */
import { UsageError } from '../errors.js';
import { hasControlCharacters } from '../input.js';
import type { Recipient } from '../protocols/types.js';
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

/** Targets from a file's lines: blank lines and `#` comments skipped, CRLF and BOM handled. */
export function parseTargetLines(text: string): string[] {
  const targets: string[] = [];
  for (const raw of text.replace(/^\uFEFF/, '').split('\n')) {
    const line = raw.trim();
    if (line !== '' && !line.startsWith('#')) targets.push(line);
  }
  return targets;
}

/**
 * Resolves targets against the stored names. Targets that come to the same registration ID are
 * sent once, under the first label given. Throws a UsageError for anything unusable, so
 * nothing is sent when one target is wrong.
 */
export function resolveTargets(targets: string[], ids: Record<string, string>): Recipient[] {
  const recipients: Recipient[] = [];
  const seen = new Set<string>();
  const unknown: string[] = [];
  let topics = 0;
  for (const target of targets) {
    const recipient = resolveOne(target, ids, recipients.length);
    if (recipient === undefined) {
      unknown.push(target);
      continue;
    }
    if (seen.has(recipient.registrationId)) continue;
    seen.add(recipient.registrationId);
    if (recipient.kind === 'topic') topics++;
    recipients.push(recipient);
  }
  if (unknown.length > 0) throw unknownNameError(unknown, ids);
  if (topics > 1) {
    throw new UsageError('more than one topic given', 'send to one /topics/NAME at a time');
  }
  if (topics === 1 && recipients.length > 1) {
    throw new UsageError(
      'a topic cannot be combined with other targets in one send',
      'send to the topic and to the devices in two commands',
    );
  }
  return recipients;
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

function unknownNameError(unknown: string[], ids: Record<string, string>): UsageError {
  const names = Object.keys(ids);
  const first = unknown[0] as string;
  const suggestions = suggestNames(first, names);
  const what =
    unknown.length === 1 ? `unknown name ${first}` : `unknown names ${unknown.join(', ')}`;
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
