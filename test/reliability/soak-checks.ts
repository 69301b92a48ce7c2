/**
 * The invariants the soak holds every send to, checked from what the server saw (through the
 * recording proxy and the emulator's request log and inbox) against what the client reported.
 */
import type { StoredMessage } from '../../src/emulator/inbox.js';
import type { RequestEvent } from '../../src/emulator/server.js';
import type { Exchange } from '../helpers/recording-proxy.js';

/** One send request as the proxy passed it on and the emulator served it. */
export interface ServedRequest {
  /** The registration IDs it carried. */
  ids: string[];
  /** The fault the emulator applied to it, if any. */
  fault?: string;
  /** Its answer reached the client whole. */
  whole: boolean;
  /** What the emulator stored while serving it. */
  delivered: StoredMessage[];
}

/** One entry of the `--json` document's `results`. */
export interface JsonResult {
  target: string;
  registration_id: string;
  ok: boolean;
  message_id?: string;
  error?: string;
  detail?: string;
  attempts: number;
}

/** A send once it is over: what went in, what the client said, and what the server saw. */
export interface FinishedSend {
  label: string;
  targets: string[];
  code: number;
  results: JsonResult[];
  requests: ServedRequest[];
  /** Send requests in the emulator's log; must match the requests the proxy passed on. */
  served: number;
  inbox: StoredMessage[];
  stderr: string;
}

/** Legacy `registration_ids` or `to`, or v1 `message.token`. */
function readCarriedIds(body: string): string[] {
  const request = JSON.parse(body) as {
    registration_ids?: string[];
    to?: string;
    message?: { token?: string };
  };
  if (request.registration_ids !== undefined) return request.registration_ids;
  const single = request.to ?? request.message?.token;
  return single === undefined ? [] : [single];
}

/**
 * Pairs the proxy's exchanges with the emulator's log, one request at a time, and gives each
 * the inbox entries stored up to the moment its answer began (`marks`).
 */
export function collectRequests(
  exchanges: Exchange[],
  events: RequestEvent[],
  marks: ReadonlyMap<Exchange, number>,
  inbox: StoredMessage[],
): ServedRequest[] {
  let stored = 0;
  return exchanges.map((exchange, index) => {
    const mark = marks.get(exchange) ?? stored;
    const delivered = inbox.slice(stored, mark);
    stored = mark;
    const fault = events[index]?.fault;
    const ids = readCarriedIds(exchange.body);
    return { ids, whole: exchange.whole, delivered, ...(fault && { fault }) };
  });
}

/** A request whose answer the client never read: cut off, or cut short in its body. */
export function lostAnswer(request: ServedRequest): boolean {
  return !request.whole || request.fault === 'truncate';
}

/** The exit code the results call for: 3 refused credentials, 4 no answer, 1 some failure. */
export function expectedExitCode(results: JsonResult[]): number {
  const errors = new Set(results.map((result) => result.error));
  if (errors.has('Unauthorized')) return 3;
  if (errors.has('Unreachable')) return 4;
  return results.some((result) => !result.ok) ? 1 : 0;
}

function isCopyOf(message: StoredMessage, messageId: string | undefined): boolean {
  // v1 answers the name `projects/P/messages/ID`; the inbox keeps the ID.
  return messageId === message.message_id || messageId?.endsWith(`/${message.message_id}`) === true;
}

function checkRecipient(result: JsonResult, send: FinishedSend, say: (text: string) => void) {
  const id = result.registration_id;
  const who = `…${id.slice(-8)}`;
  const carrying = send.requests.filter((request) => request.ids.includes(id));
  if (result.attempts !== carrying.length) {
    say(`${who} reports ${result.attempts} attempts, but ${carrying.length} requests carried it`);
  }
  const told = carrying.findIndex(
    (request) =>
      !lostAnswer(request) && request.delivered.some((message) => message.registration_id === id),
  );
  if (told !== -1 && told !== carrying.length - 1)
    say(`${who} was sent again after it was accepted`);
  if (result.ok !== (told !== -1)) {
    say(
      `${who} ended ok=${result.ok}, but the client ${told === -1 ? 'never got' : 'got'} a message ID`,
    );
  }
  if (!result.ok) return;
  const copies = send.inbox.filter((message) => isCopyOf(message, result.message_id));
  if (copies.length !== 1 || copies[0]?.registration_id !== id) {
    say(`${who}: ${copies.length} inbox copies carry its message ID ${result.message_id}`);
  }
}

/** Every way this send broke an invariant, one line each; empty when it held them all. */
export function findViolations(send: FinishedSend): string[] {
  const problems: string[] = [];
  const say = (text: string) => void problems.push(`${send.label}: ${text}`);
  const reported = send.results.map((result) => result.registration_id);
  if (reported.join('\n') !== send.targets.join('\n')) {
    say(`${reported.length} results for ${send.targets.length} targets, or not one each in order`);
  }
  if (send.served !== send.requests.length) {
    say(`the emulator served ${send.served} sends, the proxy passed on ${send.requests.length}`);
  }
  send.results.forEach((result) => checkRecipient(result, send, say));
  const stored = send.requests.flatMap((request) => request.delivered);
  const lostCopies = send.requests.filter(lostAnswer).flatMap((request) => request.delivered);
  const accepted = send.results.filter((result) => result.ok).length;
  if (stored.length !== send.inbox.length || send.inbox.length !== accepted + lostCopies.length) {
    say(
      `the inbox holds ${send.inbox.length}, not ${accepted} accepted plus ` +
        `${lostCopies.length} whose answer was lost`,
    );
  }
  send.requests.forEach((request, index) => {
    if (request.whole === (request.fault === 'drop')) {
      say(
        `request ${index + 1} took fault ${request.fault ?? 'none'}, answer whole=${request.whole}`,
      );
    }
  });
  if (send.code !== expectedExitCode(send.results)) {
    say(`exit ${send.code}, but the results call for ${expectedExitCode(send.results)}`);
  }
  if (/^\s+at /m.test(send.stderr)) say('stderr holds a stack trace');
  return problems;
}
