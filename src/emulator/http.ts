/** Reading bounded request bodies and writing replies with node:http. */
import { STATUS_CODES, type IncomingMessage, type ServerResponse } from 'node:http';

/** A complete response, built before anything is written so a drop fault can cut it short. */
export interface Reply {
  status: number;
  headers: Record<string, string>;
  body: string;
}

const JSON_TYPE = 'application/json; charset=UTF-8';
const TEXT_TYPE = 'text/plain; charset=UTF-8';
const HTML_TYPE = 'text/html; charset=UTF-8';

/** JSON written by hand, for bodies that carry integers beyond what a JS number holds. */
export function replyJsonText(status: number, text: string): Reply {
  return { status, headers: { 'content-type': JSON_TYPE }, body: text };
}

export function replyJson(status: number, value: unknown): Reply {
  return replyJsonText(status, JSON.stringify(value));
}

export function replyText(status: number, text: string): Reply {
  return { status, headers: { 'content-type': TEXT_TYPE }, body: text };
}

export function replyEmpty(status = 204): Reply {
  return { status, headers: {}, body: '' };
}

/** An error page shaped like the ones Google's front ends serve for 401, 404 and 5xx. */
export function replyErrorPage(status: number, headers: Record<string, string> = {}): Reply {
  const title = STATUS_CODES[status] ?? 'Error';
  const body =
    `<HTML>\n<HEAD>\n<TITLE>${title}</TITLE>\n</HEAD>\n` +
    `<BODY BGCOLOR="#FFFFFF" TEXT="#000000">\n<H1>${title}</H1>\n<H2>Error ${status}</H2>\n` +
    '</BODY>\n</HTML>\n';
  return { status, headers: { 'content-type': HTML_TYPE, ...headers }, body };
}

/**
 * What a captive portal or a misrouted proxy answers in place of the service: 200 and an HTML
 * page, which a client must not take for the service's answer.
 */
export function replyPortalPage(): Reply {
  const body =
    '<!DOCTYPE html>\n<html><head><title>Sign in to the network</title></head>\n' +
    '<body><h1>Sign in to the network</h1><p>Accept the terms of use to go online.</p>' +
    '</body></html>\n';
  return { status: 200, headers: { 'content-type': HTML_TYPE }, body };
}

/**
 * Reads the whole body as UTF-8, or resolves `undefined` once it passes `limit` bytes. Past the
 * limit the rest is discarded as it arrives rather than kept, so memory stays bounded.
 */
export function readBody(request: IncomingMessage, limit: number): Promise<string | undefined> {
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > limit) {
    request.resume();
    return Promise.resolve(undefined);
  }
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      if (size > limit) return;
      size += chunk.length;
      if (size <= limit) chunks.push(chunk);
      else resolve(undefined);
    });
    request.on('end', () => resolve(Buffer.concat(chunks).toString('utf8')));
    request.on('error', reject);
  });
}

export function writeReply(response: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body, 'utf8');
  response.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  response.end(body);
}

/** The first half of the body's bytes, at least one; it may end inside a UTF-8 sequence. */
function cutInHalf(body: Buffer): Buffer {
  return body.subarray(0, Math.max(1, Math.floor(body.length / 2)));
}

/**
 * Sends the headers and the first half of the body, then destroys the socket: the client sees
 * a connection lost mid-response, as when a proxy or the network fails.
 */
export function writeReplyHalf(response: ServerResponse, reply: Reply): void {
  const body = Buffer.from(reply.body, 'utf8');
  response.writeHead(reply.status, { ...reply.headers, 'content-length': String(body.length) });
  response.write(cutInHalf(body), () => response.destroy());
}

/**
 * Sends the first half of the body as if it were all of it, with a Content-Length to match:
 * the connection ends cleanly and only the body shows that something was lost.
 */
export function writeReplyCut(response: ServerResponse, reply: Reply): void {
  const half = cutInHalf(Buffer.from(reply.body, 'utf8'));
  response.writeHead(reply.status, { ...reply.headers, 'content-length': String(half.length) });
  response.end(half);
}
