/**
 * For the doctor tests: loopback servers that answer with a chosen Date header, a guard that
 * fails any test reaching past loopback, and a run of doctor with its output captured.
 */
import { mkdtempSync } from 'node:fs';
import { createServer } from 'node:http';
import type { IncomingMessage, Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, afterEach, beforeAll, expect, vi } from 'vitest';
import type { CheckResult, DoctorDocument, DoctorFlags } from '../../src/commands/doctor.js';
import { runDoctor } from '../../src/commands/doctor.js';
import type { ConfigStore } from '../../src/config/store.js';
import { createTempStore } from './config.js';
import { createTestIo } from './io.js';
import { accountJson, createTestKeys } from './service-account.js';

export const keys = createTestKeys();
export const ACCOUNT = accountJson(keys.privatePem);
export const EMAIL = 'sender@demo-project.iam.gserviceaccount.com';
/** A sentinel API key: output may hold `AIza…cdef`, never the whole of it. */
export const KEY = 'AIzaSyDoctorSentinelKey0123456789abcdef';
export const SERVER_DATE = 'Tue, 01 Oct 2024 12:00:00 GMT';

/** The local clock `offsetMs` ahead of the server's Date (whose whole second counts as .5). */
export const clockAt = (offsetMs: number) => () => Date.parse(SERVER_DATE) + 500 + offsetMs;

/** A request as the loopback server saw it. */
export interface Seen {
  method?: string;
  url?: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const servers: Server[] = [];
const lasting: Server[] = [];
const escaped: string[] = [];
let shared: { url: string; seen: Seen[] } | undefined;

/**
 * Call once at the top of a test file: servers close after each test, a shared server serves
 * runs whose endpoint does not matter, and a request to a host off this machine fails the test.
 */
export function useLoopbackOnly(): void {
  beforeAll(async () => {
    const realFetch = globalThis.fetch;
    vi.stubGlobal('fetch', (input: string | URL, init?: RequestInit) => {
      const { hostname } = new URL(String(input));
      if (hostname === '127.0.0.1' || hostname === 'localhost') return realFetch(input, init);
      escaped.push(hostname);
      return Promise.reject(new Error(`a test tried to reach ${hostname}`));
    });
    shared = await startServer(SERVER_DATE, lasting);
  });
  afterEach(async () => {
    await Promise.all(servers.splice(0).map((server) => new Promise((done) => server.close(done))));
    expect(escaped.splice(0)).toEqual([]);
  });
  afterAll(() => {
    vi.unstubAllGlobals();
    for (const server of lasting.splice(0)) server.close();
  });
}

/** A loopback server that answers 401 with the given Date header (none when null). */
export async function startServer(date: string | null = SERVER_DATE, owners = servers) {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      seen.push({ method: request.method, url: request.url, headers: request.headers, body });
      response.sendDate = false;
      if (date !== null) response.setHeader('Date', date);
      response.writeHead(401, { 'Content-Type': 'text/html' }).end('<h1>Unauthorized</h1>');
    });
  });
  return { url: await listen(server, owners), seen };
}

/** Listens on 127.0.0.1, port 0; the server is closed after the test. */
export async function listen(server: Server, owners = servers): Promise<string> {
  owners.push(server);
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
}

/** A loopback port with nothing listening on it. */
export async function deadUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  await new Promise((done) => server.close(done));
  return `http://127.0.0.1:${port}`;
}

/** Cache and data folders of their own, so the folder checks pass unless a test says not. */
export function folders(): NodeJS.ProcessEnv {
  const root = mkdtempSync(path.join(tmpdir(), 'gcmpush-doctor-'));
  return { GCMPUSH_CACHE_DIR: path.join(root, 'cache'), GCMPUSH_DATA_DIR: path.join(root, 'data') };
}

/** Where runs go whose test names no endpoint. */
export function sharedUrl(): string {
  if (shared === undefined) throw new Error('call useLoopbackOnly() at the top of the file');
  return shared.url;
}

export interface DoctorRun {
  code: number;
  stdout: string;
  stderr: string;
  /** The checks of the JSON document; empty for a text run. */
  checks: CheckResult[];
}

/** Runs doctor, `--json` unless the flags say otherwise, with the store holding an account. */
export async function doctor(
  options: {
    store?: ConfigStore;
    env?: NodeJS.ProcessEnv;
    flags?: Partial<DoctorFlags>;
    now?: () => number;
    tty?: boolean;
    color?: boolean;
  } = {},
): Promise<DoctorRun> {
  // Every run points at loopback: a run without an endpoint would try Google's host.
  const env = { ...folders(), GCMPUSH_ENDPOINT: sharedUrl(), ...options.env };
  const json = options.flags?.json ?? true;
  const { io, stdout, stderr } = createTestIo({ env, tty: options.tty, color: options.color });
  const store = options.store ?? createTempStore({ service_account: ACCOUNT });
  const deps = { store, now: options.now ?? clockAt(0) };
  const code = await runDoctor({ ...options.flags, json }, io, deps);
  const checks = json ? (JSON.parse(stdout()) as DoctorDocument).checks : [];
  return { code, stdout: stdout(), stderr: stderr(), checks };
}

/** The check called `name` in a JSON run. */
export function find(run: DoctorRun, name: string): CheckResult {
  const check = run.checks.find((entry) => entry.name === name);
  if (check === undefined) throw new Error(`no ${name} check in ${run.stdout}`);
  return check;
}
