/**
 * One request on the wire and what it came to, under three bounds at once: its own timeout,
 * the whole send's deadline, and the user's Ctrl-C.
 */
import { AuthError } from '../errors.js';
import type { BatchOutcome, Protocol, Recipient } from '../protocols/types.js';
import type { HttpRequest, HttpResponse } from '../transport/http.js';
import { NetworkError } from '../transport/http.js';
import type { SendRuntime } from './send.js';

export interface ExchangeContext {
  protocol: Protocol;
  runtime: SendRuntime;
  /** When the whole send must end, on the runtime's clock. */
  deadline: number;
  timeoutMs: number;
  requestTimeoutMs: number;
  onResponse?: (response: HttpResponse, elapsedMs: number) => void;
  /** The send's requests in flight, aborted together on Ctrl-C; absent, this one alone. */
  inFlight?: InFlight;
}

/**
 * Requests in flight, all aborted through one listener on the user's signal. A listener per
 * request would pass Node's limit of 10 at v1's 100 in flight and print a leak warning.
 */
export class InFlight {
  private readonly controllers = new Set<AbortController>();
  private readonly abortAll = () => {
    for (const controller of this.controllers) controller.abort(new Error('interrupted'));
  };

  constructor(private readonly signal?: AbortSignal) {
    signal?.addEventListener('abort', this.abortAll, { once: true });
  }

  /** Aborts `controller` on an interrupt until the returned function is called. */
  track(controller: AbortController): () => void {
    this.controllers.add(controller);
    return () => this.controllers.delete(controller);
  }

  close(): void {
    this.signal?.removeEventListener('abort', this.abortAll);
  }
}

export async function sendOnce(
  request: HttpRequest,
  recipients: Recipient[],
  context: ExchangeContext,
): Promise<BatchOutcome> {
  const { runtime } = context;
  const remaining = context.deadline - runtime.now();
  const bound = Math.min(remaining, context.requestTimeoutMs);
  const reason =
    bound === remaining
      ? `no answer within the ${context.timeoutMs / 1000} s timeout`
      : `no answer within ${context.requestTimeoutMs / 1000} s`;
  const controller = new AbortController();
  const timer = setTimeout(() => controller.abort(new Error(reason)), Math.max(0, bound));
  const inFlight = context.inFlight ?? new InFlight(runtime.signal);
  const untrack = inFlight.track(controller);
  const started = runtime.now();
  try {
    const response = await runtime.transport.post(request, controller.signal);
    context.onResponse?.(response, runtime.now() - started);
    return context.protocol.readResponse(response, recipients, runtime.now());
  } catch (error) {
    if (runtime.signal?.aborted) {
      return {
        kind: 'failed',
        error: 'Interrupted',
        detail: 'interrupted before an answer came',
        retriable: false,
      };
    }
    if (!(error instanceof NetworkError)) throw error;
    return unreachable(error);
  } finally {
    clearTimeout(timer);
    untrack();
    if (context.inFlight === undefined) inFlight.close();
  }
}

/**
 * No request could be built: credentials were refused (final, `Unauthorized`), or the token
 * endpoint could not be reached (retried like a send, unless the transport says it cannot
 * help). Anything else is a bug and is thrown.
 */
export function failedBeforeSending(error: unknown): BatchOutcome {
  if (error instanceof AuthError) {
    return { kind: 'failed', error: 'Unauthorized', detail: error.message, retriable: false };
  }
  if (error instanceof NetworkError) {
    return unreachable(error);
  }
  throw error;
}

/** Retried unless the transport says another try cannot help (an untrusted certificate). */
function unreachable(error: NetworkError): BatchOutcome {
  return {
    kind: 'failed',
    error: 'Unreachable',
    detail: error.message,
    retriable: error.retriable,
  };
}
