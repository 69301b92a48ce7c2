import {
  existsSync,
  mkdirSync,
  readdirSync,
  readFileSync,
  utimesSync,
  writeFileSync,
} from 'node:fs';
import { lock } from 'proper-lockfile';
import { describe, expect, it } from 'vitest';
import { runIdsAdd } from '../../src/commands/ids.js';
import { ConfigStore } from '../../src/config/store.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { createTempStore, readConfig } from '../helpers/config.js';
import { createTestIo } from '../helpers/io.js';

/** A fake clock that moves only when the store sleeps, and the pauses it was asked for. */
function createFakeTime(onSleep: (pauses: number[]) => Promise<void> | void = () => undefined) {
  let clock = 1_000_000;
  const pauses: number[] = [];
  return {
    pauses,
    now: () => clock,
    sleep: async (ms: number) => {
      pauses.push(ms);
      clock += ms;
      await onSleep(pauses);
    },
  };
}

/** Holds the lock the way another gcmpush process would, through the same library. */
function holdLock(store: ConfigStore) {
  return lock(store.file, { lockfilePath: store.lockPath, realpath: false });
}

describe('a config change while another process holds the lock', () => {
  it('waits, then keeps what the holder wrote (a canonical ID after an ids add)', async () => {
    const { dir, file } = createTempStore({ ids: { phone: 'old:1' } });
    const other = new ConfigStore(dir);
    const release = await holdLock(other);
    // The holder adds a name while the send's canonical-ID update waits, then lets go.
    const time = createFakeTime(async (pauses) => {
      if (pauses.length !== 2) return;
      writeFileSync(file, JSON.stringify({ ids: { phone: 'old:1', tablet: 'tab:1' } }));
      await release();
    });
    const sender = new ConfigStore(dir, time);
    await sender.update((data) => {
      if (data.ids?.phone === 'old:1') data.ids = { ...data.ids, phone: 'canonical:1' };
    });
    expect(time.pauses).toEqual([20, 40]);
    expect(readConfig(sender).ids).toEqual({ phone: 'canonical:1', tablet: 'tab:1' });
    expect(readdirSync(dir)).toEqual(['config.json']);
  });

  it('gives up after the wait limit with the lock path and what to do', async () => {
    const store = createTempStore({ ids: { phone: 'old:1' } });
    mkdirSync(store.lockPath);
    const before = readFileSync(store.file, 'utf8');
    const time = createFakeTime();
    const waiting = new ConfigStore(store.dir, { ...time, limitMs: 1000 });
    const attempt = runIdsAdd('tablet', 'tab:1', { force: false }, waiting, createTestIo().io);
    await expect(attempt).rejects.toThrow(
      `the config file is locked: ${waiting.lockPath} was still there after 1 s`,
    );
    await expect(attempt).rejects.toMatchObject({
      exitCode: 2,
      hint: `another gcmpush is writing the config; if none is running, remove ${waiting.lockPath}`,
    });
    // Doubling pauses, the last one cut to the time that was left.
    expect(time.pauses).toEqual([20, 40, 80, 160, 320, 380]);
    expect(readFileSync(store.file, 'utf8')).toBe(before);
    // Someone else's fresh lock is theirs to remove.
    expect(existsSync(store.lockPath)).toBe(true);
  });

  it('takes over a lock left by a process that crashed', async () => {
    const store = createTempStore({ ids: { phone: 'old:1' } });
    mkdirSync(store.lockPath);
    const aMinuteAgo = new Date(Date.now() - 60_000);
    utimesSync(store.lockPath, aMinuteAgo, aMinuteAgo);
    const time = createFakeTime();
    const writer = new ConfigStore(store.dir, time);
    await runIdsAdd('tablet', 'tab:1', { force: false }, writer, createTestIo().io);
    expect(time.pauses).toEqual([]);
    expect(readConfig(store).ids).toEqual({ phone: 'old:1', tablet: 'tab:1' });
    expect(existsSync(store.lockPath)).toBe(false);
  });
});

describe('the lock of a single config change', () => {
  it('works on a config folder that does not exist yet, and is gone afterwards', async () => {
    const store = createTempStore();
    expect(existsSync(store.dir)).toBe(false);
    await runIdsAdd('phone', 'a:1', { force: false }, store, createTestIo().io);
    expect(readdirSync(store.dir)).toEqual(['config.json']);
  });

  it('is released when the change is refused, so the next change needs no wait', async () => {
    const time = createFakeTime();
    const store = new ConfigStore(createTempStore({ ids: { phone: 'a:1' } }).dir, time);
    const refused = runIdsAdd('phone', 'b:2', { force: false }, store, createTestIo().io);
    await expect(refused).rejects.toThrow(UsageError);
    await runIdsAdd('tablet', 'c:3', { force: false }, store, createTestIo().io);
    expect(time.pauses).toEqual([]);
    expect(readConfig(store).ids).toEqual({ phone: 'a:1', tablet: 'c:3' });
    expect(existsSync(store.lockPath)).toBe(false);
  });

  it('is released when the file is not valid JSON, which is reported and kept', async () => {
    const store = createTempStore({});
    writeFileSync(store.file, '{"ids": {');
    const attempt = runIdsAdd('phone', 'a:1', { force: false }, store, createTestIo().io);
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(`config file ${store.file} is not valid JSON`);
    expect(readFileSync(store.file, 'utf8')).toBe('{"ids": {');
    expect(existsSync(store.lockPath)).toBe(false);
  });
});
