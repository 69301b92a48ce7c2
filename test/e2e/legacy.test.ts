/**
 * The built CLI as a child process against the emulator over real loopback HTTP: what a CI
 * pipeline or a shell script sees, exit codes and stdout purity included.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createInterface } from 'node:readline';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { startEmulator, type RunningEmulator } from '../../src/emulator/server.js';
import type { DeviceSpec } from '../../src/emulator/devices.js';
import { BIN, parseDocument, runCli } from '../helpers/cli.js';

const KEY = 'AIzaSyE2eTestKey0123456789abcdWXYZ';

interface SendDocument {
  send_id: string;
  ok: boolean;
  success: number;
  failure: number;
  canonical_ids: number;
  multicast_ids: string[];
  results: Array<Record<string, unknown>>;
}

let emulator: RunningEmulator;
let sends: number;
let home: string;
let env: NodeJS.ProcessEnv;

beforeEach(async () => {
  sends = 0;
  emulator = await startEmulator({
    port: 0,
    keys: [KEY],
    onRequest: (event) => {
      if (event.path === '/fcm/send') sends++;
    },
  });
  home = mkdtempSync(path.join(tmpdir(), 'gcmpush-e2e-'));
  env = {
    GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
    GCMPUSH_DATA_DIR: path.join(home, 'data'),
    GCMPUSH_API_KEY: KEY,
    GCMPUSH_ENDPOINT: emulator.url,
  };
});

afterEach(() => emulator.close());

function device(spec: DeviceSpec = {}): string {
  return emulator.registerDevice(spec).registration_id;
}

async function addName(name: string, id: string) {
  const run = await runCli(['ids', 'add', name, id], { env });
  expect(run.code, run.stderr).toBe(0);
}

async function send(args: string[], extraEnv: NodeJS.ProcessEnv = {}) {
  const run = await runCli(['send', '--json', ...args], { env: { ...env, ...extraEnv } });
  const document = parseDocument<SendDocument>(run);
  return { ...run, document };
}

function storedIds(): Record<string, string> {
  const file = path.join(home, 'config', 'config.json');
  return (JSON.parse(readFileSync(file, 'utf8')) as { ids: Record<string, string> }).ids;
}

describe('send against the emulator', () => {
  it('delivers to every device, exits 0, and the inbox holds the payload', async () => {
    const phone = device();
    const tablet = device();
    await addName('phone', phone);
    await addName('tablet', tablet);

    const run = await send(['--to', 'phone,tablet', '--data', '{"msg":"hi"}', '--title', 'T']);

    expect(run.code).toBe(0);
    expect(run.document).toMatchObject({ ok: true, success: 2, failure: 0 });
    expect(run.document?.results.map((result) => result.target)).toEqual(['phone', 'tablet']);
    const inbox = emulator.messages();
    expect(inbox.map((message) => message.registration_id)).toEqual([phone, tablet]);
    expect(inbox[0]).toMatchObject({ data: { msg: 'hi' }, notification: { title: 'T' } });
    expect(inbox[0]?.message_id).toBe(run.document?.results[0]?.message_id);
  });

  it('reports each per-ID error against its own ID and exits 1', async () => {
    const ok = device();
    const gone = device({ behavior: 'not-registered' });
    const otherApp = device({ package: 'com.other.app' });
    const madeUp = 'zzzzzzzzzzz:APA91b-this-id-was-never-issued-by-the-emulator';

    const run = await send([
      '--to',
      [ok, gone, otherApp, madeUp].join(','),
      '--restricted-package-name',
      'com.example.app',
    ]);

    expect(run.code).toBe(1);
    expect(run.document?.results.map((result) => result.error ?? 'ok')).toEqual([
      'ok',
      'NotRegistered',
      'InvalidPackageName',
      'InvalidRegistration',
    ]);
    expect(emulator.messages().map((message) => message.registration_id)).toEqual([ok]);
  });

  it('writes a canonical ID to the config, and the next send uses it', async () => {
    const old = device({ behavior: 'canonical' });
    await addName('phone', old);

    const first = await send(['--to', 'phone']);
    const canonical = first.document?.results[0]?.canonical_registration_id as string;
    const second = await send(['--to', 'phone']);

    expect(first.code).toBe(0);
    expect(canonical).toMatch(/^[\w-]{11}:/);
    expect(first.stderr).toContain('Updated phone to its canonical registration ID');
    expect(storedIds().phone).toBe(canonical);
    expect(second.code).toBe(0);
    expect(second.document?.results[0]).toMatchObject({ registration_id: canonical, ok: true });
  });

  it('prunes names the emulator no longer knows', async () => {
    await addName('gone', device({ behavior: 'not-registered' }));
    await addName('kept', device());

    const run = await send(['--all', '--prune']);

    expect(run.code).toBe(1);
    expect(run.stderr).toContain('Pruned gone (NotRegistered)');
    expect(Object.keys(storedIds())).toEqual(['kept']);
  });

  it('sends again only the IDs that were Unavailable, until they clear', async () => {
    const steady = device();
    const flaky = device({ behavior: 'unavailable', times: 1 });
    const failing = device({ behavior: 'internal-error', times: 1 });

    const run = await send(['--to', [steady, flaky, failing].join(',')]);

    expect(run.code).toBe(0);
    expect(run.document?.results.map((result) => result.attempts)).toEqual([1, 2, 2]);
    expect(run.stderr).toMatch(/retrying 2 recipients in \d\.\d s, attempt 2 of 6/);
    expect(sends).toBe(2);
    const delivered = emulator.messages().map((message) => message.registration_id);
    expect(delivered).toEqual([steady, flaky, failing]);
  });

  it('honours a 503 with Retry-After and then succeeds', async () => {
    const id = device();
    emulator.addFault({ status: 503, count: 1, retry_after: '1' });

    const started = Date.now();
    const run = await send(['--to', id]);

    expect(run.code).toBe(0);
    expect(run.document?.results[0]).toMatchObject({ ok: true, attempts: 2 });
    expect(sends).toBe(2);
    // Retry-After is a minimum: the retry cannot have gone out sooner than a second later.
    expect(Date.now() - started).toBeGreaterThanOrEqual(1000);
  });

  it('retries a connection dropped mid-answer, and the device keeps that first copy', async () => {
    const id = device();
    emulator.addFault({ drop: 1 });

    const run = await send(['--to', id]);

    expect(run.code).toBe(0);
    expect(run.document?.results[0]).toMatchObject({ ok: true, attempts: 2 });
    // The drop came after the work was done: a 5xx or a lost answer does not prove
    // non-delivery, so the device holds two copies.
    expect(emulator.messages()).toHaveLength(2);
  });

  it('exits 4 with Unreachable when 503s outlast the retries', async () => {
    const id = device();
    emulator.addFault({ status: 503, count: 5 });

    const run = await send(['--to', id, '--retries', '0']);

    expect(run.code).toBe(4);
    expect(run.document?.results[0]).toMatchObject({ ok: false, error: 'Unreachable' });
    expect(run.document?.results[0]?.detail).toContain('503');
  });

  it('exits 3 with Unauthorized when the key is wrong, and still prints the document', async () => {
    const id = device();

    const run = await send(['--to', id], { GCMPUSH_API_KEY: 'not-the-key' });

    expect(run.code).toBe(3);
    expect(run.document?.results[0]).toMatchObject({ ok: false, error: 'Unauthorized' });
    expect(`${run.stdout}${run.stderr}`).not.toContain('not-the-key');
  });

  it('leaves the inbox empty with --dry-run', async () => {
    const id = device();

    const run = await send(['--to', id, '--dry-run', '--data', '{"a":"b"}']);

    expect(run.code).toBe(0);
    expect(run.document).toMatchObject({ ok: true, dry_run: true });
    expect(emulator.messages()).toEqual([]);
  });

  it('splits 2500 recipients into three requests and delivers each once', async () => {
    const ids = Array.from({ length: 2500 }, () => device());
    const file = path.join(home, 'ids.txt');
    writeFileSync(file, `# fleet\n${ids.join('\n')}\n`);

    const run = await send(['--to-file', file]);

    expect(run.code).toBe(0);
    expect(run.document?.success).toBe(2500);
    expect(run.document?.multicast_ids).toHaveLength(3);
    expect(sends).toBe(3);
    const delivered = new Set(emulator.messages().map((message) => message.registration_id));
    expect(delivered.size).toBe(2500);
  });

  it('reads the inbox back with gcmpush inbox, by stored name', async () => {
    const phone = device();
    await addName('phone', phone);
    await send(['--to', 'phone', '--data', '{"n":"1"}']);

    const table = await runCli(['inbox', '--to', 'phone'], { env });
    const json = await runCli(['inbox', '--json'], { env });

    expect(table.code).toBe(0);
    expect(table.stdout.split('\t')[1]).toBe('phone');
    expect(JSON.parse(json.stdout)).toMatchObject([{ registration_id: phone, data: { n: '1' } }]);
  });
});

describe('send --emulator', () => {
  it('works with no key and no config, and writes no config', async () => {
    const bare = { GCMPUSH_CONFIG_DIR: path.join(home, 'fresh') };

    const run = await runCli(['send', '--emulator', '--to', 'phone1', '--data', '{"msg":"hi"}'], {
      env: bare,
    });

    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/^phone1\tok\t0:\d+%\w+\t-\t1\n$/);
    expect(run.stderr).toContain('{"data":{"msg":"hi"}}');
    expect(() => readFileSync(path.join(home, 'fresh', 'config.json'))).toThrow(/ENOENT/);
  });

  it('puts what each device received into the --json document', async () => {
    const run = await runCli(['send', '--emulator', '--to', 'a,b', '--title', 'x', '--json'], {
      env: { GCMPUSH_CONFIG_DIR: path.join(home, 'fresh') },
    });

    const document = JSON.parse(run.stdout) as SendDocument & { inbox: unknown[] };
    expect(run.code).toBe(0);
    expect(document.results.map((result) => result.target)).toEqual(['a', 'b']);
    expect(document.inbox).toHaveLength(2);
  });

  it('refuses an invalid name before starting anything', async () => {
    const run = await runCli(['send', '--emulator', '--to', 'bad name!'], {
      env: { GCMPUSH_CONFIG_DIR: path.join(home, 'fresh') },
    });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('invalid name "bad name!"');
  });
});

describe('gcmpush emulator as a process', () => {
  it('prints its send URL first, serves sends and the inbox, and exits 0 on SIGTERM', async () => {
    const server = spawn(process.execPath, [BIN, 'emulator', '--port', '0', '--key', KEY], {
      env: { PATH: process.env.PATH },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    const exited = new Promise<number | null>((resolve) => server.on('close', resolve));
    const lines = createInterface({ input: server.stdout });
    const [url] = (await once(lines, 'line')) as [string];
    const origin = new URL(url).origin;
    const created = await fetch(`${origin}/emulator/devices`, { method: 'POST', body: '{}' });
    const { registration_id: id } = (await created.json()) as { registration_id: string };

    const run = await send(['--to', id, '--title', 'hi'], { GCMPUSH_ENDPOINT: url });
    const inbox = await runCli(['inbox', '--json', '--endpoint', url], { env });
    server.kill('SIGTERM');

    expect(url).toMatch(/^http:\/\/127\.0\.0\.1:\d+\/fcm\/send$/);
    expect(run.code).toBe(0);
    expect(JSON.parse(inbox.stdout)).toMatchObject([{ registration_id: id }]);
    expect(await exited).toBe(0);
  });
});

describe('the send history', () => {
  it('records each send, lists it, and repeats only the failed recipients with --again', async () => {
    const ok = device();
    const flaky = device({ behavior: 'unavailable', times: 1 });
    await addName('ok', ok);
    await addName('flaky', flaky);

    const first = await send(['--to', 'ok,flaky', '--data', '{"n":"1"}', '--retries', '0']);
    const list = await runCli(['history', '--json'], { env });
    const records = JSON.parse(list.stdout) as Array<Record<string, unknown>>;
    const sendId = first.document?.send_id as string;
    const again = await send(['--again', sendId.slice(0, 13), '--failed-only']);

    expect(first.code).toBe(1);
    expect(records).toHaveLength(1);
    expect(records[0]).toMatchObject({
      send_id: sendId,
      protocol: 'legacy',
      targets: ['ok', 'flaky'],
      message: { data: { n: '1' } },
      success: 1,
      failure: 1,
    });
    expect(JSON.stringify(records)).not.toContain(KEY);
    expect(again.code).toBe(0);
    expect(again.document?.results.map((result) => result.target)).toEqual(['flaky']);
    expect(emulator.messages().map((message) => message.registration_id)).toEqual([ok, flaky]);
    expect(emulator.messages()[1]?.data).toEqual({ n: '1' });
  });

  it('records nothing with --no-history or GCMPUSH_NO_HISTORY=1', async () => {
    const id = device();

    await send(['--to', id, '--no-history']);
    await send(['--to', id], { GCMPUSH_NO_HISTORY: '1' });
    const list = await runCli(['history', '--json'], { env });

    expect(JSON.parse(list.stdout)).toEqual([]);
  });

  it('refuses --again with a message flag, sending nothing', async () => {
    const id = device();
    const first = await send(['--to', id]);

    const again = await send(['--again', first.document?.send_id as string, '--title', 'x']);

    expect(again.code).toBe(2);
    expect(again.stdout).toBe('');
    expect(again.stderr).toContain('--again repeats a recorded send as it was');
    expect(emulator.messages()).toHaveLength(1);
  });
});
