/**
 * What one send of the soak looks like, drawn from a seeded random source: the protocol, the
 * devices and their scripts, the retries, and a fault for every request the send may make.
 */
import type { DeviceSpec } from '../../src/emulator/devices.js';
import type { FaultSpec } from '../../src/emulator/faults.js';
import type { Random } from '../helpers/random.js';

export type ProtocolName = 'legacy' | 'v1';

export interface SendScenario {
  protocol: ProtocolName;
  devices: DeviceSpec[];
  retries: number;
  /** One per request the send can make at most, taken in order; leftovers are cleared. */
  faults: FaultSpec[];
  collapseKey?: string;
}

/** Most devices take the message; the rest are gone, move, or fail a few times first. */
function drawDevice(random: Random): DeviceSpec {
  return random.weighted<() => DeviceSpec>([
    [() => ({}), 55],
    [() => ({ behavior: 'not-registered' }), 10],
    [() => ({ behavior: 'canonical' }), 10],
    [() => ({ behavior: 'unavailable', times: random.between(1, 3) }), 15],
    [() => ({ behavior: 'internal-error', times: random.between(1, 2) }), 10],
  ])();
}

/** Retry-After absent, or small: each second the engine waits moves the fake clock only. */
function drawRetryAfter(random: Random): { retry_after?: string } {
  const value = random.pick([undefined, '0', '1']);
  return value === undefined ? {} : { retry_after: value };
}

/**
 * Half the requests go through untouched (a zero latency fault holds their place in the
 * queue). FCM v1 answers 429 and 500/503 in JSON and a 502 from a front end as an HTML page;
 * legacy answers every status fault with an HTML page.
 */
function drawFault(random: Random, protocol: ProtocolName): FaultSpec {
  return random.weighted<() => FaultSpec>([
    [() => ({ latency_ms: 0, count: 1 }), 48],
    [() => ({ latency_ms: random.between(1, 15), count: 1 }), 10],
    [() => ({ status: 503, count: 1, ...drawRetryAfter(random) }), 10],
    [() => ({ status: 500, count: 1, ...drawRetryAfter(random) }), 8],
    [() => ({ status: 429, count: 1, ...drawRetryAfter(random) }), protocol === 'v1' ? 6 : 0],
    [() => ({ status: 502, count: 1 }), 3],
    [() => ({ drop: 1 }), 8],
    [() => ({ truncate: 1 }), 2],
    [() => ({ html: 1 }), 2],
  ])();
}

/** Legacy sends a multicast of up to 8 devices; v1 sends one request per device. */
export function drawScenario(random: Random, protocol: ProtocolName): SendScenario {
  const count = protocol === 'legacy' ? random.between(1, 8) : random.between(1, 4);
  const devices = Array.from({ length: count }, () => drawDevice(random));
  const retries = random.between(2, 5);
  const requests = protocol === 'legacy' ? retries + 1 : count * (retries + 1);
  const faults = Array.from({ length: requests }, () => drawFault(random, protocol));
  const collapseKey = random.next() < 0.5 ? 'soak' : undefined;
  return { protocol, devices, retries, faults, ...(collapseKey && { collapseKey }) };
}
