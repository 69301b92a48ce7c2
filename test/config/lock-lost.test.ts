/**
 * proper-lockfile reports a lock it finds taken over through onCompromised, and its default
 * there throws from a timer, which would crash gcmpush. The library is replaced here by one
 * that reports the loss at once, before the store writes.
 */
import { readFileSync } from 'node:fs';
import type { LockOptions } from 'proper-lockfile';
import { describe, expect, it, vi } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { createTempStore } from '../helpers/config.js';

const lockfile = vi.hoisted(() => ({ release: vi.fn(async () => undefined) }));

vi.mock('proper-lockfile', () => {
  const lock = async (_file: string, options: LockOptions) => {
    options.onCompromised?.(new Error('Unable to update lock within the stale threshold'));
    return lockfile.release;
  };
  return { default: { lock }, lock };
});

describe('a lock that the library reports lost', () => {
  it('is a ConfigError, and the config is not written', async () => {
    const store = createTempStore({ ids: { phone: 'a:1' } });
    const before = readFileSync(store.file, 'utf8');
    const attempt = store.update((data) => {
      data.ids = { ...data.ids, tablet: 'b:2' };
    });
    await expect(attempt).rejects.toThrow(ConfigError);
    await expect(attempt).rejects.toThrow(
      `lost the lock ${store.lockPath} while changing the config (Unable to update lock`,
    );
    expect(readFileSync(store.file, 'utf8')).toBe(before);
    expect(lockfile.release).toHaveBeenCalledOnce();
  });
});
