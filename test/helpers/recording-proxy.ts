/**
 * A loopback HTTP proxy in front of a server under test. It records each request body and
 * whether the answer reached the client whole, and passes an answer the server cut off on to
 * the client as a cut, so the client sees what it would have seen without the proxy.
 */
import {
  createServer,
  request as forward,
  type IncomingHttpHeaders,
  type IncomingMessage,
  type ServerResponse,
} from 'node:http';
import type { AddressInfo } from 'node:net';

/** One request the proxy passed on, and what became of its answer. */
export interface Exchange {
  method: string;
  path: string;
  body: string;
  /** The server's status, once its answer began. */
  status?: number;
  /** The whole answer reached the client; false when the server or the network cut it. */
  whole: boolean;
}

export interface RecordingProxy {
  /** `http://127.0.0.1:PORT`. */
  origin: string;
  /** Every exchange so far, in the order the requests arrived. */
  exchanges: Exchange[];
  close(): Promise<void>;
}

export interface ProxyOptions {
  /** Called once per exchange when the server's answer begins or the server fails. */
  onServed?: (exchange: Exchange) => void;
}

// Hop-by-hop headers belong to one connection and are never passed on (RFC 9110 7.6.1).
const HOP_HEADERS = ['connection', 'keep-alive', 'transfer-encoding', 'host'];

function endToEnd(headers: IncomingHttpHeaders): IncomingHttpHeaders {
  const kept = { ...headers };
  for (const name of HOP_HEADERS) delete kept[name];
  return kept;
}

function relay(target: URL, exchange: Exchange, client: ServerResponse, options: ProxyOptions) {
  return (headers: IncomingHttpHeaders, body: Buffer) => {
    let served = false;
    const serve = () => {
      if (!served) options.onServed?.(exchange);
      served = true;
    };
    // A fresh connection each time: a pooled one the server just closed would fail on reuse.
    const upstream = forward(target, {
      method: exchange.method,
      path: exchange.path,
      headers: endToEnd(headers),
      agent: false,
    });
    upstream.on('response', (answer: IncomingMessage) => {
      exchange.status = answer.statusCode;
      serve();
      client.writeHead(answer.statusCode ?? 502, endToEnd(answer.headers));
      answer.pipe(client);
      // A cut answer also raises "aborted" here; the close below handles it.
      answer.on('error', () => undefined);
      answer.on('close', () => {
        exchange.whole = answer.complete;
        if (!answer.complete) client.destroy();
      });
    });
    upstream.on('error', () => {
      serve();
      client.destroy();
    });
    upstream.end(body);
  };
}

/** Starts a proxy on 127.0.0.1, port 0, that passes every request on to `targetOrigin`. */
export async function startRecordingProxy(
  targetOrigin: string,
  options: ProxyOptions = {},
): Promise<RecordingProxy> {
  const target = new URL(targetOrigin);
  const exchanges: Exchange[] = [];
  const server = createServer((request, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const body = Buffer.concat(chunks);
      const exchange: Exchange = {
        method: request.method ?? 'GET',
        path: request.url ?? '/',
        body: body.toString('utf8'),
        whole: false,
      };
      exchanges.push(exchange);
      relay(target, exchange, response, options)(request.headers, body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    origin: `http://127.0.0.1:${port}`,
    exchanges,
    close: () =>
      new Promise((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
