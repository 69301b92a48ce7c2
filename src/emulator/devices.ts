/**
 * The emulator's device registry: which registration IDs exist, which package each belongs to,
 * which topics it follows, and the scripted behaviour that decides how a send to it ends.
 */
import {
  accept,
  findUnknownKeys,
  isJsonObject,
  isWholeNumber,
  refuse,
  type Parsed,
} from './checks.js';
import { createRegistrationId } from './tokens.js';

/** Every scripted behaviour, in the order the help text lists them. */
export const BEHAVIORS = [
  'ok',
  'not-registered',
  'canonical',
  'unavailable',
  'internal-error',
] as const;

/** How sends to a device end; see `DeviceRegistry.judge` for the exact sequence. */
export type Behavior = (typeof BEHAVIORS)[number];

/** What a caller asks for when registering a device; every field is optional. */
export interface DeviceSpec {
  /** Use this ID instead of a generated one (devices files); any non-empty string. */
  registration_id?: string;
  /** The Android package the token belongs to; default `com.example.app`. */
  package?: string;
  /** Default `ok`. */
  behavior?: Behavior;
  /** For `unavailable` and `internal-error`: how many sends fail first; default 1. */
  times?: number;
  /**
   * The Firebase project the token belongs to; v1 sends from another project's path get
   * `SENDER_ID_MISMATCH`. Unset means the token works under any project. Legacy ignores it.
   */
  project?: string;
}

/** A registered device as the control API shows it. */
export interface Device {
  registration_id: string;
  package: string;
  behavior: Behavior;
  /** Sends still to fail for `unavailable` and `internal-error`; as given for the others. */
  times: number;
  /** Only present when the spec named one. */
  project?: string;
}

/** A device with the topics it follows, for `GET /emulator/devices`. */
export interface DeviceListing extends Device {
  topics: string[];
}

/** The outcome of one send to one registration ID. */
export type DeviceVerdict =
  { accepted: true; canonicalId?: string } | { accepted: false; error: string };

interface DeviceRecord {
  id: string;
  package: string;
  behavior: Behavior;
  remaining: number;
  topics: Set<string>;
  /** Issued ahead of time so a dry run can show it without changing anything. */
  canonicalId?: string;
  project?: string;
}

/** How a send asks `DeviceRegistry.judge` about one registration ID. */
export interface JudgeOptions {
  restrictedPackage?: string;
  /** Decide without moving the device's script on. */
  dryRun: boolean;
  /** The v1 path's project; a device of another project answers `MismatchSenderId`. */
  project?: string;
  /**
   * True for v1 sends: v1 cannot tell the sender a canonical ID, so a `canonical` device keeps
   * its ID instead of switching to one the sender would never learn.
   */
  keepId?: boolean;
}

/** Which devices a topic or condition send may reach besides their topics. */
export interface SubscriberFilter {
  restrictedPackage?: string;
  project?: string;
}

const DEFAULT_PACKAGE = 'com.example.app';
const SPEC_KEYS = ['registration_id', 'package', 'behavior', 'times', 'project'] as const;
const MAX_TIMES = 1_000_000;

/** Checks a device spec from a control request or a devices file. */
export function parseDeviceSpec(value: unknown): Parsed<DeviceSpec> {
  if (!isJsonObject(value)) return refuse('a device must be a JSON object');
  const unknown = findUnknownKeys(value, SPEC_KEYS);
  if (unknown.length > 0) {
    return refuse(`unknown device field "${unknown[0]}"; known: ${SPEC_KEYS.join(', ')}`);
  }
  const { registration_id: id, package: packageName, behavior, times } = value;
  if (id !== undefined && (typeof id !== 'string' || id === '')) {
    return refuse('"registration_id" must be a non-empty string');
  }
  if (packageName !== undefined && (typeof packageName !== 'string' || packageName === '')) {
    return refuse('"package" must be a non-empty string');
  }
  if (behavior !== undefined && !BEHAVIORS.includes(behavior as Behavior)) {
    return refuse(
      `unknown behavior ${JSON.stringify(behavior)}; use one of ${BEHAVIORS.join(', ')}`,
    );
  }
  if (times !== undefined && !isWholeNumber(times, 1, MAX_TIMES)) {
    return refuse(`"times" must be a whole number from 1 to ${MAX_TIMES}`);
  }
  if (value.project !== undefined && (typeof value.project !== 'string' || value.project === '')) {
    return refuse('"project" must be a non-empty string');
  }
  return accept(value as DeviceSpec);
}

function showDevice(record: DeviceRecord): Device {
  return {
    registration_id: record.id,
    package: record.package,
    behavior: record.behavior,
    times: record.remaining,
    ...(record.project === undefined ? {} : { project: record.project }),
  };
}

/** A device without a project belongs to every project; a send without one asks for none. */
function isSameProject(record: DeviceRecord, project: string | undefined): boolean {
  return record.project === undefined || project === undefined || record.project === project;
}

/** Registration IDs the emulator knows, with their packages, topics and behaviours. */
export class DeviceRegistry {
  private readonly records = new Map<string, DeviceRecord>();

  has(id: string): boolean {
    return this.records.has(id);
  }

  /** Adds a device; throws when the spec is invalid or its ID is taken. */
  register(spec: DeviceSpec): Device {
    const parsed = parseDeviceSpec(spec);
    if (!parsed.ok) throw new Error(`invalid device: ${parsed.error}`);
    const id = spec.registration_id ?? createRegistrationId();
    if (this.records.has(id)) throw new Error(`device ${id} is registered already`);
    const behavior = spec.behavior ?? 'ok';
    const record: DeviceRecord = {
      id,
      package: spec.package ?? DEFAULT_PACKAGE,
      behavior,
      remaining: spec.times ?? 1,
      topics: new Set(),
      ...(spec.project === undefined ? {} : { project: spec.project }),
    };
    if (behavior === 'canonical') record.canonicalId = createRegistrationId();
    this.records.set(id, record);
    return showDevice(record);
  }

  /** Subscribes a device to a topic; false when the device is unknown. */
  subscribe(id: string, topic: string): boolean {
    const record = this.records.get(id);
    if (record === undefined) return false;
    record.topics.add(topic);
    return true;
  }

  list(): DeviceListing[] {
    return [...this.records.values()].map((record) => ({
      ...showDevice(record),
      topics: [...record.topics],
    }));
  }

  /**
   * Decides how a send to `id` ends and, unless `dryRun`, moves the device's script on:
   * unknown ID, other project, unregistered, package mismatch, then the scripted failures.
   */
  judge(id: string, options: JudgeOptions): DeviceVerdict {
    const record = this.records.get(id);
    if (record === undefined) return { accepted: false, error: 'InvalidRegistration' };
    if (!isSameProject(record, options.project)) {
      return { accepted: false, error: 'MismatchSenderId' };
    }
    if (record.behavior === 'not-registered') return { accepted: false, error: 'NotRegistered' };
    const { restrictedPackage, dryRun } = options;
    if (restrictedPackage !== undefined && restrictedPackage !== record.package) {
      return { accepted: false, error: 'InvalidPackageName' };
    }
    if (record.behavior === 'unavailable' || record.behavior === 'internal-error') {
      return this.judgeFailing(record, dryRun);
    }
    if (record.behavior === 'canonical' && record.canonicalId !== undefined) {
      const canonicalId = record.canonicalId;
      if (!dryRun && options.keepId !== true) this.replaceWithCanonical(record, canonicalId);
      return { accepted: true, canonicalId };
    }
    return { accepted: true };
  }

  /** IDs of live devices whose topics satisfy `matches`, for topic and condition sends. */
  findSubscribers(
    matches: (topics: ReadonlySet<string>) => boolean,
    filter: SubscriberFilter = {},
  ): string[] {
    const { restrictedPackage, project } = filter;
    const found: string[] = [];
    for (const record of this.records.values()) {
      if (record.behavior === 'not-registered' || !matches(record.topics)) continue;
      if (restrictedPackage !== undefined && restrictedPackage !== record.package) continue;
      if (!isSameProject(record, project)) continue;
      found.push(record.id);
    }
    return found;
  }

  private judgeFailing(record: DeviceRecord, dryRun: boolean): DeviceVerdict {
    if (record.remaining <= 0) return { accepted: true };
    if (!dryRun) record.remaining -= 1;
    const error = record.behavior === 'unavailable' ? 'Unavailable' : 'InternalServerError';
    return { accepted: false, error };
  }

  /** The old ID stops working and a plain `ok` device with the same package takes its place. */
  private replaceWithCanonical(record: DeviceRecord, canonicalId: string): void {
    record.behavior = 'not-registered';
    delete record.canonicalId;
    this.records.set(canonicalId, {
      id: canonicalId,
      package: record.package,
      behavior: 'ok',
      remaining: 1,
      topics: new Set(record.topics),
      ...(record.project === undefined ? {} : { project: record.project }),
    });
  }
}
