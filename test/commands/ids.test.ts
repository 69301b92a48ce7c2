import { readFileSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { runIdsAdd, runIdsList, runIdsRemove, runIdsRename } from '../../src/commands/ids.js';
import { UsageError } from '../../src/errors.js';
import { createTempStore, readConfig } from '../helpers/config.js';
import { createTestIo } from '../helpers/io.js';

const LONG_ID = `cXk2_9aB3dE:APA91b${'x'.repeat(140)}`;

describe('ids add', () => {
  it('stores a name with its registration ID', async () => {
    const store = createTempStore();
    await runIdsAdd('phone1', LONG_ID, { force: false }, store, createTestIo().io);
    expect(readConfig(store).ids).toEqual({ phone1: LONG_ID });
  });

  it.each([
    ['an empty name', ''],
    ['a space', 'my phone'],
    ['a slash', 'a/b'],
    ['a name of 65 characters', 'a'.repeat(65)],
    ['a non-ASCII letter', 'téléphone'],
  ])('refuses %s', async (_what, name) => {
    const store = createTempStore();
    await expect(
      runIdsAdd(name, 'a:b', { force: false }, store, createTestIo().io),
    ).rejects.toThrow(/invalid name/);
  });

  it('accepts a name of exactly 64 characters with dots, dashes and underscores', async () => {
    const store = createTempStore();
    const name = `a.b_c-${'d'.repeat(58)}`;
    await runIdsAdd(name, 'a:b', { force: false }, store, createTestIo().io);
    expect(Object.keys(readConfig(store).ids as object)).toEqual([name]);
  });

  it('refuses an ID with a control character', async () => {
    const store = createTempStore();
    await expect(
      runIdsAdd('p', 'a:b\u0007', { force: false }, store, createTestIo().io),
    ).rejects.toThrow(/control characters/);
  });

  it('refuses a name that exists unless --force, and keeps the old ID', async () => {
    const store = createTempStore({ ids: { phone1: 'old:1' } });
    const attempt = runIdsAdd('phone1', 'new:2', { force: false }, store, createTestIo().io);
    await expect(attempt).rejects.toThrow(UsageError);
    expect(readConfig(store).ids).toEqual({ phone1: 'old:1' });
    await runIdsAdd('phone1', 'new:2', { force: true }, store, createTestIo().io);
    expect(readConfig(store).ids).toEqual({ phone1: 'new:2' });
  });
});

describe('ids list', () => {
  it('prints JSON objects with name and registration_id', () => {
    const store = createTempStore({ ids: { b: 'b:1', a: LONG_ID } });
    const { io, stdout } = createTestIo();
    runIdsList({ json: true }, store, io);
    expect(JSON.parse(stdout())).toEqual([
      { name: 'a', registration_id: LONG_ID },
      { name: 'b', registration_id: 'b:1' },
    ]);
  });

  it('prints an empty JSON array when nothing is stored', () => {
    const { io, stdout } = createTestIo();
    runIdsList({ json: true }, createTempStore(), io);
    expect(JSON.parse(stdout())).toEqual([]);
  });

  it('shortens IDs in a table on a terminal', () => {
    const store = createTempStore({ ids: { a: LONG_ID } });
    const { io, stdout } = createTestIo({ tty: true });
    runIdsList({ json: false }, store, io);
    const lines = stdout().trimEnd().split('\n');
    expect(lines[0]).toMatch(/^NAME\s+REGISTRATION ID$/);
    expect(lines[1]).toMatch(/^a\s+cXk2_9aB3dE:APA91bxxxx.*…x+$/);
    expect(lines[1]?.length).toBeLessThan(60);
  });

  it('prints whole IDs, tab-separated, to a pipe', () => {
    const store = createTempStore({ ids: { a: LONG_ID } });
    const { io, stdout } = createTestIo();
    runIdsList({ json: false }, store, io);
    expect(stdout()).toBe(`a\t${LONG_ID}\n`);
  });
});

describe('ids rm', () => {
  it('removes every name given', async () => {
    const store = createTempStore({ ids: { a: 'a:1', b: 'b:1', c: 'c:1' } });
    await runIdsRemove(['a', 'c'], store, createTestIo().io);
    expect(readConfig(store).ids).toEqual({ b: 'b:1' });
  });

  it('removes nothing when one name is unknown', async () => {
    const store = createTempStore({ ids: { a: 'a:1', b: 'b:1' } });
    await expect(runIdsRemove(['a', 'zz'], store, createTestIo().io)).rejects.toThrow(
      'no stored name zz; nothing was removed',
    );
    expect(readConfig(store).ids).toEqual({ a: 'a:1', b: 'b:1' });
  });
});

describe('ids rename', () => {
  it('moves the ID to the new name', async () => {
    const store = createTempStore({ ids: { a: 'a:1' } });
    await runIdsRename('a', 'b', { force: false }, store, createTestIo().io);
    expect(readConfig(store).ids).toEqual({ b: 'a:1' });
  });

  it.each([
    ['an unknown old name', 'zz', 'c', /no stored name zz/],
    ['an invalid new name', 'a', 'bad name', /invalid name/],
    ['an existing new name', 'a', 'b', /b already exists/],
  ])('refuses %s and changes nothing', async (_what, from, to, message) => {
    const store = createTempStore({ ids: { a: 'a:1', b: 'b:1' } });
    const before = readFileSync(store.file, 'utf8');
    await expect(
      runIdsRename(from, to, { force: false }, store, createTestIo().io),
    ).rejects.toThrow(message);
    expect(readFileSync(store.file, 'utf8')).toBe(before);
  });

  it('overwrites an existing new name with --force', async () => {
    const store = createTempStore({ ids: { a: 'a:1', b: 'b:1' } });
    await runIdsRename('a', 'b', { force: true }, store, createTestIo().io);
    expect(readConfig(store).ids).toEqual({ b: 'a:1' });
  });
});

describe('a config file that cannot be read', () => {
  it('is named in the error and left byte for byte as it was', async () => {
    const store = createTempStore({});
    writeFileSync(store.file, '{ not json');
    await expect(runIdsAdd('a', 'a:1', { force: false }, store, createTestIo().io)).rejects.toThrow(
      `config file ${store.file} is not valid JSON`,
    );
    expect(() => runIdsList({ json: true }, store, createTestIo().io)).toThrow(/left untouched/);
    expect(readFileSync(store.file, 'utf8')).toBe('{ not json');
  });
});
