/** Messages the emulator accepted, one entry per device that would have received it. */

/** One delivered message, as `GET /emulator/messages` returns it. */
export interface StoredMessage {
  /** The ID the message was addressed to (for topics: each subscribed device). */
  registration_id: string;
  /** The per-recipient `message_id`, or the topic/condition send's numeric ID as text. */
  message_id: string;
  data: Record<string, unknown> | null;
  notification: Record<string, unknown> | null;
  /** Which sending protocol delivered it. */
  protocol: 'legacy' | 'v1';
  /** When the emulator accepted it, ISO 8601. */
  received_at: string;
  collapse_key?: string;
  priority?: 'normal' | 'high';
  /** Seconds, as the sender gave it. */
  time_to_live?: number;
  /** Set for topic sends: the topic name without `/topics/`. */
  topic?: string;
  /** Set for condition sends: the condition text as sent. */
  condition?: string;
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
