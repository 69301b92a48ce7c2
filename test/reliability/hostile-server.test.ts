/**
 * Hostile answers one level up (issue 6): the built CLI against a loopback server that answers
 * a hostile body ends with exit 1 or 4, one JSON document on stdout and no stack trace; and an
 * endless body is cut off at the transport's bound instead of being buffered.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSendCommand, toSendFlags } from '../../src/commands/send.js';
import { MAX_RESPONSE_BYTES } from '../../src/transport/http.js';
import { parseDocument, runCli, type CliRun } from '../helpers/cli.js';
import { createTempStore } from '../helpers/config.js';
import { createTestIo } from '../helpers/io.js';
import { accountJson, createTestKeys } from '../helpers/service-account.js';

const KEY = 'AIzaSyHostileServerKey0123456789abcdefgh';
const DEVICE = 'hostile0000:APA91b-a-device-of-the-hostile-server-test';
const ESCAPES = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/;

/** What the server answers to the next send; the token endpoint always grants a token. */
interface Answer {
  status: number;
  body: string | Buffer;
  type?: string;
}

const GRANT: Answer = {
  status: 200,
  body: JSON.stringify({ access_token: 'ya29.hostile', token_type: 'Bearer', expires_in: 3600 }),
};

let answer: Answer = { status: 200, body: '' };
let grant = GRANT;
let server: Server;
let home: string;
let origin: string;
let env: NodeJS.ProcessEnv;

function reply(response: ServerResponse, { status, body, type }: Answer) {
  response.writeHead(status, { 'content-type': type ?? 'application/json' });
  response.end(body);
}

beforeAll(async () => {
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => reply(response, request.url === '/token' ? grant : answer));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  home = mkdtempSync(path.join(tmpdir(), 'gcmpush-hostile-'));
  const keyFile = path.join(home, 'key.json');
  const account = accountJson(createTestKeys().privatePem, { token_uri: `${origin}/token` });
  writeFileSync(keyFile, JSON.stringify(account), { mode: 0o600 });
  env = {
    GCMPUSH_API_KEY: KEY,
    GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
    GCMPUSH_NO_HISTORY: '1',
  };
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

function send(protocol: 'legacy' | 'v1', extra: string[] = ['--json']): Promise<CliRun> {
  const endpoint = protocol === 'legacy' ? `${origin}/fcm/send` : origin;
  const args = ['send', '--to', DEVICE, '--protocol', protocol, '--endpoint', endpoint];
  // A fresh token cache each run, so each v1 run asks the token endpoint.
  const cache = mkdtempSync(path.join(home, 'cache-'));
  const runEnv = { ...env, GCMPUSH_CACHE_DIR: cache };
  return runCli([...args, '--retries', '0', '--timeout', '5', ...extra], { env: runEnv });
}

function expectNoCrash(run: CliRun) {
  expect(run.stderr).not.toMatch(/^\s+at /m);
  expect(run.stderr).not.toContain('internal error');
  expect(`${run.stdout}${run.stderr}`).not.toContain(KEY);
}

const served = (status: number, body: string | Buffer, type?: string): Answer => ({
  status,
  body,
  ...(type && { type }),
});
const html = (status: number) => served(status, '<html><h1>Bad Gateway</h1></html>', 'text/html');

const HOSTILE: Array<[string, 'legacy' | 'v1', Answer, number]> = [
  ['a 200 cut off mid-JSON', 'legacy', served(200, '{"results":[{"message_id":"0:1'), 1],
  ['an HTML page with 200', 'legacy', html(200), 1],
  ['more results than IDs', 'legacy', served(200, '{"results":[{"error":"X"},{}]}'), 1],
  ['claims of Interrupted', 'legacy', served(200, '{"results":[{"error":"Interrupted"}]}'), 1],
  ['a message_id with escapes', 'legacy', served(200, '{"results":[{"message_id":"\\u001b"}]}'), 1],
  ['invalid UTF-8', 'legacy', served(200, Buffer.from([0x7b, 0xff, 0xfe, 0x22, 0xc3])), 1],
  ['a 400 that echoes the key', 'legacy', served(400, `\u001b[31mkey=${KEY} is bad\n`), 1],
  ['a 502 HTML page', 'legacy', html(502), 4],
  ['an error status of __proto__', 'v1', served(418, '{"error":{"status":"__proto__"}}'), 1],
  ['a message name with escapes', 'v1', served(200, '{"name":"projects/p/\\u009b2J"}'), 1],
  ['a number past 2^64 as the name', 'v1', served(200, `{"name":${'9'.repeat(30)}}`), 1],
  // v1 reads 503 as the recipient's UNAVAILABLE, a per-recipient failure: exit 1.
  ['a 503 HTML page', 'v1', html(503), 1],
];

describe('the CLI against a hostile server', () => {
  it.each(HOSTILE)('ends cleanly on %s (%s)', async (_what, protocol, hostile, code) => {
    answer = hostile;

    const run = await send(protocol);

    expectNoCrash(run);
    expect(run.code).toBe(code);
    const document = parseDocument<{ results: Array<Record<string, string>> }>(run);
    expect(document?.results).toHaveLength(1);
    for (const value of Object.values(document?.results[0] ?? {})) {
      expect(String(value)).not.toMatch(ESCAPES);
    }
  });

  it('prints no escape sequence a server sent into the plain-text table either', async () => {
    answer = { status: 200, body: '{"results":[{"error":"\\u001b]0;owned\\u0007"}]}' };

    const run = await send('legacy', []);

    expectNoCrash(run);
    expect(run.code).toBe(1);
    expect(run.stdout).toContain('InvalidResponse');
    expect(`${run.stdout}${run.stderr}`).not.toMatch(ESCAPES);
  });

  it('exits 3 with a clear error when the token endpoint sends a token_type object', async () => {
    const body = '{"access_token":"ya29.x","token_type":{"toString":1},"expires_in":3600}';
    grant = { status: 200, body };
    try {
      const run = await send('v1');

      expectNoCrash(run);
      expect(run.code).toBe(3);
      const document = parseDocument<{ results: Array<Record<string, string>> }>(run);
      expect(document?.results[0]).toMatchObject({ ok: false, error: 'Unauthorized' });
      expect(document?.results[0]?.detail).toContain('a token that is not a Bearer token');
    } finally {
      grant = GRANT;
    }
  });
});

describe('an answer larger than the bound', () => {
  /** Writes 64 KiB chunks until the client goes away or 64 MiB are out, then ends. */
  function startEndlessServer() {
    let closed: (early: boolean) => void = () => {};
    const seen = { written: 0, closed: new Promise<boolean>((resolve) => (closed = resolve)) };
    const endless = createServer((request, response) => {
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      response.writeHead(200, { 'content-type': 'application/json' });
      response.on('close', () => closed(!response.writableFinished));
      const pump = () => {
        while (!response.destroyed && seen.written < 64 * 1024 * 1024) {
          seen.written += chunk.length;
          if (!response.write(chunk)) return void response.once('drain', pump);
        }
        if (!response.destroyed) response.end();
      };
      request.resume();
      request.on('end', pump);
    });
    return { endless, seen };
  }

  it('cuts the answer off, closes the connection and ends the send with a clear error', async () => {
    const { endless, seen } = startEndlessServer();
    await new Promise<void>((resolve) => endless.listen(0, '127.0.0.1', resolve));
    const port = (endless.address() as AddressInfo).port;
    const capture = createTestIo({ env: { GCMPUSH_API_KEY: KEY, GCMPUSH_NO_HISTORY: '1' } });
    const flags = toSendFlags({
      to: [DEVICE],
      protocol: 'legacy',
      endpoint: `http://127.0.0.1:${port}/fcm/send`,
      retries: '0',
      json: true,
    });
    try {
      const code = await runSendCommand(flags, capture.io, { store: createTempStore() });

      const document = JSON.parse(capture.stdout()) as { results: Array<Record<string, string>> };
      expect(code).toBe(4);
      expect(document.results[0]).toMatchObject({ ok: false, error: 'Unreachable' });
      expect(document.results[0]?.detail).toContain(
        `the answer was cut off: the answer is larger than ${MAX_RESPONSE_BYTES} bytes`,
      );
      // Socket buffers on both sides hold some megabytes more; an unbounded reader takes all 64.
      expect(await seen.closed).toBe(true);
      expect(seen.written).toBeLessThan(MAX_RESPONSE_BYTES + 32 * 1024 * 1024);
    } finally {
      endless.closeAllConnections();
      await new Promise((resolve) => endless.close(resolve));
    }
  });
});
