// `npm run bench`: gcmpush against baselines, each pair run alternately, medians compared with
// gcmpush's performance targets. Run it after `npm run build`; it installs nothing and needs no
// network: every server it talks to is one it started on 127.0.0.1.
//
// What is measured, always as the wall time of a whole process from spawn until its output
// closes (so start-up, reading the ID file and parsing every answer count on both sides):
//
// - start-up: `gcmpush --version`, `--help`, `ids list` (20 stored names) vs `node -e 0`.
// - one send: `gcmpush send` of one legacy message vs a script that posts the same body once
//   with the global fetch and parses the answer (baselines/fetch-once.js).
// - legacy fan-out: 100,000 IDs from `--to-file`, 100 requests of 1000, concurrency 4.
// - v1 fan-out: 10,000 tokens from `--to-file`, one request each, concurrency 100 (gcmpush's
//   default for v1).
// - latency-bound: both fan-outs again against a server that answers after 50 ms.
//   The fan-outs compare throughput against a "raw undici loop" (baselines/raw-loop.js): a
//   script that reads the same file, builds the same bodies, keeps the same number of requests
//   in flight over an undici Agent with as many connections, and reads and parses each answer.
//   It uses undici's own request(), the fastest way undici offers: its fetch() costs far more
//   per request (the raw loop can use it, `fetch` for `request`, to see by how much). The
//   legacy case is also compared with
//   node-gcm 1.1.4 (baselines/node-gcm-loop.js, the list split into requests of 1000 for it)
//   sent one request at a time and 4 at a time, against the faster of those two.
//   The emulator's own throughput is reported for the legacy case: the same gcmpush send to
//   `gcmpush emulator` with all 100,000 IDs registered as devices.
// - memory: 1,000,000 IDs streamed from a file to the canned server, with the table (to a pipe,
//   so tab-separated rows) and with `--ndjson`; peak RSS of the gcmpush process as the kernel
//   counts it (GNU time's %M, or process.resourceUsage().maxRSS from bench/max-rss.js); three
//   runs of each, the median against the bound, the highest in the row's name.
//
// The server of every case but the emulator's is bench/canned-server.js, in a process of its
// own. v1 sends use a service-account file whose token_uri is that server's /token; the token
// is fetched in the unmeasured first run of each side and read from gcmpush's token cache in
// every measured run, so v1 numbers are for warm runs. gcmpush's stdout goes to a pipe that
// this script drains (and counts, to check that every recipient got its row); history is on,
// as it is by default, in a temp folder. `gcmpush` here is bin/gcmpush.js, the built bundle.
//
// Flags: --strict exits 1 when a target is missed (otherwise it exits 0 and only reports);
// --only=GROUP[,GROUP] runs some of startup, send, legacy, v1, latency, memory; --runs=N sets
// the rounds of the fan-out cases (default 5; the 50 ms v1 case takes 3).
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { readFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import {
  runLatencyLegacyCase,
  runLegacyCases,
  runMemoryCases,
  runOneSendCase,
  runStartupCases,
  runV1Case,
  writeDevices,
} from './bench/cases.js';
import { createWorkspace, writeIdFile, writeServiceAccount, API_KEY } from './bench/fixtures.js';
import { formatRows } from './bench/report.js';

const flags = process.argv.slice(2);
const flag = (name) => flags.find((entry) => entry.startsWith(`--${name}=`))?.split('=')[1];
const only = flag('only')?.split(',');
const wanted = (group) => only === undefined || only.includes(group);
const fanOutRuns = Number(flag('runs') ?? 5);
const STARTUP_RUNS = 15;
const LEGACY_COUNT = 100_000;
const V1_COUNT = 10_000;
const MILLION = 1_000_000;

/** Starts a child and resolves with it and its first line of stdout. */
async function startChild(args, options) {
  // A server's stderr (the emulator lists every device) is of no interest here.
  const child = spawn(process.execPath, args, { stdio: ['pipe', 'pipe', 'ignore'], ...options });
  const lines = createInterface({ input: child.stdout });
  const [first] = await Promise.race([
    once(lines, 'line'),
    once(child, 'exit').then(([code]) => {
      throw new Error(`${args.join(' ')} exited ${code} before it was ready`);
    }),
  ]);
  // Keep draining, so a chatty child never blocks on a full pipe.
  lines.on('line', () => {});
  return { child, first };
}

async function startServers(workspace) {
  const script = fileURLToPath(new URL('./bench/canned-server.js', import.meta.url));
  const { child, first } = await startChild([script]);
  const ports = JSON.parse(first);
  const origin = (speed) => `http://127.0.0.1:${ports[speed]}`;
  return {
    child,
    origin,
    legacyUrl: (speed) => `${origin(speed)}/fcm/send`,
    v1Url: (speed) => `${origin(speed)}/v1/projects/bench-project/messages:send`,
    serviceAccount: writeServiceAccount(workspace, `${origin('fast')}/token`),
  };
}

async function startEmulator(workspace, idFile) {
  const ids = readFileSync(idFile, 'utf8')
    .split('\n')
    .filter((line) => line !== '');
  const devices = writeDevices(workspace, ids);
  const bin = fileURLToPath(new URL('../bin/gcmpush.js', import.meta.url));
  const args = [bin, 'emulator', '--port', '0', '--key', API_KEY, '--devices', devices];
  const { child, first } = await startChild(args, { env: workspace.base });
  return { child, url: first.trim() };
}

async function main() {
  const startedAt = Date.now();
  const load = loadavg().map((value) => value.toFixed(2));
  console.log(
    `gcmpush benchmark: node ${process.version}, ${cpus().length} × ${cpus()[0]?.model}, ` +
      `load average ${load.join(' ')} at the start`,
  );
  const workspace = createWorkspace();
  const children = [];
  const rows = [];
  try {
    const files = {
      legacy: await writeIdFile(workspace.file('ids-100k.txt'), LEGACY_COUNT, 1),
      legacyCount: LEGACY_COUNT,
      v1: await writeIdFile(workspace.file('ids-10k.txt'), V1_COUNT, 2),
      v1Count: V1_COUNT,
      millionCount: MILLION,
    };
    const servers = await startServers(workspace);
    children.push(servers.child);
    const context = { workspace, servers, files, runs: fanOutRuns };
    const ids = readFileSync(files.v1, 'utf8').split('\n', 1);
    const step = async (group, run) => {
      if (!wanted(group)) return;
      const groupStarted = Date.now();
      rows.push(...(await run()));
      process.stderr.write(
        `  ${group} done in ${((Date.now() - groupStarted) / 1000).toFixed(0)} s\n`,
      );
    };
    await step('startup', () => runStartupCases({ ...context, runs: STARTUP_RUNS }));
    await step('send', () => runOneSendCase({ ...context, ids, runs: STARTUP_RUNS }));
    await step('legacy', async () => {
      const emulator = await startEmulator(workspace, files.legacy);
      children.push(emulator.child);
      try {
        return await runLegacyCases({ ...context, emulator });
      } finally {
        emulator.child.kill('SIGTERM');
      }
    });
    await step('v1', () => runV1Case(context));
    await step('latency', async () => [
      ...(await runLatencyLegacyCase(context)),
      ...(await runV1Case({ ...context, speed: 'slow', runs: Math.min(3, fanOutRuns) })),
    ]);
    await step('memory', async () => {
      files.million = await writeIdFile(workspace.file('ids-1m.txt'), MILLION, 3);
      return runMemoryCases(context);
    });
  } finally {
    for (const child of children) child.stdin?.end();
    workspace.cleanUp();
  }
  console.log(formatRows(rows));
  const seconds = ((Date.now() - startedAt) / 1000).toFixed(0);
  const loadAfter = loadavg().map((value) => value.toFixed(2));
  console.log(`${seconds} s in all; load average ${loadAfter.join(' ')} at the end`);
  const missed = rows.filter((row) => row.met === false).length;
  if (missed > 0) console.log(`${missed} target${missed === 1 ? '' : 's'} missed`);
  if (flags.includes('--strict') && missed > 0) process.exitCode = 1;
}

await main();
