/** A private config folder per test, so no test reads or writes the user's real config. */
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { ConfigStore } from '../../src/config/store.js';

export function createTempStore(contents?: object): ConfigStore {
  const dir = mkdtempSync(path.join(tmpdir(), 'gcmpush-test-'));
  const store = new ConfigStore(path.join(dir, 'config'));
  if (contents !== undefined) {
    mkdirSync(store.dir, { mode: 0o700 });
    writeFileSync(store.file, JSON.stringify(contents), { mode: 0o600 });
  }
  return store;
}

export function readConfig(store: ConfigStore): Record<string, unknown> {
  return JSON.parse(readFileSync(store.file, 'utf8')) as Record<string, unknown>;
}
