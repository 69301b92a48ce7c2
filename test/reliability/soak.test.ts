/**
 * The fault soak (issue 6): over 500 sends on both protocols go through the emulator while it
 * injects seeded faults, and every send is held to the invariants in soak-checks.ts. The sends
 * run in this process on a fake clock whose sleeps return at once, over real loopback HTTP;
 * a few more run the built CLI with real waits, to prove the binary behaves the same.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { runSendCommand, toSendFlags } from '../../src/commands/send.js';
import type { FaultSpec } from '../../src/emulator/faults.js';
import type { RequestEvent, RunningEmulator } from '../../src/emulator/server.js';
import { startEmulator } from '../../src/emulator/server.js';
import { createServiceAccount } from '../../src/emulator/service-account.js';
import { parseDocument, runCli } from '../helpers/cli.js';
import { createTempStore } from '../helpers/config.js';
import { createTestIo } from '../helpers/io.js';
import { createRandom } from '../helpers/random.js';
import type { Exchange, RecordingProxy } from '../helpers/recording-proxy.js';
import { startRecordingProxy } from '../helpers/recording-proxy.js';
import type { FinishedSend, JsonResult } from './soak-checks.js';
import { collectRequests, findViolations, lostAnswer } from './soak-checks.js';
import type { ProtocolName, SendScenario } from './soak-scenario.js';
import { drawScenario } from './soak-scenario.js';

const SEED = 0x5eed_0006;
const SENDS = 520;
const KEY = 'AIzaSySoakTestKey0123456789abcdefWXYZ';

/** An emulator behind a recording proxy, with a service account it trusts. */
interface Rig {
  emulator: RunningEmulator;
  proxy: RecordingProxy;
  events: RequestEvent[];
  marks: Map<Exchange, number>;
  env: NodeJS.ProcessEnv;
}

async function startRig(clock?: () => number): Promise<Rig> {
  const events: RequestEvent[] = [];
  const emulator = await startEmulator({
    port: 0,
    keys: [KEY],
    clock,
    onRequest: (event) => {
      if (event.path !== '/token') events.push(event);
    },
  });
  const account = createServiceAccount({ tokenUri: emulator.tokenUrl });
  emulator.trustServiceAccount(account);
  const marks = new Map<Exchange, number>();
  // The emulator stores a message before it answers, so the inbox is current here.
  const onServed = (exchange: Exchange) => void marks.set(exchange, emulator.messages().length);
  const proxy = await startRecordingProxy(emulator.origin, { onServed });
  const home = mkdtempSync(path.join(tmpdir(), 'gcmpush-soak-'));
  const keyFile = path.join(home, 'key.json');
  writeFileSync(keyFile, JSON.stringify(account), { mode: 0o600 });
  const env = {
    GCMPUSH_API_KEY: KEY,
    GOOGLE_APPLICATION_CREDENTIALS: keyFile,
    GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
    GCMPUSH_CACHE_DIR: path.join(home, 'cache'),
    GCMPUSH_DATA_DIR: path.join(home, 'data'),
    GCMPUSH_NO_HISTORY: '1',
  };
  return { emulator, proxy, events, marks, env };
}

/** Clears what the last send left, registers this send's devices and queues its faults. */
async function prepare(rig: Rig, scenario: SendScenario): Promise<string[]> {
  for (const part of ['faults', 'messages']) {
    await fetch(`${rig.emulator.origin}/emulator/${part}`, { method: 'DELETE' });
  }
  const ids = scenario.devices.map((spec) => rig.emulator.registerDevice(spec).registration_id);
  scenario.faults.forEach((fault) => rig.emulator.addFault(fault));
  return ids;
}

/** The send's flags; the endpoint is the proxy, for v1 only its origin counts. */
function sendArguments(rig: Rig, scenario: SendScenario, ids: string[]) {
  const route = scenario.protocol === 'legacy' ? '/fcm/send' : '';
  return {
    to: [ids.join(',')],
    protocol: scenario.protocol,
    endpoint: `${rig.proxy.origin}${route}`,
    retries: String(scenario.retries),
    data: '{"kind":"soak"}',
    ...(scenario.collapseKey && { collapseKey: scenario.collapseKey }),
    json: true,
  };
}

/** Runs `send` and gathers what the client reported and what the server saw. */
async function observe(
  rig: Rig,
  label: string,
  ids: string[],
  send: () => Promise<{ code: number; stdout: string; stderr: string }>,
): Promise<FinishedSend> {
  const firstExchange = rig.proxy.exchanges.length;
  const firstEvent = rig.events.length;
  const { code, stdout, stderr } = await send();
  const document = JSON.parse(stdout) as { results: JsonResult[] };
  const events = rig.events.slice(firstEvent);
  const inbox = rig.emulator.messages();
  const exchanges = rig.proxy.exchanges.slice(firstExchange);
  const requests = collectRequests(exchanges, events, rig.marks, inbox);
  const results = document.results;
  return { label, targets: ids, code, results, requests, served: events.length, inbox, stderr };
}

/** What the whole soak went through, to prove every fault kind was really exercised. */
class Tally {
  readonly faults = new Map<string, number>();
  readonly codes = new Map<number, number>();
  readonly protocols = new Map<ProtocolName, number>();
  recipients = 0;
  lostCopies = 0;

  add(scenario: SendScenario, send: FinishedSend): void {
    bump(this.protocols, scenario.protocol);
    bump(this.codes, send.code);
    scenario.faults.slice(0, send.served).forEach((fault) => bump(this.faults, nameFault(fault)));
    this.recipients += send.results.length;
    this.lostCopies += send.requests.filter(lostAnswer).flatMap((r) => r.delivered).length;
  }
}

function bump<K>(counts: Map<K, number>, key: K): void {
  counts.set(key, (counts.get(key) ?? 0) + 1);
}

function nameFault(fault: FaultSpec): string {
  if ('status' in fault) return `${fault.status}${fault.retry_after ? ' retry-after' : ''}`;
  if ('latency_ms' in fault) return fault.latency_ms === 0 ? 'none' : 'latency';
  return Object.keys(fault)[0] as string;
}

describe('the fault soak, in process on a fake clock', () => {
  let now = Date.now();
  let rig: Rig;

  // The emulator shares the fake clock, so tokens and JWT times agree across retry waits.
  beforeAll(async () => void (rig = await startRig(() => now)));
  afterAll(async () => {
    await rig.proxy.close();
    await rig.emulator.close();
  });

  it(`keeps every invariant over ${SENDS} sends with seeded faults`, async () => {
    const random = createRandom(SEED);
    const store = createTempStore();
    const sleep = async (ms: number) => void (now += ms);
    const deps = { store, now: () => now, sleep, random: random.next };
    const tally = new Tally();
    const problems: string[] = [];
    for (let index = 0; index < SENDS; index++) {
      const scenario = drawScenario(random, index % 2 === 0 ? 'legacy' : 'v1');
      const ids = await prepare(rig, scenario);
      const flags = toSendFlags({
        ...sendArguments(rig, scenario, ids),
        timeout: '86400',
        concurrency: '1',
      });
      const label = `send ${index + 1} (${scenario.protocol})`;
      const send = await observe(rig, label, ids, async () => {
        const capture = createTestIo({ env: rig.env });
        const code = await runSendCommand(flags, capture.io, deps);
        return { code, stdout: capture.stdout(), stderr: capture.stderr() };
      });
      problems.push(...findViolations(send));
      tally.add(scenario, send);
    }

    expect(problems.slice(0, 20)).toEqual([]);
    expect(tally.protocols).toEqual(
      new Map([
        ['legacy', SENDS / 2],
        ['v1', SENDS / 2],
      ]),
    );
    for (const kind of ['500', '500 retry-after', '503', '503 retry-after', '429', '502']) {
      expect(tally.faults.get(kind), kind).toBeGreaterThanOrEqual(10);
    }
    for (const kind of ['429 retry-after', 'drop', 'latency', 'truncate', 'html']) {
      expect(tally.faults.get(kind), kind).toBeGreaterThanOrEqual(10);
    }
    expect(tally.lostCopies).toBeGreaterThan(0);
    expect([...tally.codes.keys()].sort()).toEqual([0, 1, 4]);
    expect(tally.recipients).toBeGreaterThan(SENDS * 2);
  }, 120_000);
});

/** Each send's first requests take these faults, so the built CLI meets each kind once. */
const CLI_SENDS: Array<{ protocol: ProtocolName; devices: SendScenario['devices'] }> = [
  { protocol: 'legacy', devices: [{}, { behavior: 'unavailable' }, { behavior: 'canonical' }] },
  { protocol: 'v1', devices: [{}, { behavior: 'not-registered' }] },
];
const CLI_FAULTS: FaultSpec[][] = [
  [{ status: 503, count: 1, retry_after: '0' }, { drop: 1 }],
  [{ status: 429, count: 1, retry_after: '1' }, { drop: 1 }, { status: 502, count: 1 }],
];

describe('the fault soak, through the built CLI', () => {
  let rig: Rig;

  beforeAll(async () => void (rig = await startRig()));
  afterAll(async () => {
    await rig.proxy.close();
    await rig.emulator.close();
  });

  it.each(CLI_SENDS.map((send, index) => ({ ...send, faults: CLI_FAULTS[index] ?? [] })))(
    'keeps every invariant over $protocol with real waits',
    async ({ protocol, devices, faults }) => {
      const scenario: SendScenario = { protocol, devices, retries: 2, faults };
      const ids = await prepare(rig, scenario);
      const args = sendArguments(rig, scenario, ids);
      const argv = ['send', '--json', '--to', ...args.to, '--protocol', protocol];
      argv.push(
        '--endpoint',
        args.endpoint,
        '--retries',
        '2',
        '--timeout',
        '5',
        '--concurrency',
        '1',
      );

      const send = await observe(rig, `cli ${protocol}`, ids, async () => {
        const run = await runCli(argv, { env: rig.env });
        parseDocument(run);
        return { code: run.code ?? -1, stdout: run.stdout, stderr: run.stderr };
      });

      expect(findViolations(send)).toEqual([]);
      expect(send.served).toBeGreaterThanOrEqual(faults.length);
      expect(send.requests.filter(lostAnswer)).toHaveLength(1);
    },
  );
});
