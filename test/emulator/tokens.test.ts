import { describe, expect, it } from 'vitest';
import { createRegistrationId, IdSource } from '../../src/emulator/tokens.js';

describe('identifiers', () => {
  it('keeps message IDs unique when the clock stands still', () => {
    const ids = new IdSource(() => 1_700_000_000_000);
    const issued = Array.from({ length: 500 }, () => ids.nextMessageId());

    expect(new Set(issued).size).toBe(500);
    expect(issued[0]).toMatch(/^0:1700000000000000%[0-9a-f]{16}$/);
  });

  it('issues increasing 19-digit big IDs', () => {
    const ids = new IdSource(Date.now);
    const first = ids.nextBigId();
    const second = ids.nextBigId();

    expect(String(first)).toHaveLength(19);
    expect(second > first).toBe(true);
    expect(second < 2n ** 63n).toBe(true);
  });

  it('draws registration IDs from the FCM token alphabet with a colon after 11 characters', () => {
    const drawn = Array.from({ length: 50 }, createRegistrationId);

    for (const id of drawn) expect(id).toMatch(/^[A-Za-z0-9_-]{11}:APA91b[A-Za-z0-9_-]{134}$/);
    expect(new Set(drawn).size).toBe(50);
  });

  it('starts every registration ID as an installation ID does, never with an option dash', () => {
    const firsts = new Set(Array.from({ length: 2000 }, () => createRegistrationId()[0]));
    // One in 64 IDs began with "-" before, and `gcmpush ids add phone -xyz...` read it as a flag.
    expect([...firsts].sort()).toEqual(['c', 'd', 'e', 'f']);
  });
});
