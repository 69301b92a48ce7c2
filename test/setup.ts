/**
 * Every test run gets a home folder of its own, so nothing a test does (config, token cache,
 * send history) can read or write the real user's files, in this process or in the CLI
 * processes the tests start.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';

process.env.HOME = mkdtempSync(path.join(tmpdir(), 'gcmpush-home-'));
for (const name of [
  'XDG_CONFIG_HOME',
  'XDG_CACHE_HOME',
  'XDG_DATA_HOME',
  'GCMPUSH_CONFIG_DIR',
  'GCMPUSH_CACHE_DIR',
  'GCMPUSH_DATA_DIR',
  'GCMPUSH_API_KEY',
  'GCMPUSH_ENDPOINT',
  'GOOGLE_APPLICATION_CREDENTIALS',
]) {
  delete process.env[name];
}
