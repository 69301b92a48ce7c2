/**
 * Identifiers the emulator hands out: registration IDs, per-recipient message IDs and the big
 * integers used for `multicast_id` and topic `message_id`.
 */
import { randomBytes } from 'node:crypto';

// Real FCM tokens are 152 or 163 characters; anything over 140 exercises the same column sizes.
const PREFIX_LENGTH = 11;
const BODY_LENGTH = 134;

// Google's numeric IDs use the full signed 64-bit range; starting above 10^18 makes every one
// of them 19 digits long and well past 2^53, so a client reading them as doubles loses digits.
const BIG_ID_FLOOR = 10n ** 18n;
const BIG_ID_START_SPAN = 7n * 10n ** 18n;

/** Draws a random run of `length` characters from the FCM token alphabet [A-Za-z0-9_-]. */
function drawTokenCharacters(length: number): string {
  return randomBytes(Math.ceil((length * 3) / 4) + 1)
    .toString('base64url')
    .slice(0, length);
}

/**
 * The prefix is a Firebase installation ID, whose first four bits are 0111, so it begins with
 * c, d, e or f: never with `-`, which a command line would take for an option.
 */
const PREFIX_FIRST = 'cdef';

/** A fresh registration ID shaped like an FCM token: `xxxxxxxxxxx:APA91b...`. */
export function createRegistrationId(): string {
  const first = PREFIX_FIRST[(randomBytes(1)[0] as number) & 3] as string;
  const prefix = `${first}${drawTokenCharacters(PREFIX_LENGTH - 1)}`;
  return `${prefix}:APA91b${drawTokenCharacters(BODY_LENGTH)}`;
}

/** Hands out message IDs and big integers that never repeat within one server's life. */
export class IdSource {
  private readonly clock: () => number;
  private readonly senderTag = randomBytes(8).toString('hex');
  private lastMicros = 0;
  private lastBigId: bigint;

  constructor(clock: () => number) {
    this.clock = clock;
    this.lastBigId = BIG_ID_FLOOR + (randomBytes(8).readBigUInt64BE() % BIG_ID_START_SPAN);
  }

  /** A per-recipient message ID like `0:1700000000000123%0f3a...`: clock micros, then a tag. */
  nextMessageId(): string {
    // The micros counter only moves forward, so IDs stay unique even when the clock stalls.
    this.lastMicros = Math.max(Math.floor(this.clock() * 1000), this.lastMicros + 1);
    return `0:${this.lastMicros}%${this.senderTag}`;
  }

  /** A 19-digit integer for `multicast_id` or a topic `message_id`; always increasing. */
  nextBigId(): bigint {
    this.lastBigId += 1n + BigInt(randomBytes(2).readUInt16BE() % 1000);
    return this.lastBigId;
  }
}
