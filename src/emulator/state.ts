/**
 * Everything one emulator instance remembers. Routes get it passed in, so a later FCM v1 route
 * shares the same devices, faults and inbox as the legacy one.
 */
import { DeviceRegistry } from './devices.js';
import { FaultQueue } from './faults.js';
import { Inbox } from './inbox.js';
import { IdSource } from './tokens.js';

/** The parts of `EmulatorOptions` the state needs. */
export interface EmulatorStateOptions {
  /** Accepted API keys; empty means any non-empty key. */
  keys?: readonly string[];
  /** Milliseconds since the epoch; default `Date.now`. */
  clock?: () => number;
}

export class EmulatorState {
  readonly devices = new DeviceRegistry();
  readonly faults = new FaultQueue();
  readonly inbox = new Inbox();
  readonly ids: IdSource;
  private readonly clock: () => number;
  private readonly keys: ReadonlySet<string>;

  constructor(options: EmulatorStateOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.ids = new IdSource(this.clock);
    this.keys = new Set(options.keys ?? []);
  }

  /** Any non-empty key passes when no keys were configured. */
  acceptsKey(key: string): boolean {
    if (key === '') return false;
    return this.keys.size === 0 || this.keys.has(key);
  }

  /** The current time as ISO 8601, for `received_at`. */
  readNow(): string {
    return new Date(this.clock()).toISOString();
  }
}
