/**
 * The only code that talks to the network.
 *
 * Requests go through undici's EnvHttpProxyAgent: it keeps a keep-alive pool with a bounded
 * number of connections, and sends through the proxy that HTTPS_PROXY, HTTP_PROXY and NO_PROXY
 * name. They are made with undici's own request(), which costs a fraction of what fetch does
 * per request (a v1 fan-out sends one request per token). When something has replaced the
 * global `fetch` since this module loaded (a mocking or tracing library, such as the tests'
 * msw), requests go through that `fetch`, with the same agent, so it sees every request a real
 * send makes. TLS is always verified: a private CA is added with NODE_EXTRA_CA_CERTS, never by
 * turning verification off.
 */
import { STATUS_CODES } from 'node:http';
import { setFlagsFromString } from 'node:v8';
import type { Dispatcher } from 'undici';
import {
  describeProxyFailure,
  describeTlsFailure,
  findCause,
  isCertificateFailure,
  oneLine,
} from './failure.js';
import type { ProxyServer } from './proxy.js';
import { proxyFor, readProxySettings } from './proxy.js';

export interface HttpRequest {
  url: string;
  headers: Record<string, string>;
  body: string;
}

export interface HttpResponse {
  status: number;
  statusText: string;
  headers: Headers;
  body: string;
}

/** A request that got no HTTP answer: refused, reset, timed out, cut off, or TLS refused. */
export class NetworkError extends Error {
  /**
   * Whether another try may get through. False when only the user can fix it: a certificate
   * this machine does not trust, a proxy that wants a login. When not given, an error that
   * wraps a NetworkError keeps its verdict, and any other is retriable.
   */
  readonly retriable: boolean;

  constructor(message: string, options?: { cause?: unknown; retriable?: boolean }) {
    super(message, { cause: options?.cause });
    this.name = 'NetworkError';
    const cause = options?.cause;
    this.retriable = options?.retriable ?? (cause instanceof NetworkError ? cause.retriable : true);
  }
}

/** Answers larger than this are cut off, not buffered: no push service sends that much. */
export const MAX_RESPONSE_BYTES = 8 * 1024 * 1024;

/** The global fetch as this process started with it; see the module comment. */
const startupFetch = globalThis.fetch;

export interface Transport {
  post(request: HttpRequest, signal: AbortSignal): Promise<HttpResponse>;
  close(): Promise<void>;
}

/**
 * undici parses HTTP with llhttp compiled to WebAssembly. V8's optimising compiler builds that
 * module in the background at a cost of some 35 MB of resident memory and more CPU time than a
 * one-message send takes in all; the baseline compiler's code parses the few answers a send
 * gets as fast as it matters. The flag is read when a WebAssembly module is compiled, and this
 * process compiles no other.
 */
function compileHttpParserCheaply(): void {
  setFlagsFromString('--liftoff-only');
}

/**
 * A keep-alive pool of at most `connections` sockets per origin. With `http2`, an HTTPS server
 * that offers HTTP/2 gets one multiplexed connection instead (FCM v1 sends one request per
 * token, and Google's host allows 100 streams per connection). https:// requests go through
 * the proxy in a CONNECT tunnel; http:// ones are forwarded to it as absolute URIs. Throws a
 * UsageError when a proxy variable is not a proxy URL.
 */
export async function createTransport(options: {
  connections: number;
  http2?: boolean;
  /** Where the proxy variables are read; default `process.env`. `{}` connects directly. */
  env?: NodeJS.ProcessEnv;
}): Promise<Transport> {
  const proxies = readProxySettings(options.env ?? process.env);
  compileHttpParserCheaply();
  const { EnvHttpProxyAgent, request } = await import('undici');
  const agent = new EnvHttpProxyAgent({
    connections: options.connections,
    keepAliveTimeout: 30_000,
    allowH2: options.http2 === true,
    // Given explicitly (an empty string is none), so the agent never reads the environment
    // apart from us and the errors below name the proxy it really used.
    httpProxy: proxies.http?.url.href ?? '',
    httpsProxy: proxies.https?.url.href ?? '',
    noProxy: proxies.noProxy,
    // Most proxies refuse CONNECT to ports other than 443; plain HTTP is forwarded instead.
    proxyTunnel: false,
  });
  const post = globalThis.fetch === startupFetch ? requestWith.bind(null, request) : fetchWith;
  return {
    post: (message, signal) =>
      post(agent, message, signal).catch((error: unknown) => {
        throw blameProxy(error, proxyFor(message.url, proxies), message.url);
      }),
    close: () => agent.close(),
  };
}

/** A POST with undici's request(): no Request, Headers or web-stream objects per request. */
async function requestWith(
  request: typeof import('undici').request,
  dispatcher: Dispatcher,
  message: HttpRequest,
  signal: AbortSignal,
): Promise<HttpResponse> {
  let response: Dispatcher.ResponseData;
  try {
    response = await request(message.url, {
      method: 'POST',
      headers: message.headers,
      body: message.body,
      signal,
      dispatcher,
    });
  } catch (error) {
    // Shaped as fetch's errors are, the undici error as the cause, so one description fits both.
    throw createNetworkError(new Error('request failed', { cause: error }), signal);
  }
  try {
    const body = await readBounded(response.body);
    return {
      status: response.statusCode,
      statusText: STATUS_CODES[response.statusCode] ?? '',
      headers: toHeaders(response.headers),
      body,
    };
  } catch (error) {
    response.body.destroy();
    const described = describeFetchError(new Error('read failed', { cause: error }), signal);
    throw new NetworkError(`the answer was cut off: ${described}`, { cause: error });
  }
}

function toHeaders(raw: Record<string, string | string[] | undefined>): Headers {
  const headers = new Headers();
  for (const name in raw) {
    const value = raw[name];
    if (typeof value === 'string') headers.append(name, value);
    else if (value !== undefined) for (const each of value) headers.append(name, each);
  }
  return headers;
}

/** A POST with the global fetch (as replaced by whoever replaced it). */
async function fetchWith(
  dispatcher: Dispatcher,
  request: HttpRequest,
  signal: AbortSignal,
): Promise<HttpResponse> {
  let response: Response;
  try {
    response = await fetch(request.url, {
      method: 'POST',
      headers: request.headers,
      body: request.body,
      signal,
      // The global fetch accepts an undici dispatcher; the DOM typings do not know the field.
      ...({ dispatcher } as object),
    });
  } catch (error) {
    throw createNetworkError(error, signal);
  }
  try {
    const body = await readBounded(response.body);
    return {
      status: response.status,
      statusText: response.statusText,
      headers: response.headers,
      body,
    };
  } catch (error) {
    throw new NetworkError(`the answer was cut off: ${describeFetchError(error, signal)}`, {
      cause: error,
    });
  }
}

/** The body as UTF-8, from fetch's stream or request()'s alike, cut off past the bound. */
async function readBounded(body: AsyncIterable<Uint8Array> | null): Promise<string> {
  if (body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of body) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      // Throwing out of the loop cancels the body, and with it the connection.
      throw new Error(`the answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** A failed fetch as a NetworkError; a certificate failure is not retried. */
function createNetworkError(error: unknown, signal: AbortSignal): NetworkError {
  const retriable = signal.aborted || !isCertificateFailure(findCause(error));
  return new NetworkError(describeFetchError(error, signal), { cause: error, retriable });
}

/** `connection refused (ECONNREFUSED)` rather than fetch's bare `fetch failed`. */
function describeFetchError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : 'aborted';
  }
  const cause = findCause(error);
  const tls = describeTlsFailure(cause);
  if (tls !== undefined) return tls;
  const code = cause?.code;
  const known: Record<string, string> = {
    ECONNREFUSED: 'connection refused',
    ECONNRESET: 'connection reset',
    ENOTFOUND: 'host not found',
    EAI_AGAIN: 'host lookup failed',
    ETIMEDOUT: 'connection timed out',
    UND_ERR_SOCKET: 'connection closed by the server',
    UND_ERR_CONNECT_TIMEOUT: 'connection timed out',
  };
  if (code !== undefined && known[code] !== undefined) return `${known[code]} (${code})`;
  const nested = (error as { cause?: { message?: unknown } }).cause?.message;
  return oneLine(typeof nested === 'string' ? nested : (error as Error).message);
}

/** The error of a request that went through `proxy`, said as the proxy's when it is. */
function blameProxy(error: unknown, proxy: ProxyServer | undefined, url: string): unknown {
  if (proxy === undefined || !(error instanceof NetworkError)) return error;
  const failure = describeProxyFailure(error.cause, error.message, proxy, url);
  if (failure === undefined) return error;
  return new NetworkError(failure.detail, { cause: error.cause, retriable: failure.retriable });
}
