import { describe, expect, it } from 'vitest';
import { createSendId } from '../../src/engine/send-id.js';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const NOW = Date.parse('2024-11-20T10:15:30.123Z');

function timestampOf(id: string): number {
  return Number.parseInt(id.replaceAll('-', '').slice(0, 12), 16);
}

describe('createSendId', () => {
  it('is a lower-case UUID in 8-4-4-4-12 form', () => {
    expect(createSendId(NOW)).toMatch(UUID);
  });

  it('sets the version nibble to 7', () => {
    for (let i = 0; i < 200; i++) {
      expect(createSendId(NOW).charAt(14)).toBe('7');
    }
  });

  it('sets the variant bits to 10', () => {
    for (let i = 0; i < 200; i++) {
      const variant = Number.parseInt(createSendId(NOW).charAt(19), 16);

      expect(variant >> 2).toBe(0b10);
    }
  });

  it('starts with the 48-bit millisecond timestamp', () => {
    const id = createSendId(0x0193a1b27c4d);

    expect(id.slice(0, 13)).toBe('0193a1b2-7c4d');
    expect(timestampOf(createSendId(NOW))).toBe(NOW);
  });

  it('writes time zero as zeros', () => {
    expect(createSendId(0).slice(0, 13)).toBe('00000000-0000');
  });

  it('sorts in time order for increasing now', () => {
    const times = [1, 255, 256, 65_536, NOW - 1000, NOW, NOW + 1, NOW + 86_400_000];

    const ids = times.map((time) => createSendId(time));

    expect([...ids].sort()).toEqual(ids);
  });

  it('uses the current time by default', () => {
    const before = Date.now();
    const id = createSendId();
    const after = Date.now();

    expect(timestampOf(id)).toBeGreaterThanOrEqual(before);
    expect(timestampOf(id)).toBeLessThanOrEqual(after);
  });

  it('does not repeat over 10,000 calls in the same millisecond', () => {
    const ids = new Set<string>();
    for (let i = 0; i < 10_000; i++) ids.add(createSendId(NOW));

    expect(ids.size).toBe(10_000);
  });
});
