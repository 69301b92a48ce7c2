/**
 * A local stand-in for Google's legacy GCM/FCM send endpoint, FCM HTTP v1 and the OAuth token
 * endpoint v1 senders need, on node:http, with a control API for devices, faults and the inbox.
 * Binds to loopback unless told otherwise.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { CONTROL_ROUTES } from './control.js';
import type { Device, DeviceSpec } from './devices.js';
import { MAX_LATENCY_MS, type FaultSpec } from './faults.js';
import type { StoredMessage } from './inbox.js';
import { LEGACY_ROUTES } from './legacy-send.js';
import { TOKEN_ROUTES } from './oauth.js';
import { handleRequest, type RequestEvent, type ServeContext } from './serve.js';
import type { ServiceAccountKey } from './service-account.js';
import { EmulatorState } from './state.js';
import { V1_ROUTES } from './v1-send.js';

export type { RequestEvent } from './serve.js';

/** How to start an emulator; every field is optional. */
export interface EmulatorOptions {
  /** Interface to bind; default `127.0.0.1`. */
  host?: string;
  /** TCP port; default 8089; 0 picks a free one. */
  port?: number;
  /** Accepted API keys; empty or undefined accepts any non-empty key. */
  keys?: string[];
  /** Devices registered before the first request. */
  devices?: DeviceSpec[];
  /** Faults queued before the first request. */
  faults?: FaultSpec[];
  /** Milliseconds since the epoch, for `received_at` and message IDs; default `Date.now`. */
  clock?: () => number;
  /** Delay added to every send request for the server's life, in ms; default 0. */
  latencyMs?: number;
  /** Largest request body accepted, in bytes; default 16 MiB. Larger ones get 413. */
  maxBodyBytes?: number;
  /** Called once per request served, for request logs. */
  onRequest?: (event: RequestEvent) => void;
  /**
   * Service-account keys whose signed JWTs `POST /token` accepts; without any, every v1 send
   * answers 401. More can be added after start with `trustServiceAccount`.
   */
  serviceAccounts?: ServiceAccountKey[];
  /** Lifetime of access tokens from `POST /token`, in seconds; default 3600. */
  tokenLifetimeSeconds?: number;
}

/** A started emulator. */
export interface RunningEmulator {
  /** The legacy send URL, `http://HOST:PORT/fcm/send`. */
  url: string;
  /** `http://HOST:PORT`, for the control API; v1 sends go to `/v1/projects/ID/messages:send`. */
  origin: string;
  /** The OAuth token URL, `http://HOST:PORT/token`, for a service account's `token_uri`. */
  tokenUrl: string;
  port: number;
  /** Stops listening and closes every connection, keep-alive ones too. */
  close(): Promise<void>;
  /** The same as `POST /emulator/devices`; throws on an invalid spec or a taken ID. */
  registerDevice(spec: DeviceSpec): Device;
  /** The same as `POST /emulator/faults`; throws on an invalid spec. */
  addFault(spec: FaultSpec): void;
  /** Stored messages, oldest first, optionally only those to one registration ID. */
  messages(to?: string): StoredMessage[];
  /** Trusts one more service-account key for `POST /token`; throws when it is unusable. */
  trustServiceAccount(account: ServiceAccountKey): void;
}

const DEFAULT_PORT = 8089;
const DEFAULT_MAX_BODY_BYTES = 16 * 1024 * 1024;
/** A day: Google's tokens live an hour, and longer ones only hide refresh bugs. */
const MAX_TOKEN_LIFETIME_SECONDS = 86_400;

function listen(server: Server, port: number, host: string): Promise<void> {
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
}

function closeServer(server: Server, closing: AbortController): Promise<void> {
  closing.abort();
  return new Promise((resolve, reject) => {
    server.close((error) => (error === undefined ? resolve() : reject(error)));
    server.closeAllConnections();
  });
}

function checkLatency(latencyMs: number): number {
  if (Number.isInteger(latencyMs) && latencyMs >= 0 && latencyMs <= MAX_LATENCY_MS) {
    return latencyMs;
  }
  throw new RangeError(`latencyMs must be a whole number from 0 to ${MAX_LATENCY_MS}`);
}

function checkTokenLifetime(seconds: number | undefined): number | undefined {
  if (seconds === undefined) return undefined;
  if (Number.isInteger(seconds) && seconds >= 1 && seconds <= MAX_TOKEN_LIFETIME_SECONDS) {
    return seconds;
  }
  throw new RangeError(
    `tokenLifetimeSeconds must be a whole number from 1 to ${MAX_TOKEN_LIFETIME_SECONDS}`,
  );
}

/** Starts an emulator and resolves once it listens; rejects when the port cannot be bound. */
export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const state = new EmulatorState({
    keys: options.keys,
    clock: options.clock,
    tokenLifetimeSeconds: checkTokenLifetime(options.tokenLifetimeSeconds),
  });
  for (const spec of options.devices ?? []) state.devices.register(spec);
  for (const fault of options.faults ?? []) state.faults.add(fault);
  for (const account of options.serviceAccounts ?? []) state.accounts.trust(account);
  const closing = new AbortController();
  const context: ServeContext = {
    state,
    routes: [...LEGACY_ROUTES, ...V1_ROUTES, ...TOKEN_ROUTES, ...CONTROL_ROUTES],
    latencyMs: checkLatency(options.latencyMs ?? 0),
    maxBodyBytes: options.maxBodyBytes ?? DEFAULT_MAX_BODY_BYTES,
    closing: closing.signal,
    onRequest: options.onRequest,
  };
  const server = createServer((request, response) => handleRequest(context, request, response));
  const host = options.host ?? '127.0.0.1';
  await listen(server, options.port ?? DEFAULT_PORT, host);
  const { port } = server.address() as AddressInfo;
  const origin = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  state.setOrigin(origin);
  let closed: Promise<void> | undefined;
  return {
    url: `${origin}/fcm/send`,
    origin,
    tokenUrl: state.readTokenUrl(),
    port,
    close: () => (closed ??= closeServer(server, closing)),
    registerDevice: (spec) => state.devices.register(spec),
    addFault: (spec) => state.faults.add(spec),
    messages: (to) => state.inbox.list(to),
    trustServiceAccount: (account) => state.accounts.trust(account),
  };
}
