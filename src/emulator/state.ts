/**
 * Everything one emulator instance remembers. Routes get it passed in, so the legacy and the
 * FCM v1 routes share the same devices, faults and inbox.
 */
import { AccessTokens, TrustedAccounts } from './credentials.js';
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
  /** Lifetime of issued access tokens in seconds; default 3600. */
  tokenLifetimeSeconds?: number;
}

const DEFAULT_TOKEN_LIFETIME_SECONDS = 3600;

export class EmulatorState {
  readonly devices = new DeviceRegistry();
  readonly faults = new FaultQueue();
  readonly inbox = new Inbox();
  readonly accounts = new TrustedAccounts();
  readonly accessTokens: AccessTokens;
  readonly ids: IdSource;
  private readonly clock: () => number;
  private readonly keys: ReadonlySet<string>;
  private origin = '';

  constructor(options: EmulatorStateOptions = {}) {
    this.clock = options.clock ?? Date.now;
    this.ids = new IdSource(this.clock);
    this.keys = new Set(options.keys ?? []);
    const lifetime = options.tokenLifetimeSeconds ?? DEFAULT_TOKEN_LIFETIME_SECONDS;
    this.accessTokens = new AccessTokens(this.clock, lifetime);
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

  /** The current time in milliseconds since the epoch. */
  readClock(): number {
    return this.clock();
  }

  /** Records `http://HOST:PORT` once the server listens, since port 0 is only known then. */
  setOrigin(origin: string): void {
    this.origin = origin;
  }

  /** The emulator's own token URL, `<origin>/token`. */
  readTokenUrl(): string {
    return `${this.origin}/token`;
  }
}
