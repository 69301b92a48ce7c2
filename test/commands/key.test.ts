import { statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { resolveApiKey, runKeyRemove, runKeySet, runKeyShow } from '../../src/commands/key.js';
import { UsageError } from '../../src/errors.js';
import { createTempStore, readConfig } from '../helpers/config.js';
import { createTestIo } from '../helpers/io.js';

const KEY = 'AIzaSyA1234567890abcdefghijWXYZ';

describe('key set', () => {
  it('stores the key given as an argument in a 0600 file and shows only its ends', async () => {
    const store = createTempStore();
    const { io, stderr, stdout } = createTestIo();
    await runKeySet(KEY, store, io);
    expect(readConfig(store).api_key).toBe(KEY);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(stderr()).toContain('AIza…WXYZ');
    expect(stderr() + stdout()).not.toContain(KEY);
  });

  it('reads the key from the first line of standard input when none is given', async () => {
    const store = createTempStore();
    const { io } = createTestIo({ stdin: `${KEY}\r\nignored\n` });
    await runKeySet(undefined, store, io);
    expect(readConfig(store).api_key).toBe(KEY);
  });

  it('refuses an empty key and changes nothing', async () => {
    const store = createTempStore({ api_key: 'old-key-0000000000' });
    const { io } = createTestIo({ stdin: '\n' });
    await expect(runKeySet(undefined, store, io)).rejects.toThrow('the API key is empty');
    expect(readConfig(store).api_key).toBe('old-key-0000000000');
  });

  it('refuses a key with spaces', async () => {
    const store = createTempStore();
    await expect(runKeySet('two words', store, createTestIo().io)).rejects.toThrow(/spaces/);
  });

  it('keeps the other entries of the config file', async () => {
    const store = createTempStore({ ids: { phone: 'a:b' }, future_setting: 7 });
    await runKeySet(KEY, store, createTestIo().io);
    expect(readConfig(store)).toEqual({ ids: { phone: 'a:b' }, future_setting: 7, api_key: KEY });
  });
});

describe('key show', () => {
  it('prints the stored key masked, first 4 and last 4 characters', () => {
    const store = createTempStore({ api_key: KEY });
    const { io, stdout } = createTestIo();
    runKeyShow(store, io);
    expect(stdout()).toBe(`AIza…WXYZ (stored in ${store.file})\n`);
  });

  it('says when the key comes from GCMPUSH_API_KEY', () => {
    const store = createTempStore({ api_key: KEY });
    const { io, stdout } = createTestIo({ env: { GCMPUSH_API_KEY: 'envkey-1234567890-abcd' } });
    runKeyShow(store, io);
    expect(stdout()).toBe('envk…abcd (from GCMPUSH_API_KEY, overriding the stored key)\n');
  });

  it('fails with exit 2 and a hint when there is no key', () => {
    const store = createTempStore();
    const error = (() => {
      try {
        runKeyShow(store, createTestIo().io);
      } catch (caught) {
        return caught as UsageError;
      }
    })();
    expect(error).toBeInstanceOf(UsageError);
    expect(error?.exitCode).toBe(2);
    expect(error?.hint).toContain('gcmpush key set');
  });
});

describe('key rm', () => {
  it('deletes the stored key and keeps the names', async () => {
    const store = createTempStore({ api_key: KEY, ids: { phone: 'a:b' } });
    await runKeyRemove(store, createTestIo().io);
    expect(readConfig(store)).toEqual({ ids: { phone: 'a:b' } });
  });

  it('fails when no key is stored', async () => {
    await expect(runKeyRemove(createTempStore(), createTestIo().io)).rejects.toThrow(/no API key/);
  });
});

describe('resolveApiKey', () => {
  it('prefers GCMPUSH_API_KEY over the stored key and ignores it when empty', () => {
    const store = createTempStore({ api_key: KEY });
    expect(resolveApiKey(store, { GCMPUSH_API_KEY: 'from-env' })).toEqual({
      key: 'from-env',
      source: 'env',
    });
    expect(resolveApiKey(store, { GCMPUSH_API_KEY: '' })).toEqual({ key: KEY, source: 'config' });
  });

  it('reports a config file that is not JSON instead of resetting it', () => {
    const store = createTempStore({});
    writeFileSync(store.file, '{"api_key": "x",,}');
    expect(() => resolveApiKey(store, {})).toThrow(/is not valid JSON.*left untouched/);
  });
});
