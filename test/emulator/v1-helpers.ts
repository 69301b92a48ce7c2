/**
 * Helpers for the FCM v1 and OAuth emulator tests: JWT signing written here with node:crypto
 * (never the client's signer in src/auth), token requests and v1 sends with plain fetch.
 */
import { createSign } from 'node:crypto';
import { afterEach, beforeEach, expect } from 'vitest';
import {
  startEmulator,
  type EmulatorOptions,
  type RunningEmulator,
} from '../../src/emulator/server.js';
import {
  createServiceAccount,
  type ServiceAccountKey,
} from '../../src/emulator/service-account.js';

export const PROJECT = 'demo-project';
export const FCM_SCOPE = 'https://www.googleapis.com/auth/firebase.messaging';
export const JWT_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';
/** A fixed start time for injected clocks. */
export const START = Date.parse('2026-03-01T12:00:00.000Z');
/** A port no emulator listens on, as in a key file kept from an earlier run. */
export const STALE_TOKEN_URI = 'http://127.0.0.1:9/token';
/** One generated key per test file (about 100 ms each), trusted by `startV1Emulator`. */
export const TEST_ACCOUNT = createServiceAccount({ tokenUri: STALE_TOKEN_URI, projectId: PROJECT });

function encodePart(part: object): string {
  return Buffer.from(JSON.stringify(part)).toString('base64url');
}

/** Signs `claims` with RS256 under `header`; the header is not checked, so tests can lie. */
export function signJwt(
  claims: object,
  privateKey: string,
  header: object = { alg: 'RS256', typ: 'JWT' },
): string {
  const input = `${encodePart(header)}.${encodePart(claims)}`;
  const signature = createSign('RSA-SHA256').update(input).sign(privateKey, 'base64url');
  return `${input}.${signature}`;
}

/** Claims a correct sender would write, issued at `nowMs` and valid for an hour. */
export function buildClaims(
  account: ServiceAccountKey,
  audience: string,
  nowMs: number,
): Record<string, unknown> {
  const iat = Math.floor(nowMs / 1000);
  return { iss: account.client_email, scope: FCM_SCOPE, aud: audience, iat, exp: iat + 3600 };
}

/** A correctly signed assertion for `account`, with `kid`, and claims changed as asked. */
export function signAssertion(
  emulator: RunningEmulator,
  account: ServiceAccountKey,
  options: { nowMs?: number; changes?: Record<string, unknown> } = {},
): string {
  const claims = {
    ...buildClaims(account, emulator.tokenUrl, options.nowMs ?? START),
    ...options.changes,
  };
  return signJwt(claims, account.private_key, {
    alg: 'RS256',
    typ: 'JWT',
    kid: account.private_key_id,
  });
}

/** POSTs a form to `/token`; a string body goes out as it is. */
export function postToken(
  emulator: RunningEmulator,
  form: Record<string, string> | string,
  contentType = 'application/x-www-form-urlencoded',
): Promise<Response> {
  const body = typeof form === 'string' ? form : new URLSearchParams(form).toString();
  return fetch(emulator.tokenUrl, {
    method: 'POST',
    headers: { 'content-type': contentType },
    body,
  });
}

/** Reads a token endpoint refusal: 400 with exactly `error` and `error_description`. */
export async function readOAuthRefusal(
  response: Response,
): Promise<{ error: string; error_description: string }> {
  expect(response.status).toBe(400);
  const body = (await response.json()) as { error: string; error_description: string };
  expect(Object.keys(body).sort()).toEqual(['error', 'error_description']);
  return body;
}

/** Exchanges a freshly signed assertion for an access token, expecting success. */
export async function fetchAccessToken(
  emulator: RunningEmulator,
  account: ServiceAccountKey,
  nowMs = START,
): Promise<string> {
  const assertion = signAssertion(emulator, account, { nowMs });
  const response = await postToken(emulator, { grant_type: JWT_GRANT, assertion });
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

/** Starts an emulator at `START` trusting `TEST_ACCOUNT`, with a token for it. */
export async function startV1Emulator(
  options: EmulatorOptions = {},
): Promise<{ emulator: RunningEmulator; token: string }> {
  const emulator = await startEmulator({
    port: 0,
    clock: () => START,
    serviceAccounts: [TEST_ACCOUNT],
    ...options,
  });
  return { emulator, token: await fetchAccessToken(emulator, TEST_ACCOUNT) };
}

/** The running test's emulator and token, with sends that carry the token. */
export interface V1Fixture {
  emulator: RunningEmulator;
  token: string;
  /** Sends `{message, ...extra}` to the default project. */
  send(message: object, extra?: object): Promise<Response>;
  /** Sends `body` as it is: a string goes out unparsed. */
  sendBody(body: unknown): Promise<Response>;
}

/** Gives each test of the calling file a fresh `startV1Emulator(options)`, closed afterwards. */
export function useV1Emulator(options: EmulatorOptions = {}): V1Fixture {
  const fixture = {} as V1Fixture;
  beforeEach(async () => {
    const { emulator, token } = await startV1Emulator(options);
    const sendBody = (body: unknown): Promise<Response> => sendV1(emulator, body, { token });
    const send = (message: object, extra: object = {}): Promise<Response> =>
      sendBody({ message, ...extra });
    Object.assign(fixture, { emulator, token, send, sendBody });
  });
  afterEach(() => fixture.emulator.close());
  return fixture;
}

/** POSTs a v1 send; `body` strings go out as they are, and `token: null` sends no header. */
export function sendV1(
  emulator: RunningEmulator,
  body: unknown,
  options: { token: string | null; project?: string; authorization?: string },
): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (options.token !== null) headers.authorization = `Bearer ${options.token}`;
  if (options.authorization !== undefined) headers.authorization = options.authorization;
  const project = options.project ?? PROJECT;
  return fetch(`${emulator.origin}/v1/projects/${project}/messages:send`, {
    method: 'POST',
    headers,
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
}

/** The `google.rpc.Status` inside a v1 error answer. */
export interface V1Status {
  code: number;
  message: string;
  status: string;
  details: Array<Record<string, unknown>>;
}

/** Reads a v1 error answer, checking the envelope every error shares. */
export async function readV1Error(response: Response, code: number): Promise<V1Status> {
  expect(response.status).toBe(code);
  expect(response.headers.get('content-type')).toBe('application/json; charset=UTF-8');
  const body = (await response.json()) as { error: V1Status };
  expect(Object.keys(body)).toEqual(['error']);
  expect(body.error).toMatchObject({
    code,
    message: expect.any(String),
    status: expect.any(String),
  });
  return body.error;
}

function findDetail(error: V1Status, type: string): Record<string, unknown> | undefined {
  return error.details.find((detail) => detail['@type'] === `type.googleapis.com/${type}`);
}

/** `FcmError.errorCode`, or undefined when the answer has no FcmError detail. */
export function readErrorCode(error: V1Status): unknown {
  return findDetail(error, 'google.firebase.fcm.v1.FcmError')?.errorCode;
}

/** The fields named by a `google.rpc.BadRequest` detail, or undefined without one. */
export function readViolationFields(error: V1Status): string[] | undefined {
  const detail = findDetail(error, 'google.rpc.BadRequest');
  const violations = detail?.fieldViolations as Array<{ field: string }> | undefined;
  return violations?.map((violation) => violation.field);
}

/** `google.rpc.ErrorInfo.reason`, or undefined without one. */
export function readReason(error: V1Status): unknown {
  return findDetail(error, 'google.rpc.ErrorInfo')?.reason;
}

/** Reads a v1 success answer's `name`. */
export async function readName(response: Response): Promise<string> {
  expect(response.status).toBe(200);
  const body = (await response.json()) as { name: string };
  expect(Object.keys(body)).toEqual(['name']);
  return body.name;
}
