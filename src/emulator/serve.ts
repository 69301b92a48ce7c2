/**
 * The path every request takes: a bounded body read, routing, scripted faults for send
 * requests, then the reply and one report for the request log.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { readFaultHeaders, type FaultAction, type StatusFault } from './faults.js';
import {
  readBody,
  replyErrorPage,
  replyJson,
  replyPortalPage,
  replyText,
  writeReply,
  writeReplyCut,
  writeReplyHalf,
  type Reply,
} from './http.js';
import { findRoute, type Route, type RouteHandler, type RouteRequest } from './routes.js';
import type { EmulatorState } from './state.js';

/** One served request, as `onRequest` reports it. */
export interface RequestEvent {
  method: string;
  /** The URL path without the query string. */
  path: string;
  status: number;
  /** Time from the request's arrival to the reply, in milliseconds. */
  durationMs: number;
  /** The scripted fault this request took, if any. */
  fault?: FaultAction['kind'];
}

/** What every request needs from the running server. */
export interface ServeContext {
  state: EmulatorState;
  routes: readonly Route[];
  latencyMs: number;
  maxBodyBytes: number;
  /** Aborted on close, so requests waiting on latency give up. */
  closing: AbortSignal;
  onRequest?: (event: RequestEvent) => void;
}

// Only the path matters; the origin is a placeholder that cannot collide with a real host.
const BASE_URL = 'http://emulator.invalid';

interface Served {
  status: number;
  fault?: FaultAction['kind'];
}

function replyMiss(path: string, status: 404 | 405, allow?: string): Reply {
  const headers: Record<string, string> = allow === undefined ? {} : { allow };
  if (!path.startsWith('/emulator/')) return replyErrorPage(status, headers);
  const error = status === 404 ? `no endpoint at ${path}` : `${path} answers ${allow}`;
  const reply = replyJson(status, { error });
  return { ...reply, headers: { ...reply.headers, ...headers } };
}

function replyFaultPage(fault: StatusFault): Reply {
  return replyErrorPage(fault.status, readFaultHeaders(fault));
}

/** Runs a send handler under the next scripted fault, if one is queued. */
async function serveWithFault(
  context: ServeContext,
  match: { route: Route; handler: RouteHandler },
  request: RouteRequest,
  response: ServerResponse,
): Promise<Served> {
  const fault = context.state.faults.take();
  const delay = context.latencyMs + (fault?.kind === 'latency' ? fault.ms : 0);
  if (delay > 0) await sleep(delay, undefined, { signal: context.closing });
  const reply = answerUnder(fault, match, request);
  if (fault?.kind === 'drop') writeReplyHalf(response, reply);
  else if (fault?.kind === 'truncate') writeReplyCut(response, reply);
  else writeReply(response, reply);
  return { status: reply.status, ...(fault === undefined ? {} : { fault: fault.kind }) };
}

/**
 * Status and html faults stand for a front end that answered before the request reached the
 * service, so nothing is delivered. Drop and truncate happen after the work: delivered, but
 * the answer is lost or mangled on its way back.
 */
function answerUnder(
  fault: FaultAction | undefined,
  match: { route: Route; handler: RouteHandler },
  request: RouteRequest,
): Reply {
  if (fault?.kind === 'status') return (match.route.replyFault ?? replyFaultPage)(fault);
  if (fault?.kind === 'html') return replyPortalPage();
  return match.handler(request);
}

async function serveRequest(
  context: ServeContext,
  request: IncomingMessage,
  response: ServerResponse,
): Promise<Served> {
  const method = request.method ?? 'GET';
  const url = new URL(request.url ?? '/', BASE_URL);
  const body = await readBody(request, context.maxBodyBytes);
  if (body === undefined) {
    const tooLarge = replyText(413, `Request body exceeds ${context.maxBodyBytes} bytes`);
    writeReply(response, { ...tooLarge, headers: { ...tooLarge.headers, connection: 'close' } });
    return { status: 413 };
  }
  const match = findRoute(context.routes, method, url.pathname);
  if (!match.found) {
    const allow = match.status === 405 ? match.allow : undefined;
    writeReply(response, replyMiss(url.pathname, match.status, allow));
    return { status: match.status };
  }
  const { state } = context;
  const routed = { state, url, headers: request.headers, body, params: match.params };
  if (match.route.takesFaults) return serveWithFault(context, match, routed, response);
  const reply = match.handler(routed);
  writeReply(response, reply);
  return { status: reply.status };
}

function readPath(request: IncomingMessage): string {
  try {
    return new URL(request.url ?? '/', BASE_URL).pathname;
  } catch {
    return request.url ?? '/';
  }
}

/** Serves one request to the end; never throws, since node:http would not catch it. */
export function handleRequest(
  context: ServeContext,
  request: IncomingMessage,
  response: ServerResponse,
): void {
  const started = performance.now();
  const report = (served: Served): void => {
    const path = readPath(request);
    const durationMs = Math.round(performance.now() - started);
    context.onRequest?.({ method: request.method ?? 'GET', path, durationMs, ...served });
  };
  serveRequest(context, request, response).then(report, (error: unknown) => {
    // Closing cancels pending latency; a client that hung up mid-body lands here too.
    if (context.closing.aborted || response.headersSent || request.destroyed) {
      response.destroy();
      return;
    }
    writeReply(response, replyText(500, `emulator error: ${(error as Error).message}`));
    report({ status: 500 });
  });
}
