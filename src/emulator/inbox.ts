/** Messages the emulator accepted, one entry per device that would have received it. */

/** One delivered message, as `GET /emulator/messages` returns it. */
export interface StoredMessage {
  /** The ID the message was addressed to (for topics: each subscribed device). */
  registration_id: string;
  /**
   * Legacy: the per-recipient `message_id`, or the topic/condition send's numeric ID as text.
   * v1: the last segment of the answered `name`, so `name.endsWith('/' + message_id)`.
   */
  message_id: string;
  /** v1: `android.data` when given, since it replaces `message.data` on Android. */
  data: Record<string, unknown> | null;
  /** v1: `message.notification` with `android.notification` fields laid over it. */
  notification: Record<string, unknown> | null;
  /** Which sending protocol delivered it. */
  protocol: 'legacy' | 'v1';
  /** When the emulator accepted it, ISO 8601. */
  received_at: string;
  /** v1: from `android.collapse_key`. */
  collapse_key?: string;
  /** v1: `android.priority` in lower case, so both protocols read alike. */
  priority?: 'normal' | 'high';
  /**
   * Seconds. Legacy: as the sender gave it; v1: `android.ttl` read as seconds, maybe
   * fractional.
   */
  time_to_live?: number;
  /** Set for topic sends: the topic name without `/topics/`. */
  topic?: string;
  /** Set for condition sends: the condition text as sent. */
  condition?: string;
  /** v1 only: the project of the send path, `/v1/projects/<project>/messages:send`. */
  project?: string;
  /** v1 only, when sent: the platform blocks with field names in snake_case. */
  android?: Record<string, unknown>;
  apns?: Record<string, unknown>;
  webpush?: Record<string, unknown>;
  fcm_options?: Record<string, unknown>;
}

// LIMITATION: only the newest 10,000 messages are kept, so a long CI run cannot fill memory.
const MAX_MESSAGES = 10_000;

/** Stored messages, oldest first. */
export class Inbox {
  private readonly messages: StoredMessage[] = [];

  add(message: StoredMessage): void {
    this.messages.push(message);
    if (this.messages.length > MAX_MESSAGES) this.messages.shift();
  }

  /** Copies of the stored messages, optionally only those addressed to one ID. */
  list(to?: string): StoredMessage[] {
    const chosen =
      to === undefined
        ? this.messages
        : this.messages.filter((message) => message.registration_id === to);
    return chosen.map((message) => structuredClone(message));
  }

  clear(): void {
    this.messages.length = 0;
  }
}
