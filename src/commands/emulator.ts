/**
 * `gcmpush emulator`: checks the flags, starts the local GCM emulator, prints its send URL as
 * the first line on stdout and serves until the signal aborts.
 */
import { readFile } from 'node:fs/promises';
import { parseDeviceSpec, type DeviceSpec } from '../emulator/devices.js';
import { MAX_LATENCY_MS, parseFaultFlag, type FaultSpec } from '../emulator/faults.js';
import { startEmulator, type RequestEvent, type RunningEmulator } from '../emulator/server.js';
import { UsageError } from '../errors.js';
import type { Io } from '../output/streams.js';

/** Flags of `gcmpush emulator`, already split by commander. */
export interface EmulatorCommandOptions {
  /** Interface to bind; anything but loopback must be asked for. */
  host: string;
  /** TCP port; 0 picks a free one. */
  port: number;
  /** Accepted API keys; empty accepts any non-empty key. */
  keys: string[];
  /** Path of a JSON array of device specs to register at start. */
  devices?: string;
  /** Delay on every send request, in milliseconds. */
  latency?: number;
  /** Counted faults queued at start, each `STATUS:COUNT[:RETRY_AFTER]`. */
  faults: string[];
  /** A service-account key file to trust for FCM v1; generated there when it does not exist. */
  serviceAccount?: string;
}

/** The flags as commander hands them over; numbers are still text, checked here. */
export function toEmulatorOptions(options: Record<string, unknown>): EmulatorCommandOptions {
  const text = (name: string) => options[name] as string | undefined;
  const latency = text('latency');
  return {
    host: text('host') ?? '127.0.0.1',
    port: readWholeNumber(text('port') ?? '8089', '--port', 'use --port 0 to pick a free port'),
    keys: (options.key as string[] | undefined) ?? [],
    devices: text('devices'),
    latency:
      latency === undefined
        ? undefined
        : readWholeNumber(latency, '--latency', 'give whole milliseconds, e.g. --latency 250'),
    faults: (options.fault as string[] | undefined) ?? [],
    serviceAccount: text('serviceAccount'),
  };
}

function readWholeNumber(value: string, flag: string, hint: string): number {
  if (/^\d+$/.test(value)) return Number(value);
  throw new UsageError(`invalid ${flag} ${JSON.stringify(value)}: expected a whole number`, hint);
}

const LOOPBACK = /^(localhost|127(\.\d{1,3}){3}|::1)$/;
const DEVICES_HINT = 'write a JSON array such as [{"behavior": "ok"}, {"package": "com.example"}]';

function checkPort(port: number): void {
  if (Number.isInteger(port) && port >= 0 && port <= 65535) return;
  throw new UsageError(
    `invalid port ${String(port)}: expected a whole number from 0 to 65535`,
    'use --port 0 to let the system pick a free port',
  );
}

function checkLatency(latency: number | undefined): number {
  if (latency === undefined) return 0;
  if (Number.isInteger(latency) && latency >= 0 && latency <= MAX_LATENCY_MS) return latency;
  throw new UsageError(
    `invalid latency ${String(latency)}: expected whole milliseconds from 0 to ${MAX_LATENCY_MS}`,
    'for example --latency 250',
  );
}

function parseFaultFlags(flags: string[]): FaultSpec[] {
  return flags.map((flag) => {
    const parsed = parseFaultFlag(flag);
    if (parsed.ok) return parsed.value;
    throw new UsageError(
      `invalid fault "${flag}": ${parsed.error}`,
      'write STATUS:COUNT[:RETRY_AFTER], for example --fault 503:2:10 (status 429 or 5xx)',
    );
  });
}

function readDeviceEntries(path: string, entries: unknown): DeviceSpec[] {
  if (!Array.isArray(entries)) {
    throw new UsageError(`devices file ${path} does not hold a JSON array`, DEVICES_HINT);
  }
  const seen = new Map<string, number>();
  return entries.map((entry, index) => {
    const spec = parseDeviceSpec(entry);
    const where = `devices file ${path}, entry ${index + 1}`;
    if (!spec.ok) throw new UsageError(`${where}: ${spec.error}`, DEVICES_HINT);
    const id = spec.value.registration_id;
    const earlier = id === undefined ? undefined : seen.get(id);
    if (earlier !== undefined) {
      throw new UsageError(`${where}: registration_id repeats entry ${earlier}`, DEVICES_HINT);
    }
    if (id !== undefined) seen.set(id, index + 1);
    return spec.value;
  });
}

async function readDevicesFile(path: string | undefined): Promise<DeviceSpec[]> {
  if (path === undefined) return [];
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
    throw new UsageError(
      `cannot read devices file ${path} (${reason})`,
      'check the --devices path',
    );
  }
  try {
    return readDeviceEntries(path, JSON.parse(text));
  } catch (error) {
    if (error instanceof UsageError) throw error;
    const reason = (error as Error).message;
    throw new UsageError(`devices file ${path} is not valid JSON: ${reason}`, DEVICES_HINT);
  }
}

/** Turns bind failures into usage errors that name the host or port. */
function explainListenError(error: unknown, host: string, port: number): unknown {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'EADDRINUSE') {
    return new UsageError(
      `port ${port} on ${host} is already in use`,
      'stop whatever holds it, or pass --port 0 to pick a free port',
    );
  }
  if (code === 'EACCES') {
    return new UsageError(
      `no permission to listen on port ${port}`,
      'use --port 0 or a port above 1023',
    );
  }
  if (code === 'EADDRNOTAVAIL' || code === 'ENOTFOUND' || code === 'EAI_AGAIN') {
    return new UsageError(
      `cannot listen on host ${host}`,
      'use an address of this machine, such as 127.0.0.1',
    );
  }
  return error;
}

/** Long path segments are registration IDs; show only their tail in logs. */
function shortenPath(path: string): string {
  return path
    .split('/')
    .map((segment) => (segment.length > 24 ? `...${segment.slice(-6)}` : segment))
    .join('/');
}

function formatRequest(event: RequestEvent): string {
  const fault = event.fault === undefined ? '' : ` (fault: ${event.fault})`;
  const path = shortenPath(event.path);
  return `${event.method} ${path} ${event.status} ${event.durationMs} ms${fault}\n`;
}

function printBanner(emulator: RunningEmulator, options: EmulatorCommandOptions, io: Io): void {
  io.out(`${emulator.url}\n`);
  if (!LOOPBACK.test(options.host)) {
    const accepted = options.keys.length > 0 ? 'the keys given' : 'any API key';
    io.err(`warning: listening on ${options.host}; other machines can send with ${accepted}\n`);
  }
  const { origin } = emulator;
  io.err(
    `control: POST ${origin}/emulator/devices, POST ${origin}/emulator/devices/ID/topics, ` +
      `POST|DELETE ${origin}/emulator/faults, GET|DELETE ${origin}/emulator/messages\n`,
  );
}

/**
 * Trusts the key in FILE, writing a new one there first when there is none; returns the line
 * that says so.
 */
async function trustAccountFile(emulator: RunningEmulator, file: string): Promise<string> {
  const { loadOrCreateServiceAccountFile } = await import('../emulator/service-account-file.js');
  let account;
  try {
    account = await loadOrCreateServiceAccountFile(file, emulator.tokenUrl);
    emulator.trustServiceAccount(account);
  } catch (error) {
    await emulator.close();
    throw new UsageError(
      (error as Error).message,
      'give a service-account JSON file, or a new path',
    );
  }
  return (
    `v1: trusting ${account.client_email} (project ${account.project_id}) from ${file}; ` +
    `send to ${emulator.origin}/v1/projects/${account.project_id}/messages:send\n`
  );
}

function waitForAbort(signal: AbortSignal): Promise<void> {
  if (signal.aborted) return Promise.resolve();
  return new Promise((resolve) =>
    signal.addEventListener('abort', () => resolve(), { once: true }),
  );
}

/** Runs the emulator until `signal` aborts; bad flags and bind failures throw `UsageError`. */
export async function runEmulator(
  options: EmulatorCommandOptions,
  io: Io,
  signal: AbortSignal,
): Promise<void> {
  checkPort(options.port);
  if (options.host.trim() === '') throw new UsageError('the host is empty', 'use --host 127.0.0.1');
  if (options.keys.some((key) => key === '')) {
    throw new UsageError('an API key given with --key is empty', 'pass a non-empty key, or none');
  }
  const latencyMs = checkLatency(options.latency);
  const faults = parseFaultFlags(options.faults);
  const devices = await readDevicesFile(options.devices);
  const emulator = await startEmulator({
    host: options.host,
    port: options.port,
    keys: options.keys,
    latencyMs,
    faults,
    onRequest: (event) => io.err(formatRequest(event)),
  }).catch((error: unknown) => {
    throw explainListenError(error, options.host, options.port);
  });
  // Everything is set up before the URL is printed: a script that waits for that line may
  // use the service-account file and the devices at once.
  const setup: string[] = [];
  if (options.serviceAccount !== undefined) {
    setup.push(await trustAccountFile(emulator, options.serviceAccount));
  }
  for (const spec of devices) {
    const device = emulator.registerDevice(spec);
    setup.push(
      `device ${device.registration_id} package=${device.package} behavior=${device.behavior}\n`,
    );
  }
  printBanner(emulator, options, io);
  for (const line of setup) io.err(line);
  await waitForAbort(signal);
  await emulator.close();
  io.err('emulator stopped\n');
}
