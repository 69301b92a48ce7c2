/**
 * The only code that talks to the network.
 *
 * Requests go through the global `fetch` with an undici Agent as its dispatcher: the Agent gives
 * a keep-alive pool with a bounded number of connections, and because the call is still the
 * global `fetch`, the tests' msw handlers see exactly the requests a real send makes.
 */
import type { Dispatcher } from 'undici';

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

/** A request that got no HTTP answer: refused, reset, timed out or cut off mid-body. */
export class NetworkError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'NetworkError';
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
 * token, and Google's host allows 100 streams per connection).
 */
export async function createTransport(options: {
  connections: number;
  http2?: boolean;
}): Promise<Transport> {
  const { Agent } = await import('undici');
  const agent = new Agent({
    connections: options.connections,
    keepAliveTimeout: 30_000,
    allowH2: options.http2 === true,
  });
  return {
    post: (request, signal) => postWith(agent, request, signal),
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
    throw new NetworkError(describeFetchError(error, signal), { cause: error });
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
      await response.body.cancel();
      throw new Error(`the answer is larger than ${MAX_RESPONSE_BYTES} bytes`);
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

/** `connection refused (ECONNREFUSED)` rather than fetch's bare `fetch failed`. */
function describeFetchError(error: unknown, signal: AbortSignal): string {
  if (signal.aborted) {
    const reason: unknown = signal.reason;
    return reason instanceof Error ? reason.message : 'aborted';
  }
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
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
  return cause?.message ?? (error as Error).message;
}
