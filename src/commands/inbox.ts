/** `gcmpush inbox`: what an emulator's devices received, read from its control API. */
import type { ConfigStore } from '../config/store.js';
import { ExitCode, GcmpushError, UsageError } from '../errors.js';
import { shortenId } from '../output/mask.js';
import type { Io } from '../output/streams.js';
import { formatTable } from '../output/table.js';

export interface InboxFlags {
  endpoint?: string;
  to?: string;
  json: boolean;
}

/** One message as the emulator's `GET /emulator/messages` lists it. */
export interface InboxMessage {
  registration_id: string;
  message_id: string;
  data: Record<string, unknown> | null;
  notification: Record<string, unknown> | null;
  protocol: string;
  received_at: string;
}

export async function runInbox(flags: InboxFlags, store: ConfigStore, io: Io): Promise<void> {
  const origin = emulatorOrigin(flags.endpoint ?? io.env.GCMPUSH_ENDPOINT);
  const ids = store.ids();
  const names = new Map(Object.entries(ids).map(([name, id]) => [id, name]));
  const url = new URL('/emulator/messages', origin);
  if (flags.to !== undefined) url.searchParams.set('to', ids[flags.to] ?? flags.to);
  const messages = await fetchMessages(url);
  if (flags.json) {
    io.out(`${JSON.stringify(messages, null, 2)}\n`);
    return;
  }
  if (messages.length === 0) {
    io.err(`No messages received at ${origin}\n`);
    return;
  }
  io.out(renderInbox(messages, names, io.stdoutIsTTY));
}

/**
 * One row per delivered message: when, to whom (the stored name where there is one), its ID,
 * the protocol and the payload as compact JSON.
 */
export function renderInbox(
  messages: InboxMessage[],
  names: ReadonlyMap<string, string>,
  tty: boolean,
): string {
  const rows = messages.map((message) => {
    const device = names.get(message.registration_id) ?? message.registration_id;
    const to = tty ? shortenId(device, 24) : device;
    const payload = JSON.stringify({
      ...(message.data && { data: message.data }),
      ...(message.notification && { notification: message.notification }),
    });
    return [message.received_at, to, message.message_id, message.protocol, payload];
  });
  const header = ['RECEIVED', 'TO', 'MESSAGE ID', 'PROTOCOL', 'PAYLOAD'];
  return formatTable(header, rows, { tty });
}

/** Any URL on the emulator will do; its origin names the emulator. */
export function emulatorOrigin(endpoint: string | undefined): string {
  if (endpoint === undefined || endpoint === '') {
    throw new UsageError(
      'no emulator given',
      'pass --endpoint URL (the URL `gcmpush emulator` printed), or set GCMPUSH_ENDPOINT',
    );
  }
  try {
    const url = new URL(endpoint);
    if (url.protocol === 'http:' || url.protocol === 'https:') return url.origin;
  } catch {
    // Reported below with the same message as a non-HTTP URL.
  }
  throw new UsageError(`invalid endpoint ${JSON.stringify(endpoint)}`, 'give an http:// URL');
}

async function fetchMessages(url: URL): Promise<InboxMessage[]> {
  let response: Response;
  try {
    response = await fetch(url, { signal: AbortSignal.timeout(10_000) });
  } catch (error) {
    const cause = (error as { cause?: { code?: string } }).cause?.code ?? (error as Error).message;
    throw new GcmpushError(`cannot reach the emulator at ${url.origin} (${cause})`, {
      exitCode: ExitCode.usage,
      hint: 'start one with `gcmpush emulator`, or check --endpoint',
    });
  }
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  if (!response.ok || !Array.isArray(body)) {
    throw new GcmpushError(
      `${url.origin} did not answer like a gcmpush emulator (HTTP ${response.status})`,
      {
        exitCode: ExitCode.usage,
        hint: 'check that --endpoint points at `gcmpush emulator`',
      },
    );
  }
  return body as InboxMessage[];
}
