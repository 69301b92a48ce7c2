/**
 * The send engine: splits the recipients into requests, keeps a bounded number in flight,
 * retries only what may succeed on a second try, and reports each recipient's final result.
 * It never prints; the caller learns what happens through `SendEvents`.
 */
import { AuthError } from '../errors.js';
import type { BatchOutcome, Protocol, Recipient, RecipientOutcome } from '../protocols/types.js';
import type { HttpRequest, HttpResponse, Transport } from '../transport/http.js';
import { NetworkError } from '../transport/http.js';
import { retryDelay } from '../transport/retry.js';
import { Limit } from './limit.js';

/** The final word on one recipient. */
export interface RecipientResult {
  recipient: Recipient;
  ok: boolean;
  messageId?: string;
  canonicalId?: string;
  error?: string;
  detail?: string;
  /** The FCM v1 status, for answers that came over v1. */
  status?: string;
  /** Requests that carried this recipient, whole-request failures included. */
  attempts: number;
}

export interface SendReport {
  /** One per recipient, in the order the recipients were given. */
  results: RecipientResult[];
  multicastIds: string[];
  /** The --timeout ended the send before every recipient had a final answer. */
  timedOut: boolean;
}

export interface SendEvents {
  request?(request: HttpRequest, recipients: Recipient[]): void;
  response?(response: HttpResponse, elapsedMs: number): void;
  retry?(info: RetryInfo): void;
  result?(result: RecipientResult): void;
}

export interface RetryInfo {
  recipients: Recipient[];
  delayMs: number;
  /** The attempt about to be made, counted from 1. */
  attempt: number;
  maxAttempts: number;
  reason: string;
}

export interface SendOptions {
  /** Retries after the first attempt: a recipient is sent at most retries + 1 times. */
  retries: number;
  /** Wall-clock bound on the whole send in ms, retries and waits included. */
  timeoutMs: number;
  /** Requests in flight at once. */
  concurrency: number;
}

/** Time and chance, injected so tests run the back-off exactly and without waiting. */
export interface SendRuntime {
  transport: Transport;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  random: () => number;
}

type Pending = { recipient: Recipient; last?: RecipientOutcome & { ok: false } };

export async function runSend(
  recipients: Recipient[],
  protocol: Protocol,
  options: SendOptions,
  runtime: SendRuntime,
  events: SendEvents = {},
): Promise<SendReport> {
  const send = new SendRun(protocol, options, runtime, events);
  const batches = chunk(recipients, protocol.maxBatch);
  await Promise.all(batches.map((batch) => send.deliver(batch)));
  return send.report(recipients.length);
}

class SendRun {
  private readonly results = new Map<number, RecipientResult>();
  private readonly attempts = new Map<number, number>();
  private readonly multicastIds: string[] = [];
  private readonly limit: Limit;
  private readonly deadline: number;
  private timedOut = false;

  constructor(
    private readonly protocol: Protocol,
    private readonly options: SendOptions,
    private readonly runtime: SendRuntime,
    private readonly events: SendEvents,
  ) {
    this.limit = new Limit(options.concurrency);
    this.deadline = runtime.now() + options.timeoutMs;
  }

  /** Sends one batch until every recipient in it has a final result. */
  async deliver(batch: Recipient[]): Promise<void> {
    let pending: Pending[] = batch.map((recipient) => ({ recipient }));
    for (let attempt = 1; ; attempt++) {
      const { retry, retryAfterMs } = await this.attempt(pending);
      if (retry.length === 0) return;
      const reason = describeFailure(retry);
      if (attempt > this.options.retries) {
        this.finishAll(retry, `${reason} after ${plural(attempt, 'attempt')}`);
        return;
      }
      const delayMs = retryDelay(attempt, retryAfterMs, this.runtime.random);
      if (this.runtime.now() + delayMs > this.deadline) {
        this.timedOut = true;
        const seconds = this.options.timeoutMs / 1000;
        this.finishAll(
          retry,
          `${reason}; gave up after ${plural(attempt, 'attempt')}: waiting ` +
            `${(delayMs / 1000).toFixed(1)} s more would pass the ${seconds} s timeout`,
        );
        return;
      }
      this.events.retry?.({
        recipients: retry.map((entry) => entry.recipient),
        delayMs,
        attempt: attempt + 1,
        maxAttempts: this.options.retries + 1,
        reason,
      });
      await this.runtime.sleep(delayMs);
      pending = retry;
    }
  }

  /** One request for `pending`; returns those that should be tried again. */
  private async attempt(pending: Pending[]) {
    const recipients = pending.map((entry) => entry.recipient);
    this.countAttempt(recipients);
    const sent = await this.limit.run(() => this.post(recipients));
    let outcome = sent.outcome;
    // An expired OAuth token: fetch a fresh one and send once more; a second 401 is final.
    if (outcome.kind === 'failed' && outcome.refreshable && sent.request !== undefined) {
      outcome = await this.resendWithFreshCredentials(sent.request, recipients);
    }
    const retry: Pending[] = [];
    if (outcome.kind === 'failed') {
      const last = {
        ok: false as const,
        error: outcome.error,
        detail: outcome.detail,
        status: outcome.status,
        retriable: false,
      };
      if (outcome.retriable && !this.pastDeadline()) {
        retry.push(...pending.map((entry) => ({ ...entry, last })));
      } else {
        if (outcome.retriable) this.timedOut = true;
        pending.forEach((entry) => this.finish(entry.recipient, last));
      }
      return { retry, retryAfterMs: outcome.retryAfterMs };
    }
    if (outcome.multicastId !== undefined) this.multicastIds.push(outcome.multicastId);
    outcome.results.forEach((result, index) => {
      const entry = pending[index] as Pending;
      if (!result.ok && result.retriable) retry.push({ ...entry, last: result });
      else this.finish(entry.recipient, result);
    });
    return { retry, retryAfterMs: outcome.retryAfterMs };
  }

  private async resendWithFreshCredentials(
    failed: HttpRequest,
    recipients: Recipient[],
  ): Promise<BatchOutcome> {
    try {
      await this.protocol.refreshCredentials?.(failed);
    } catch (error) {
      return failedBeforeSending(error);
    }
    this.countAttempt(recipients);
    return (await this.limit.run(() => this.post(recipients))).outcome;
  }

  private countAttempt(recipients: Recipient[]) {
    for (const recipient of recipients) {
      this.attempts.set(recipient.index, (this.attempts.get(recipient.index) ?? 0) + 1);
    }
  }

  /** One request and what it came to; `request` is undefined when none could be built. */
  private async post(
    recipients: Recipient[],
  ): Promise<{ outcome: BatchOutcome; request?: HttpRequest }> {
    let request: HttpRequest;
    try {
      request = await this.protocol.buildRequest(recipients);
    } catch (error) {
      return { outcome: failedBeforeSending(error) };
    }
    return { outcome: await this.exchange(request, recipients), request };
  }

  private async exchange(request: HttpRequest, recipients: Recipient[]): Promise<BatchOutcome> {
    this.events.request?.(request, recipients);
    const remaining = this.deadline - this.runtime.now();
    const controller = new AbortController();
    const seconds = this.options.timeoutMs / 1000;
    const timer = setTimeout(
      () => controller.abort(new Error(`no answer within the ${seconds} s timeout`)),
      Math.max(0, remaining),
    );
    const started = this.runtime.now();
    try {
      const response = await this.runtime.transport.post(request, controller.signal);
      this.events.response?.(response, this.runtime.now() - started);
      return this.protocol.readResponse(response, recipients, this.runtime.now());
    } catch (error) {
      if (!(error instanceof NetworkError)) throw error;
      return { kind: 'failed', error: 'Unreachable', detail: error.message, retriable: true };
    } finally {
      clearTimeout(timer);
    }
  }

  private pastDeadline(): boolean {
    return this.runtime.now() >= this.deadline;
  }

  private finishAll(entries: Pending[], detail: string) {
    for (const entry of entries) {
      const last = entry.last ?? { ok: false as const, error: 'Unreachable', retriable: false };
      this.finish(entry.recipient, { ...last, detail });
    }
  }

  private finish(recipient: Recipient, outcome: RecipientOutcome) {
    const attempts = this.attempts.get(recipient.index) ?? 0;
    const result: RecipientResult = outcome.ok
      ? {
          recipient,
          ok: true,
          messageId: outcome.messageId,
          canonicalId: outcome.canonicalId,
          attempts,
        }
      : {
          recipient,
          ok: false,
          error: outcome.error,
          detail: outcome.detail,
          status: outcome.status,
          attempts,
        };
    this.results.set(recipient.index, result);
    this.events.result?.(result);
  }

  report(count: number): SendReport {
    const results = [...this.results.values()].sort(
      (a, b) => a.recipient.index - b.recipient.index,
    );
    if (results.length !== count)
      throw new Error(`internal error: ${results.length} of ${count} results`);
    return { results, multicastIds: this.multicastIds, timedOut: this.timedOut };
  }
}

/**
 * No request could be built: credentials were refused (final, `Unauthorized`), or the token
 * endpoint could not be reached (retried like a send). Anything else is a bug and is thrown.
 */
function failedBeforeSending(error: unknown): BatchOutcome {
  if (error instanceof AuthError) {
    return { kind: 'failed', error: 'Unauthorized', detail: error.message, retriable: false };
  }
  if (error instanceof NetworkError) {
    return { kind: 'failed', error: 'Unreachable', detail: error.message, retriable: true };
  }
  throw error;
}

/** `Unavailable` or `HTTP 503 Service Unavailable`: what the last attempt of these came to. */
function describeFailure(entries: Pending[]): string {
  const last = entries[0]?.last;
  if (last === undefined) return 'no answer';
  if (last.error === 'Unreachable') return last.detail ?? 'no answer';
  return last.error;
}

function chunk<T>(items: T[], size: number): T[][] {
  const chunks: T[][] = [];
  for (let start = 0; start < items.length; start += size)
    chunks.push(items.slice(start, start + size));
  return chunks;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
