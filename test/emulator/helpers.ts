/** Shared helpers for the emulator tests: requests against a running emulator, captured Io. */
import { PassThrough } from 'node:stream';
import { expect } from 'vitest';
import type { RunningEmulator } from '../../src/emulator/server.js';
import type { Io } from '../../src/output/streams.js';

export const KEY = 'test-server-key';

/** POSTs a JSON send; `body` strings go out as they are, so malformed JSON can be sent. */
export function sendJson(
  emulator: RunningEmulator,
  body: unknown,
  options: { key?: string | null; path?: string } = {},
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.key !== null) headers.authorization = `key=${options.key ?? KEY}`;
  return fetch(`${emulator.origin}${options.path ?? '/fcm/send'}`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** POSTs the plain-text form variant. */
export function sendForm(
  emulator: RunningEmulator,
  body: string,
  contentType: string | null = 'application/x-www-form-urlencoded;charset=UTF-8',
): Promise<Response> {
  const headers: Record<string, string> = { authorization: `key=${KEY}` };
  if (contentType !== null) headers['content-type'] = contentType;
  return fetch(emulator.url, { method: 'POST', headers, body });
}

/** Calls the control API with an optional JSON body. */
export function callControl(
  emulator: RunningEmulator,
  method: string,
  path: string,
  body?: unknown,
): Promise<Response> {
  const init: RequestInit = { method };
  if (body !== undefined) {
    init.headers = { 'content-type': 'application/json' };
    init.body = typeof body === 'string' ? body : JSON.stringify(body);
  }
  return fetch(`${emulator.origin}${path}`, init);
}

/** The legacy multicast answer, with `multicast_id` left as JSON.parse reads it. */
export interface MulticastAnswer {
  multicast_id: number;
  success: number;
  failure: number;
  canonical_ids: number;
  results: Array<{ message_id?: string; registration_id?: string; error?: string }>;
}

export async function readMulticast(response: Response): Promise<MulticastAnswer> {
  expect(response.status).toBe(200);
  return (await response.json()) as MulticastAnswer;
}

/** Registers a device through the control API and returns its registration ID. */
export async function addDevice(emulator: RunningEmulator, spec: object = {}): Promise<string> {
  const response = await callControl(emulator, 'POST', '/emulator/devices', spec);
  expect(response.status).toBe(201);
  return ((await response.json()) as { registration_id: string }).registration_id;
}

/** Queues a fault through the control API. */
export async function addFault(emulator: RunningEmulator, fault: object): Promise<void> {
  const response = await callControl(emulator, 'POST', '/emulator/faults', fault);
  expect(response.status).toBe(204);
}

export async function subscribeDevice(
  emulator: RunningEmulator,
  id: string,
  topic: string,
): Promise<void> {
  const path = `/emulator/devices/${encodeURIComponent(id)}/topics`;
  const response = await callControl(emulator, 'POST', path, { topic });
  expect(response.status).toBe(204);
}

/** An Io whose stdout and stderr are kept apart as strings. */
export interface CapturedIo extends Io {
  stdout: string;
  stderr: string;
}

export function captureIo(): CapturedIo {
  const io: CapturedIo = {
    stdout: '',
    stderr: '',
    out: (text) => void (io.stdout += text),
    err: (text) => void (io.stderr += text),
    stdin: new PassThrough(),
    env: {},
    stdoutIsTTY: false,
    stderrIsTTY: false,
    colorOut: false,
    colorErr: false,
  };
  return io;
}
