/**
 * The send engine: reads recipients as a stream, groups them into requests, keeps a bounded
 * number in flight, retries only what may succeed on a second try, and reports each
 * recipient's final result exactly once. It never prints; the caller learns what happens
 * through `SendEvents`.
 */
import type { BatchOutcome, Protocol, Recipient, RecipientOutcome } from '../protocols/types.js';
import type { HttpRequest, HttpResponse, Transport } from '../transport/http.js';
import { failedBeforeSending, InFlight, sendOnce } from './exchange.js';
import { Limit } from './limit.js';
import { retryDelay } from '../transport/retry.js';
import type { ChunkedRecipients } from './targets.js';
import { OrderedEmitter, RecipientWindow } from './window.js';

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

/** What a send came to. */
export interface SendReport {
  /** One per recipient in target order; empty when the caller took them through events. */
  results: RecipientResult[];
  total: number;
  success: number;
  failure: number;
  canonicalIds: number;
  /** Every error name some recipient ended with, for the exit code. */
  errors: ReadonlySet<string>;
  multicastIds: string[];
  /** The --timeout ended the send before every recipient had a final answer. */
  timedOut: boolean;
  /** The run was interrupted; unanswered recipients ended with `Interrupted`. */
  interrupted: boolean;
}

export interface SendEvents {
  request?(request: HttpRequest, recipients: Recipient[]): void;
  response?(response: HttpResponse, elapsedMs: number): void;
  retry?(info: RetryInfo): void;
  /** Once per recipient: in target order with `ordered`, else as each becomes final. */
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
  /** Bound on one request in ms, inside the whole timeout; default 30 s. */
  requestTimeoutMs?: number;
  /** Hand results to `events.result` in target order (for a table); default false. */
  ordered?: boolean;
  /** Keep every result in the report; off when the caller streams them. Default true. */
  keepResults?: boolean;
  /** Recipients read but not yet final (or, ordered, not yet handed out), at most. */
  window?: number;
}

/** Time, chance and interruption, injected so tests run the back-off exactly. */
export interface SendRuntime {
  transport: Transport;
  now: () => number;
  /** Waits `ms`; may end early once `signal` aborts. */
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  random: () => number;
  /** Aborted on Ctrl-C: requests and waits stop, unanswered recipients end `Interrupted`. */
  signal?: AbortSignal;
  /**
   * Waits while the output is behind (undefined when it is not): no request starts until it
   * has caught up, so a slow reader of the results bounds memory instead of growing a backlog.
   */
  outputDrained?: (signal?: AbortSignal) => Promise<void> | undefined;
}

const DEFAULT_REQUEST_TIMEOUT_MS = 30_000;
/** Results held back for target order before reading stops: about 15 MB of them. */
const ORDERED_WINDOW = 50_000;

type Failure = RecipientOutcome & { ok: false };
/** A recipient on its way: how many requests have carried it, and what the last one said. */
type Pending = { recipient: Recipient; attempts: number; last?: Failure };

export async function runSend(
  recipients: Iterable<Recipient> | AsyncIterable<Recipient>,
  protocol: Protocol,
  options: SendOptions,
  runtime: SendRuntime,
  events: SendEvents = {},
): Promise<SendReport> {
  const run = new SendRun(protocol, options, runtime, events);
  try {
    await run.consume(recipients);
  } finally {
    run.close();
  }
  return run.report();
}

class SendRun {
  private readonly results: RecipientResult[] = [];
  private readonly multicastIds: string[] = [];
  private readonly errors = new Set<string>();
  private readonly limit: Limit;
  private readonly window: RecipientWindow;
  private readonly emitter: OrderedEmitter<RecipientResult> | undefined;
  private readonly deadline: number;
  private readonly keepResults: boolean;
  private readonly inFlight: InFlight;
  private counts = { total: 0, success: 0, failure: 0, canonicalIds: 0 };
  private timedOut = false;

  constructor(
    private readonly protocol: Protocol,
    private readonly options: SendOptions,
    private readonly runtime: SendRuntime,
    private readonly events: SendEvents,
  ) {
    this.limit = new Limit(options.concurrency);
    this.deadline = runtime.now() + options.timeoutMs;
    this.keepResults = options.keepResults ?? true;
    this.inFlight = new InFlight(runtime.signal);
    const inFlight = options.concurrency * protocol.maxBatch * 2;
    this.window = new RecipientWindow(
      options.window ?? (options.ordered ? Math.max(ORDERED_WINDOW, inFlight) : inFlight),
    );
    if (options.ordered) {
      this.emitter = new OrderedEmitter((result) => this.handOut(result));
    }
  }

  /** Reads the recipients in batches and sends each while the window has room. */
  async consume(recipients: Iterable<Recipient> | AsyncIterable<Recipient>): Promise<void> {
    const active = new Set<Promise<void>>();
    const launch = async (batch: Recipient[]) => {
      await this.window.acquire(batch.length, this.runtime.signal);
      await this.runtime.outputDrained?.(this.runtime.signal);
      const stop = this.stopReason();
      if (stop !== undefined) {
        return batch.forEach((recipient) => this.finish({ recipient, attempts: 0 }, stop));
      }
      const delivery = this.deliver(batch).finally(() => active.delete(delivery));
      active.add(delivery);
    };
    let batch: Recipient[] = [];
    /** Adds one recipient; returns the batch it filled, if it filled one. No await here. */
    const add = (recipient: Recipient): Recipient[] | undefined => {
      this.counts.total++;
      batch.push(recipient);
      if (batch.length < this.protocol.maxBatch) return undefined;
      const full = batch;
      batch = [];
      return full;
    };
    const { chunks } = recipients as Partial<ChunkedRecipients>;
    if (typeof chunks === 'function') {
      // A chunk at a time: no await per recipient, only per request launched.
      for await (const chunk of chunks.call(recipients)) {
        for (const recipient of chunk) {
          const full = add(recipient);
          if (full !== undefined) await launch(full);
        }
      }
    } else {
      for await (const recipient of recipients) {
        const full = add(recipient);
        if (full !== undefined) await launch(full);
      }
    }
    if (batch.length > 0) await launch(batch);
    while (active.size > 0) await Promise.all(active);
  }

  /** Sends one batch until every recipient in it has a final result. */
  private async deliver(batch: Recipient[]): Promise<void> {
    let pending: Pending[] = batch.map((recipient) => ({ recipient, attempts: 0 }));
    for (let attempt = 1; ; attempt++) {
      const { retry, retryAfterMs } = await this.attempt(pending);
      if (retry.length === 0) return;
      const reason = describeFailure(retry);
      if (attempt > this.options.retries) {
        return this.finishAll(retry, `${reason} after ${plural(attempt, 'attempt')}`);
      }
      const delayMs = retryDelay(attempt, retryAfterMs, this.runtime.random);
      if (this.runtime.now() + delayMs > this.deadline) {
        this.timedOut = true;
        const seconds = this.options.timeoutMs / 1000;
        return this.finishAll(
          retry,
          `${reason}; gave up after ${plural(attempt, 'attempt')}: waiting ` +
            `${(delayMs / 1000).toFixed(1)} s more would pass the ${seconds} s timeout`,
        );
      }
      this.events.retry?.({
        recipients: retry.map((entry) => entry.recipient),
        delayMs,
        attempt: attempt + 1,
        maxAttempts: this.options.retries + 1,
        reason,
      });
      await this.runtime.sleep(delayMs, this.runtime.signal);
      if (this.runtime.signal?.aborted) {
        return this.finishAll(retry, `interrupted while waiting to retry (${reason})`, true);
      }
      pending = retry;
    }
  }

  /** One request for `pending`; returns those that should be tried again. */
  private async attempt(pending: Pending[]) {
    const recipients = pending.map((entry) => entry.recipient);
    countAttempt(pending);
    const sent = await this.limit.run(() => this.post(recipients));
    let outcome = sent.outcome;
    // An expired OAuth token: fetch a fresh one and send once more; a second 401 is final.
    if (outcome.kind === 'failed' && outcome.refreshable && sent.request !== undefined) {
      outcome = await this.resendWithFreshCredentials(sent.request, pending, recipients);
    }
    const retry: Pending[] = [];
    if (outcome.kind === 'failed') {
      const last: Failure = {
        ok: false,
        error: outcome.error,
        detail: outcome.detail,
        status: outcome.status,
        retriable: false,
      };
      if (outcome.retriable && !this.pastDeadline()) {
        for (const entry of pending) entry.last = last;
        retry.push(...pending);
      } else {
        if (outcome.retriable) this.timedOut = true;
        pending.forEach((entry) => this.finish(entry, last));
      }
      return { retry, retryAfterMs: outcome.retryAfterMs };
    }
    if (outcome.multicastId !== undefined) this.multicastIds.push(outcome.multicastId);
    const { results } = outcome;
    for (let index = 0; index < results.length; index++) {
      const result = results[index] as RecipientOutcome;
      const entry = pending[index] as Pending;
      if (result.ok || !result.retriable) {
        this.finish(entry, result);
      } else {
        entry.last = result;
        retry.push(entry);
      }
    }
    return { retry, retryAfterMs: outcome.retryAfterMs };
  }

  private async resendWithFreshCredentials(
    failed: HttpRequest,
    pending: Pending[],
    recipients: Recipient[],
  ): Promise<BatchOutcome> {
    try {
      await this.protocol.refreshCredentials?.(failed);
    } catch (error) {
      return failedBeforeSending(error);
    }
    countAttempt(pending);
    return (await this.limit.run(() => this.post(recipients))).outcome;
  }

  /** One request and what it came to; `request` is undefined when none could be built. */
  private async post(
    recipients: Recipient[],
  ): Promise<{ outcome: BatchOutcome; request?: HttpRequest }> {
    const stop = this.stopReason();
    if (stop !== undefined) return { outcome: { kind: 'failed', ...stop, retriable: false } };
    let request: HttpRequest;
    try {
      request = await this.protocol.buildRequest(recipients);
    } catch (error) {
      return { outcome: failedBeforeSending(error) };
    }
    this.events.request?.(request, recipients);
    const outcome = await sendOnce(request, recipients, {
      protocol: this.protocol,
      runtime: this.runtime,
      deadline: this.deadline,
      timeoutMs: this.options.timeoutMs,
      requestTimeoutMs: this.options.requestTimeoutMs ?? DEFAULT_REQUEST_TIMEOUT_MS,
      onResponse: this.events.response,
      inFlight: this.inFlight,
    });
    return { outcome, request };
  }

  /** Why nothing more may be sent, as the error the unsent recipients end with. */
  private stopReason(): { error: 'Interrupted' | 'Unreachable'; detail: string } | undefined {
    if (this.runtime.signal?.aborted) {
      return { error: 'Interrupted', detail: 'interrupted before it was sent' };
    }
    if (this.pastDeadline()) {
      this.timedOut = true;
      const seconds = this.options.timeoutMs / 1000;
      return { error: 'Unreachable', detail: `not sent: the ${seconds} s timeout ran out first` };
    }
    return undefined;
  }

  private pastDeadline(): boolean {
    return this.runtime.now() >= this.deadline;
  }

  private finishAll(entries: Pending[], detail: string, interrupted = false) {
    for (const entry of entries) {
      const last: Failure = entry.last ?? { ok: false, error: 'Unreachable', retriable: false };
      const error = interrupted ? 'Interrupted' : last.error;
      this.finish(entry, { ...last, error, detail });
    }
  }

  private finish(entry: Pending, outcome: RecipientOutcome | { error: string; detail: string }) {
    const { recipient, attempts } = entry;
    const result: RecipientResult =
      'ok' in outcome && outcome.ok
        ? { recipient, ok: true, messageId: outcome.messageId, attempts }
        : {
            recipient,
            ok: false,
            error: outcome.error,
            detail: outcome.detail,
            status: 'status' in outcome ? outcome.status : undefined,
            attempts,
          };
    if ('ok' in outcome && outcome.ok && outcome.canonicalId !== undefined) {
      result.canonicalId = outcome.canonicalId;
    }
    this.count(result);
    if (this.keepResults) this.results[recipient.index] = result;
    if (this.emitter !== undefined) this.emitter.add(recipient.index, result);
    else this.handOut(result);
  }

  private count(result: RecipientResult) {
    if (result.ok) this.counts.success++;
    else this.counts.failure++;
    if (result.canonicalId !== undefined) this.counts.canonicalIds++;
    if (result.error !== undefined) this.errors.add(result.error);
  }

  private handOut(result: RecipientResult) {
    this.window.release(1);
    this.events.result?.(result);
  }

  close(): void {
    this.inFlight.close();
  }

  report(): SendReport {
    const { total, success, failure } = this.counts;
    if (success + failure !== total) {
      throw new Error(`internal error: ${success + failure} results for ${total} recipients`);
    }
    return {
      results: this.results,
      ...this.counts,
      errors: this.errors,
      multicastIds: this.multicastIds,
      timedOut: this.timedOut,
      interrupted: this.errors.has('Interrupted'),
    };
  }
}

function countAttempt(pending: Pending[]) {
  for (const entry of pending) entry.attempts++;
}

/** `Unavailable` or `HTTP 503 Service Unavailable`: what the last attempt of these came to. */
function describeFailure(entries: Pending[]): string {
  const last = entries[0]?.last;
  if (last === undefined) return 'no answer';
  if (last.error === 'Unreachable') return last.detail ?? 'no answer';
  return last.error;
}

function plural(count: number, noun: string): string {
  return `${count} ${noun}${count === 1 ? '' : 's'}`;
}
