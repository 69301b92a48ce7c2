import { mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { runCli } from './helpers/cli.js';

const KEY = 'AIzaSyCliTestKey0123456789abcdWXYZ';
const PHONE = 'cXk2_9aB3dE:APA91bCliPhone';
const ESC = '\u001b[';

let configDir: string;
let env: NodeJS.ProcessEnv;

beforeEach(() => {
  configDir = path.join(mkdtempSync(path.join(tmpdir(), 'gcmpush-cli-')), 'config');
  env = { GCMPUSH_CONFIG_DIR: configDir };
});

/** A loopback GCM server whose answer each test sets. */
let server: Server;
let endpoint: string;
let answer: { status: number; body: string } = { status: 200, body: '' };
const bodies: unknown[] = [];

beforeAll(async () => {
  server = createServer((request, response) => {
    let text = '';
    request.on('data', (chunk: Buffer) => (text += chunk.toString()));
    request.on('end', () => {
      bodies.push(JSON.parse(text));
      response.writeHead(answer.status, { 'Content-Type': 'application/json' });
      response.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fcm/send`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

/** A one-result multicast answer. */
function multicast(result: Record<string, string>): string {
  const failure = 'error' in result ? 1 : 0;
  return JSON.stringify({
    multicast_id: 1,
    success: 1 - failure,
    failure,
    canonical_ids: 0,
    results: [result],
  });
}

describe('gcmpush as a child process', () => {
  it('prints its version and exits 0', async () => {
    const run = await runCli(['--version']);
    const { version } = JSON.parse(readFileSync('package.json', 'utf8')) as { version: string };
    expect(run).toMatchObject({ code: 0, stdout: `${version}\n`, stderr: '' });
  });

  it('lists the exit codes and environment variables in the top-level help', async () => {
    const run = await runCli(['--help']);
    expect(run.code).toBe(0);
    expect(run.stdout).toMatch(/Exit codes:[\s\S]*130[\s\S]*GCMPUSH_API_KEY/);
  });

  it('exits 2 on an unknown option, with a one-line error and nothing on stdout', async () => {
    const run = await runCli(['send', '--bogus'], { env });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr.split('\n')[0]).toBe("gcmpush: unknown option '--bogus'");
  });

  it('tells how to pass a registration ID that starts with a dash, and --force is no ID', async () => {
    const id = `-bc2_9aB3dE:APA91b${'x'.repeat(60)}`;
    const refused = await runCli(['ids', 'add', 'dash', id], { env });
    expect(refused.code).toBe(2);
    expect(refused.stderr.split('\n').slice(0, 2)).toEqual([
      `gcmpush: unknown option '${id}'`,
      `hint: an ID that starts with "-" goes after "--", as in \`-- ${id}\``,
    ]);
    const bogus = await runCli(['ids', 'add', 'dash', '--bogus'], { env });
    expect(bogus.stderr).not.toContain('hint:');
    const added = await runCli(['ids', 'add', 'dash', '--', id], { env });
    expect(added.code, added.stderr).toBe(0);
  });

  it('exits 2 on a missing argument', async () => {
    const run = await runCli(['ids', 'add', 'onlyname'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain("missing required argument 'registration-id'");
  });

  it('stores names in a 0600 file inside a 0700 folder and lists them as JSON', async () => {
    expect((await runCli(['ids', 'add', 'phone', PHONE], { env })).code).toBe(0);
    const list = await runCli(['ids', 'list', '--json'], { env });
    expect(list.code).toBe(0);
    expect(JSON.parse(list.stdout)).toEqual([{ name: 'phone', registration_id: PHONE }]);
    expect(statSync(path.join(configDir, 'config.json')).mode & 0o777).toBe(0o600);
    expect(statSync(configDir).mode & 0o777).toBe(0o700);
  });

  it('reads the key from standard input and never prints it whole', async () => {
    const set = await runCli(['key', 'set'], { env, input: `${KEY}\n` });
    const show = await runCli(['key', 'show'], { env });
    expect(set.code).toBe(0);
    expect(show.stdout).toContain('AIza…WXYZ');
    expect(set.stdout + set.stderr + show.stdout + show.stderr).not.toContain(KEY);
  });

  it('exits 2 when key show finds no key', async () => {
    const run = await runCli(['key', 'show'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain('hint: store one with `gcmpush key set`');
  });

  it('reports a broken config file, exits 2 and leaves it as it was', async () => {
    await runCli(['ids', 'add', 'phone', PHONE], { env });
    const file = path.join(configDir, 'config.json');
    writeFileSync(file, '{"ids": {');
    const run = await runCli(['ids', 'add', 'tablet', 'x:y'], { env });
    expect(run.code).toBe(2);
    expect(run.stderr).toContain(`config file ${file} is not valid JSON`);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(file, 'utf8')).toBe('{"ids": {');
  });
});

describe('gcmpush send as a child process', () => {
  const sendEnv = () => ({ ...env, GCMPUSH_API_KEY: KEY, GCMPUSH_ENDPOINT: endpoint });

  it('prints exactly one JSON document with --json and exits 0', async () => {
    answer = {
      status: 200,
      body: multicast({ message_id: '0:1%x' }),
    };
    const run = await runCli(['send', '--to', PHONE, '--data', '{"msg":"hi"}', '--json'], {
      env: sendEnv(),
    });
    expect(run.code).toBe(0);
    const document = JSON.parse(run.stdout) as { ok: boolean; results: unknown[] };
    expect(document.ok).toBe(true);
    expect(document.results).toHaveLength(1);
    expect(run.stdout).not.toContain(ESC);
  });

  it('lets --endpoint beat GCMPUSH_ENDPOINT', async () => {
    const run = await runCli(['send', '--to', PHONE, '--retries', '0', '--endpoint', endpoint], {
      env: { ...sendEnv(), GCMPUSH_ENDPOINT: 'http://127.0.0.1:1/fcm/send' },
    });
    expect(run.code).toBe(0);
  });

  it('exits 3 and still prints the document when the key is rejected', async () => {
    answer = { status: 401, body: '<HTML>Unauthorized</HTML>' };
    const run = await runCli(['send', '--to', PHONE, '--json'], { env: sendEnv() });
    expect(run.code).toBe(3);
    expect(JSON.parse(run.stdout).results[0].error).toBe('Unauthorized');
  });

  it('exits 4 with Unreachable when nothing listens at the endpoint', async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const run = await runCli(['send', '--to', PHONE, '--json', '--retries', '0'], {
      env: { ...sendEnv(), GCMPUSH_ENDPOINT: `http://127.0.0.1:${port}/fcm/send` },
    });
    expect(run.code).toBe(4);
    const result = JSON.parse(run.stdout).results[0];
    expect(result).toMatchObject({ ok: false, error: 'Unreachable' });
    expect(result.detail).toContain('connection refused');
  });

  it('exits 1 when a recipient fails, with plain tab-separated rows on a pipe', async () => {
    answer = {
      status: 200,
      body: multicast({ error: 'NotRegistered' }),
    };
    const run = await runCli(['send', '--to', PHONE], { env: { ...sendEnv(), FORCE_COLOR: '' } });
    expect(run.code).toBe(1);
    expect(run.stdout).toBe(`${PHONE}\tfailed\tNotRegistered\t-\t1\n`);
  });

  it('exits 2 on bad input with nothing on stdout and nothing sent', async () => {
    const before = bodies.length;
    const run = await runCli(['send', '--to', PHONE, '--data', '{"from":"me"}', '--json'], {
      env: sendEnv(),
    });
    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toMatch(/^gcmpush: reserved data key from\nhint: /);
    expect(bodies.length).toBe(before);
  });
});
