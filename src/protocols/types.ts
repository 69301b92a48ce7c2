/** What every push protocol implements, and the message and result types they share. */
import type { HttpRequest, HttpResponse } from '../transport/http.js';

/** The message as the user asked for it, before any protocol shapes it. */
export interface PushMessage {
  data?: Record<string, unknown>;
  notification?: Record<string, unknown>;
  collapseKey?: string;
  /** Seconds the service keeps the message for an offline device, 0..2419200. */
  ttl?: number;
  priority?: 'high' | 'normal';
  contentAvailable?: boolean;
  restrictedPackageName?: string;
  /** Validate only: the service checks the request and delivers nothing. */
  dryRun?: boolean;
}

/** One device, topic or condition the message goes to, in the order the user gave. */
export interface Recipient {
  /** Position in the user's target list; results are reported in this order. */
  index: number;
  /** What the user typed: a stored name, a raw ID, `/topics/NAME` or a condition. */
  target: string;
  /** The registration ID, or the topic or condition itself. */
  registrationId: string;
  kind: 'token' | 'topic' | 'condition';
  /** The stored name this came from, so canonical updates and pruning know what to change. */
  name?: string;
}

/** What the service said about one recipient. */
export type RecipientOutcome =
  | { ok: true; messageId: string; canonicalId?: string }
  | {
      ok: false;
      /** A GCM-style error name: `NotRegistered`, `Unavailable`, `InvalidRequest`... */
      error: string;
      detail?: string;
      /** Sending the same thing again may succeed. */
      retriable: boolean;
      /** The FCM v1 status, where the answer came from v1. */
      status?: string;
    };

/** What one request came to. */
export type BatchOutcome =
  | {
      kind: 'results';
      /** One per recipient of the request, in the same order. */
      results: RecipientOutcome[];
      multicastId?: string;
      retryAfterMs?: number;
    }
  | {
      /** No per-recipient answer: the whole request failed. */
      kind: 'failed';
      error: 'Unauthorized' | 'InvalidRequest' | 'Unreachable' | 'InvalidResponse' | 'Interrupted';
      detail: string;
      retriable: boolean;
      retryAfterMs?: number;
      /**
       * An `Unauthorized` answer that fresh credentials may cure (an expired OAuth token): the
       * engine calls `Protocol.refreshCredentials` and sends the request once more.
       */
      refreshable?: boolean;
      /** The FCM v1 status, where the answer came from v1. */
      status?: string;
    };

export interface Protocol {
  readonly name: 'legacy' | 'v1';
  /** Recipients one request may carry. */
  readonly maxBatch: number;
  /**
   * The request for these recipients. May throw `AuthError` when no credentials can be had
   * (the token endpoint refused the service account); the engine fails the recipients with
   * `Unauthorized` then. A `NetworkError` (token endpoint unreachable) is retried like a send.
   */
  buildRequest(recipients: Recipient[]): Promise<HttpRequest> | HttpRequest;
  readResponse(response: HttpResponse, recipients: Recipient[], now: number): BatchOutcome;
  /**
   * Drops the credentials `failed` carried, so the next `buildRequest` gets fresh ones (FCM v1's
   * token). Many requests may fail at once with the same token: only the first call refetches.
   */
  refreshCredentials?(failed: HttpRequest): Promise<void>;
}
