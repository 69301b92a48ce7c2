/**
 * Many gcmpush processes changing one config at once, run as child processes of the built CLI
 * (`npm run build` first; `npm test` does it).
 */
import { once } from 'node:events';
import { mkdtempSync, readdirSync, statSync } from 'node:fs';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { beforeEach, describe, expect, it } from 'vitest';
import { runCli, type CliRun } from '../helpers/cli.js';

const PROBE = fileURLToPath(new URL('../helpers/lock-library-probe.cjs', import.meta.url));
const PROCESSES = 20;

let configDir: string;

beforeEach(() => {
  // A folder that does not exist yet: the first writer creates it while the others race it.
  configDir = path.join(mkdtempSync(path.join(tmpdir(), 'gcmpush-concurrency-')), 'config');
});

describe('gcmpush processes that change the config at once', () => {
  it(`keep all ${PROCESSES} names added at the same moment`, { timeout: 60_000 }, async () => {
    const env = { GCMPUSH_CONFIG_DIR: configDir };
    const names = Array.from({ length: PROCESSES }, (_, index) => `name${index}`);
    const runs = await Promise.all(
      names.map((name) => runCli(['ids', 'add', name, `${name}:id`], { env, timeoutMs: 45_000 })),
    );
    expect(runs.map((run) => run.code)).toEqual(names.map(() => 0));
    const list = await runCli(['ids', 'list', '--json'], { env });
    const stored = (JSON.parse(list.stdout) as { name: string }[]).map((entry) => entry.name);
    expect(stored.sort()).toEqual([...names].sort());
    expect(statSync(path.join(configDir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
    // No lock folder and no half-written temporary file is left behind.
    expect(readdirSync(configDir)).toEqual(['config.json']);
  });
});

describe('the lock library', () => {
  const probeEnv = () => ({ GCMPUSH_CONFIG_DIR: configDir, NODE_OPTIONS: `--require ${PROBE}` });

  it('is loaded by a command that writes the config', async () => {
    const run = await runCli(['ids', 'add', 'phone', 'a:1'], { env: probeEnv() });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('lock library loaded: true');
  });

  it.each([
    ['ids', 'list'],
    ['key', 'show'],
  ])('is not loaded by `%s %s`, which only reads', async (...args) => {
    await runCli(['ids', 'add', 'phone', 'a:1'], { env: { GCMPUSH_CONFIG_DIR: configDir } });
    const run = await runCli(args, { env: { ...probeEnv(), GCMPUSH_API_KEY: 'AIzaTestKey1234' } });
    expect(run.code).toBe(0);
    expect(run.stderr).toContain('lock library loaded: false');
  });
});

describe('an ids add while a send is waiting for its answer', () => {
  it('survives the canonical-ID update the send writes afterwards', async () => {
    const env = { GCMPUSH_CONFIG_DIR: configDir, GCMPUSH_API_KEY: 'concurrency-test-key' };
    const oldId = `old-device:${'a'.repeat(140)}`;
    const newId = `new-device:${'b'.repeat(140)}`;
    expect((await runCli(['ids', 'add', 'phone', oldId], { env })).code).toBe(0);
    // The server answers only after another process has added a name: the send read the
    // config before that name existed, and writes the canonical ID after it was added.
    let added: Promise<CliRun> | undefined;
    const server = createServer((request, response) => {
      request.resume();
      added = runCli(['ids', 'add', 'tablet', 'tablet:id'], { env });
      void added.then(() => {
        response.setHeader('content-type', 'application/json');
        response.end(
          JSON.stringify({
            multicast_id: 1,
            success: 1,
            failure: 0,
            canonical_ids: 1,
            results: [{ message_id: '0:1', registration_id: newId }],
          }),
        );
      });
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as AddressInfo;
    try {
      const endpoint = `http://127.0.0.1:${port}/fcm/send`;
      const send = await runCli(['send', '--to', 'phone', '--endpoint', endpoint, '--json'], {
        env,
      });
      expect(send.code, send.stderr).toBe(0);
      expect((await added)?.code).toBe(0);
    } finally {
      server.close();
    }
    const list = await runCli(['ids', 'list', '--json'], { env });
    expect(JSON.parse(list.stdout)).toEqual([
      { name: 'phone', registration_id: newId },
      { name: 'tablet', registration_id: 'tablet:id' },
    ]);
  });
});
