/**
 * Ctrl-C during a send, as a user at a terminal or a CI runner cancelling a job does it: the
 * built CLI gets SIGINT while a request is in flight or while it waits to retry, and must stop
 * at once, print what it has, exit 130 and leave the config as it was.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BIN, parseDocument, type CliRun } from '../helpers/cli.js';

const PHONE = 'cXk2_9aB3dE:APA91bInterruptPhone';
const TABLET = 'dYl3_0bC4eF:APA91bInterruptTablet';

let server: Server;
let endpoint: string;
let answer: (response: ServerResponse) => void;
let arrived: () => void;
let held: ServerResponse[];
let home: string;
let configFile: string;

beforeEach(async () => {
  held = [];
  server = createServer((request, response) => {
    request.resume();
    request.on('end', () => {
      answer(response);
      arrived();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}/fcm/send`;
  home = mkdtempSync(path.join(tmpdir(), 'gcmpush-interrupt-'));
  configFile = path.join(home, 'config', 'config.json');
  const { mkdirSync } = await import('node:fs');
  mkdirSync(path.dirname(configFile), { mode: 0o700 });
  const config = { api_key: 'AIzaInterruptKey0123456789', ids: { phone: PHONE, tablet: TABLET } };
  writeFileSync(configFile, `${JSON.stringify(config, null, 2)}\n`, { mode: 0o600 });
});

afterEach(async () => {
  held.forEach((response) => response.destroy());
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

/** When to press Ctrl-C: once the server has seen N requests, or once stderr says something. */
type Moment = { requests: number } | { stderr: string };

/** Starts a send and interrupts it at `moment`. */
async function interruptSend(args: string[], moment: Moment): Promise<CliRun> {
  const env = { PATH: process.env.PATH, HOME: home, GCMPUSH_CONFIG_DIR: path.dirname(configFile) };
  const child = spawn(process.execPath, [BIN, 'send', '--endpoint', endpoint, ...args], {
    env: { ...env, GCMPUSH_DATA_DIR: path.join(home, 'data') },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let sentSignal = false;
  const interrupt = () => {
    if (sentSignal) return;
    sentSignal = true;
    child.kill('SIGINT');
  };
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  let requests = 0;
  child.stderr.on('data', (chunk: Buffer) => {
    stderr += chunk.toString();
    if ('stderr' in moment && stderr.includes(moment.stderr)) interrupt();
  });
  arrived = () => {
    requests++;
    if ('requests' in moment && requests >= moment.requests) setImmediate(interrupt);
  };
  return new Promise((resolve) => {
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

interface Document {
  ok: boolean;
  results: Array<{ target: string; ok: boolean; error?: string; detail?: string }>;
}

describe('Ctrl-C during a send', () => {
  it('stops a request in flight, prints the document with Interrupted, and exits 130', async () => {
    answer = (response) => held.push(response);
    const before = readFileSync(configFile, 'utf8');

    const run = await interruptSend(['--to', 'phone,tablet', '--json'], { requests: 1 });

    const document = parseDocument<Document>(run);
    expect(run.code).toBe(130);
    expect(document?.results).toEqual([
      expect.objectContaining({ target: 'phone', ok: false, error: 'Interrupted' }),
      expect.objectContaining({ target: 'tablet', ok: false, error: 'Interrupted' }),
    ]);
    expect(run.stderr).not.toMatch(/\n\s+at /);
    expect(readFileSync(configFile, 'utf8')).toBe(before);
  });

  it('ends a back-off wait at once and says what it was waiting for', async () => {
    // A 503 asking for half a minute: the send would sit in its wait if Ctrl-C did not end it.
    answer = (response) => {
      response.writeHead(503, { 'retry-after': '30', 'content-type': 'text/html' });
      response.end('<html>unavailable</html>');
    };

    const run = await interruptSend(['--to', 'phone', '--json'], {
      stderr: 'retrying phone in 30.0 s',
    });

    const document = parseDocument<Document>(run);
    expect(run.code).toBe(130);
    expect(document?.results[0]).toMatchObject({ ok: false, error: 'Interrupted' });
    expect(document?.results[0]?.detail).toMatch(/^interrupted while waiting to retry \(HTTP 503/);
  });

  it('prints the rows so far, keeping what was accepted before the interrupt', async () => {
    let requests = 0;
    answer = (response) => {
      requests++;
      if (requests > 1) return void held.push(response);
      const results = Array.from({ length: 1000 }, (_, index) => ({ message_id: `0:${index}%ab` }));
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ multicast_id: 1, success: 1000, failure: 0, results }));
    };
    const ids = Array.from({ length: 1001 }, (_, index) => `${'x'.repeat(11)}:APA91b-${index}`);
    const file = path.join(home, 'ids.txt');
    writeFileSync(file, ids.join('\n'));

    // With one request at a time, the second batch (the last ID) goes out after the first is
    // answered, and is held until the interrupt.
    const run = await interruptSend(['--to-file', file, '--concurrency', '1'], { requests: 2 });

    const rows = run.stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(run.code).toBe(130);
    expect(rows).toHaveLength(1001);
    expect(rows.slice(0, 1000).every((row) => row[1] === 'ok')).toBe(true);
    expect(rows[1000]?.slice(0, 2)).toEqual([ids[1000], 'failed']);
    expect(rows[1000]?.[2]).toMatch(/^Interrupted/);
  });
});
