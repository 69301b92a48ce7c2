/**
 * Send IDs are UUIDv7 (RFC 9562): a millisecond timestamp and 74 random bits, so they sort by
 * time and do not repeat for any key, on any machine.
 */
import { randomBytes } from 'node:crypto';

export function createSendId(now: number = Date.now()): string {
  const bytes = randomBytes(16);
  bytes.writeUIntBE(now, 0, 6);
  bytes[6] = 0x70 | ((bytes[6] ?? 0) & 0x0f);
  bytes[8] = 0x80 | ((bytes[8] ?? 0) & 0x3f);
  const hex = bytes.toString('hex');
  const cuts = [0, 8, 12, 16, 20, 32];
  return cuts
    .slice(1)
    .map((end, part) => hex.slice(cuts[part], end))
    .join('-');
}
