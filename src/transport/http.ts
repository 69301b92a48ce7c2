/**
 * The only code that talks to the network.
 *
 * Requests go through the global `fetch` with undici's EnvHttpProxyAgent as its dispatcher: it
 * keeps a keep-alive pool with a bounded number of connections, and sends through the proxy
 * that HTTPS_PROXY, HTTP_PROXY and NO_PROXY name. Because the call is still the global `fetch`,
 * the tests' msw handlers see exactly the requests a real send makes. TLS is always verified:
 * a private CA is added with NODE_EXTRA_CA_CERTS, never by turning verification off.
 */
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

export interface Transport {
  post(request: HttpRequest, signal: AbortSignal): Promise<HttpResponse>;
  close(): Promise<void>;
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
  const { EnvHttpProxyAgent } = await import('undici');
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
  return {
    post: (request, signal) =>
      postWith(agent, request, signal).catch((error: unknown) => {
        throw blameProxy(error, proxyFor(request.url, proxies), request.url);
      }),
    close: () => agent.close(),
  };
}

async function postWith(
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
    const body = await readBounded(response);
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

async function readBounded(response: Response): Promise<string> {
  if (response.body === null) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for await (const chunk of response.body) {
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
