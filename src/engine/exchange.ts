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
  const interrupt = () => controller.abort(new Error('interrupted'));
  runtime.signal?.addEventListener('abort', interrupt, { once: true });
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
    return { kind: 'failed', error: 'Unreachable', detail: error.message, retriable: true };
  } finally {
    clearTimeout(timer);
    runtime.signal?.removeEventListener('abort', interrupt);
  }
}

/**
 * No request could be built: credentials were refused (final, `Unauthorized`), or the token
 * endpoint could not be reached (retried like a send). Anything else is a bug and is thrown.
 */
export function failedBeforeSending(error: unknown): BatchOutcome {
  if (error instanceof AuthError) {
    return { kind: 'failed', error: 'Unauthorized', detail: error.message, retriable: false };
  }
  if (error instanceof NetworkError) {
    return { kind: 'failed', error: 'Unreachable', detail: error.message, retriable: true };
  }
  throw error;
}
