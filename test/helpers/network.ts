/**
 * Loopback stand-ins for a corporate network: an HTTP proxy (CONNECT tunnels and plain
 * forwarding) that records what it carried, and a push service over HTTPS with the test
 * certificates in test/fixtures/tls/.
 */
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import net from 'node:net';
import type { AddressInfo } from 'node:net';
import { fileURLToPath } from 'node:url';

/** A file in test/fixtures/tls/. */
export function tlsFixture(name: string): string {
  return fileURLToPath(new URL(`../fixtures/tls/${name}`, import.meta.url));
}

export interface RunningProxy {
  url: string;
  /** `CONNECT 127.0.0.1:8443` or `POST http://127.0.0.1:8080/fcm/send`, in order. */
  seen: string[];
  /** The Proxy-Authorization header of each request, `undefined` when none came. */
  logins: Array<string | undefined>;
  close(): Promise<void>;
}

/** An HTTP proxy; with `refuse`, it answers every CONNECT and request with that status. */
export async function startProxy(options: { refuse?: number } = {}): Promise<RunningProxy> {
  const seen: string[] = [];
  const logins: Array<string | undefined> = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((request, response) => {
    seen.push(`${request.method} ${request.url}`);
    logins.push(request.headers['proxy-authorization']);
    if (options.refuse !== undefined) return void response.writeHead(options.refuse).end();
    forward(request, response);
  });
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    seen.push(`CONNECT ${request.url}`);
    logins.push(request.headers['proxy-authorization']);
    sockets.add(client);
    if (options.refuse !== undefined) {
      return void client.end(
        `HTTP/1.1 ${options.refuse} ${http.STATUS_CODES[options.refuse]}\r\n\r\n`,
      );
    }
    tunnel(request.url ?? '', client, head, sockets);
  });
  server.on('connection', (socket: net.Socket) => sockets.add(socket));
  const url = await listen(server, 'http');
  return {
    url,
    seen,
    logins,
    close: async () => {
      sockets.forEach((socket) => socket.destroy());
      server.close();
    },
  };
}

function forward(request: http.IncomingMessage, response: http.ServerResponse) {
  const target = new URL(request.url ?? '');
  const upstream = http.request(
    target,
    { method: request.method, headers: { ...request.headers, host: target.host } },
    (answer) => {
      response.writeHead(answer.statusCode ?? 502, answer.headers);
      answer.pipe(response);
    },
  );
  upstream.on('error', () => response.writeHead(502).end());
  request.pipe(upstream);
}

function tunnel(authority: string, client: net.Socket, head: Buffer, sockets: Set<net.Socket>) {
  const { hostname, port } = new URL(`http://${authority}`);
  const upstream = net.connect(Number(port), hostname, () => {
    client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
    upstream.write(head);
    upstream.pipe(client);
    client.pipe(upstream);
  });
  sockets.add(upstream);
  upstream.on('error', () => client.end('HTTP/1.1 502 Bad Gateway\r\n\r\n'));
  client.on('error', () => upstream.destroy());
}

export interface CannedService {
  /** `https://127.0.0.1:PORT` (or http://). */
  origin: string;
  /** The paths of the requests it answered, in order. */
  paths: string[];
  close(): Promise<void>;
}

/**
 * A push service that accepts everything: the legacy send (one result per ID), the FCM v1
 * send, and an OAuth token endpoint at /token. Over HTTPS with `cert` (a fixture file name,
 * served with server-key.pem), else over plain HTTP.
 */
export async function startCannedService(options: { cert?: string } = {}): Promise<CannedService> {
  const paths: string[] = [];
  const handle = (request: http.IncomingMessage, response: http.ServerResponse) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => {
      paths.push(request.url ?? '');
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end(JSON.stringify(cannedAnswer(request.url ?? '', body)));
    });
  };
  const server =
    options.cert === undefined
      ? http.createServer(handle)
      : https.createServer(
          {
            key: readFileSync(tlsFixture('server-key.pem')),
            cert: readFileSync(tlsFixture(options.cert)),
          },
          handle,
        );
  const origin = await listen(server, options.cert === undefined ? 'http' : 'https');
  return {
    origin,
    paths,
    close: async () => {
      server.closeAllConnections();
      server.close();
    },
  };
}

function cannedAnswer(path: string, body: string): Record<string, unknown> {
  if (path === '/token') {
    return { access_token: 'ya29.canned-access-token', token_type: 'Bearer', expires_in: 3599 };
  }
  const v1 = /^\/v1\/projects\/([^/]+)\/messages:send$/.exec(path);
  if (v1 !== null) return { name: `projects/${v1[1]}/messages/canned-1` };
  const ids = (JSON.parse(body) as { registration_ids?: unknown[] }).registration_ids ?? [0];
  return {
    multicast_id: 1,
    success: ids.length,
    failure: 0,
    canonical_ids: 0,
    results: ids.map((_, index) => ({ message_id: `0:canned-${index}` })),
  };
}

/** A port that was just free: nothing listens on it. */
export async function closedPort(): Promise<number> {
  const server = net.createServer();
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  await new Promise((resolve) => server.close(resolve));
  return port;
}

async function listen(server: net.Server, scheme: string): Promise<string> {
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return `${scheme}://127.0.0.1:${(server.address() as AddressInfo).port}`;
}
