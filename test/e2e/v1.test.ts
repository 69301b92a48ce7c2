/**
 * FCM HTTP v1 end to end: the built CLI with a service-account file, against the emulator's
 * token endpoint and v1 route over loopback. The key pair is generated for the test.
 */
import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { DeviceSpec } from '../../src/emulator/devices.js';
import {
  createServiceAccount,
  type ServiceAccountKey,
} from '../../src/emulator/service-account.js';
import { parseDocument, runCli } from '../helpers/cli.js';

interface SendDocument {
  ok: boolean;
  protocol: string;
  results: Array<Record<string, unknown>>;
}

let emulator: RunningEmulator;
let account: ServiceAccountKey;
let home: string;
let env: NodeJS.ProcessEnv;
let tokenRequests: number;

async function start(port = 0) {
  tokenRequests = 0;
  emulator = await startEmulator({
    port,
    onRequest: (event) => {
      if (event.path === '/token') tokenRequests++;
    },
  });
  emulator.trustServiceAccount(account);
}

beforeEach(async () => {
  home = mkdtempSync(path.join(tmpdir(), 'gcmpush-v1-'));
  // The key file names the emulator's token URL, so the emulator must exist first.
  emulator = await startEmulator({ port: 0 });
  account = createServiceAccount({ tokenUri: emulator.tokenUrl, projectId: 'demo-project' });
  const port = emulator.port;
  await emulator.close();
  await start(port);
  const keyFile = path.join(home, 'key.json');
  writeFileSync(keyFile, JSON.stringify(account), { mode: 0o600 });
  env = {
    GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
    GCMPUSH_CACHE_DIR: path.join(home, 'cache'),
    GCMPUSH_DATA_DIR: path.join(home, 'data'),
    GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    GCMPUSH_ENDPOINT: emulator.origin,
  };
});

afterEach(() => emulator.close());

function device(spec: DeviceSpec = {}): string {
  return emulator.registerDevice(spec).registration_id;
}

async function send(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const run = await runCli(['send', '--json', ...args], { env: { ...env, ...extraEnv } });
  const document = parseDocument<SendDocument>(run);
  return { ...run, document };
}

describe('send over FCM v1 with a service account', () => {
  it('is chosen when there is an account and no key, and reports each token', async () => {
    const first = device();
    const gone = device({ behavior: 'not-registered' });
    const third = device();

    const run = await send([
      '--to',
      [first, gone, third].join(','),
      '--data',
      '{"n":1}',
      '--verbose',
    ]);

    expect(run.code).toBe(1);
    expect(run.document?.protocol).toBe('v1');
    expect(run.stderr).toContain('protocol: v1, project demo-project');
    expect(run.stderr).toContain('sent n as JSON text');
    expect(run.document?.results.map((result) => result.error ?? 'ok')).toEqual([
      'ok',
      'NotRegistered',
      'ok',
    ]);
    expect(run.document?.results[1]).toMatchObject({ status: 'UNREGISTERED', attempts: 1 });
    expect(run.document?.results[0]?.message_id).toMatch(/^projects\/demo-project\/messages\//);
    const inbox = emulator.messages();
    expect(inbox.map((message) => message.registration_id)).toEqual([first, third]);
    expect(inbox[0]).toMatchObject({ protocol: 'v1', data: { n: '1' } });
    expect(tokenRequests).toBe(1);
  });

  it('never prints the private key or the whole access token', async () => {
    const run = await send(['--to', device(), '--verbose']);

    const output = `${run.stdout}${run.stderr}`;
    expect(run.code).toBe(0);
    expect(output).not.toContain(account.private_key.split('\n')[1]);
    expect(output).toMatch(/Bearer \S{4}…\S{4}/);
  });

  it('reuses the cached token in the next run, in a 0600 file', async () => {
    await send(['--to', device()]);
    const second = await send(['--to', device()]);

    expect(second.code).toBe(0);
    expect(tokenRequests).toBe(1);
    const cache = path.join(home, 'cache', 'tokens.json');
    expect(statSync(cache).mode & 0o777).toBe(0o600);
    expect(statSync(path.join(home, 'cache')).mode & 0o777).toBe(0o700);
  });

  it('fetches a new token once when the cached one is refused, then succeeds', async () => {
    await send(['--to', device()]);
    // A restarted emulator knows none of the tokens issued before, as after a key rotation.
    const port = emulator.port;
    await emulator.close();
    await start(port);

    const run = await send(['--to', device()]);

    expect(run.code).toBe(0);
    expect(run.document?.results[0]).toMatchObject({ ok: true, attempts: 2 });
    expect(tokenRequests).toBe(1);
  });

  it('honours a 429 with Retry-After and then delivers once', async () => {
    const id = device();
    emulator.addFault({ status: 429, count: 1, retry_after: '1' });

    const started = Date.now();
    const run = await send(['--to', id]);

    expect(run.code).toBe(0);
    expect(run.document?.results[0]).toMatchObject({ ok: true, attempts: 2 });
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
    expect(emulator.messages()).toHaveLength(1);
  });

  it('exits 3 when the token endpoint refuses a JWT signed with another key', async () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
    const forged = { ...account, private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }) };
    const keyFile = path.join(home, 'forged.json');
    writeFileSync(keyFile, JSON.stringify(forged), { mode: 0o600 });

    const run = await send(['--to', device()], { GOOGLE_APPLICATION_CREDENTIALS: keyFile });

    expect(run.code).toBe(3);
    expect(run.document?.results[0]).toMatchObject({ ok: false, error: 'Unauthorized' });
    expect(run.document?.results[0]?.detail).toContain('invalid_grant');
    expect(emulator.messages()).toEqual([]);
  });

  it('uses the stored account after account set, and legacy when a key is set too', async () => {
    const keyFile = env.GOOGLE_APPLICATION_CREDENTIALS as string;
    const stored = { ...env, GOOGLE_APPLICATION_CREDENTIALS: undefined };
    const set = await runCli(['account', 'set', keyFile], { env: stored });
    const show = await runCli(['account', 'show'], { env: stored });
    const config = readFileSync(path.join(home, 'config', 'config.json'), 'utf8');

    const v1 = await send(['--to', device()], { GOOGLE_APPLICATION_CREDENTIALS: undefined });
    const legacy = await send(['--to', device()], {
      GOOGLE_APPLICATION_CREDENTIALS: undefined,
      GCMPUSH_API_KEY: 'some-key',
    });

    expect(set.code).toBe(0);
    expect(show.stdout).toBe(
      `${account.client_email} (project demo-project, stored in ${path.join(home, 'config', 'config.json')})\n`,
    );
    expect(config).toContain(account.client_email);
    expect(v1.document?.protocol).toBe('v1');
    expect(legacy.document?.protocol).toBe('legacy');
    expect(legacy.code).toBe(0);
  });
});

describe('send --emulator --protocol v1', () => {
  it('runs the whole OAuth flow against a throwaway emulator with no account set', async () => {
    const bare = {
      GCMPUSH_CONFIG_DIR: path.join(home, 'fresh'),
      GCMPUSH_DATA_DIR: path.join(home, 'd'),
    };

    const run = await runCli(
      ['send', '--emulator', '--protocol', 'v1', '--to', 'phone1', '--title', 'Hi', '--json'],
      { env: bare },
    );

    const document = JSON.parse(run.stdout) as SendDocument & { inbox: unknown[] };
    expect(run.code).toBe(0);
    expect(document.protocol).toBe('v1');
    expect(document.inbox).toMatchObject([{ protocol: 'v1', notification: { title: 'Hi' } }]);
  });
});
