/**
 * A scripted GCM server for msw: each test queues the answers it wants, and every request that
 * reaches the handler is recorded with its headers and parsed body.
 */
import { http, HttpResponse } from 'msw';

export const TEST_ENDPOINT = 'https://gcm.test/fcm/send';

export interface SeenRequest {
  headers: Headers;
  body: Record<string, unknown>;
  text: string;
}

/** An answer: a function of the request, so it can echo per-ID results. */
export type Answer = (request: SeenRequest) => Response;

export function createGcmServer() {
  const seen: SeenRequest[] = [];
  const answers: Answer[] = [];
  let fallback: Answer = (request) => acceptAll(request);
  const handler = http.post(TEST_ENDPOINT, async ({ request }) => {
    const text = await request.text();
    const entry = {
      headers: request.headers,
      body: JSON.parse(text) as Record<string, unknown>,
      text,
    };
    seen.push(entry);
    return (answers.shift() ?? fallback)(entry);
  });
  return {
    handler,
    seen,
    /** Queue answers for the next requests, in order. */
    answer: (...next: Answer[]) => void answers.push(...next),
    /** The answer once the queue is empty. */
    otherwise: (answer: Answer) => void (fallback = answer),
  };
}

let nextMessage = 1;

/** The registration IDs a request carried. */
export function idsOf(request: SeenRequest): string[] {
  return request.body.registration_ids as string[];
}

/** 200 with a result per ID: `error` for the IDs named in `errors`, a message_id for the rest. */
export function results(errors: Record<string, string | { canonical: string }> = {}): Answer {
  return (request) => {
    const list = idsOf(request).map((id) => {
      const special = errors[id];
      if (special === undefined) return { message_id: `0:${nextMessage++}%test` };
      if (typeof special === 'string') return { error: special };
      return { message_id: `0:${nextMessage++}%test`, registration_id: special.canonical };
    });
    const failure = list.filter((entry) => 'error' in entry).length;
    const canonical = list.filter((entry) => 'registration_id' in entry).length;
    const body =
      `{"multicast_id":9007199254740993123,"success":${list.length - failure},` +
      `"failure":${failure},"canonical_ids":${canonical},"results":${JSON.stringify(list)}}`;
    return new HttpResponse(body, { headers: { 'Content-Type': 'application/json' } });
  };
}

export function acceptAll(request: SeenRequest): Response {
  return results()(request);
}

export function status(code: number, body = '', headers: Record<string, string> = {}): Answer {
  return () => new HttpResponse(body, { status: code, headers });
}
