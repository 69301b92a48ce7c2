// The benchmark's cases, in groups; each returns its rows of the table. See ../bench.js for
// what each side is and why.
import { fileURLToPath } from 'node:url';
import { DATA, API_KEY, writeConfig, writeDevices } from './fixtures.js';
import { alternate, median, runNode } from './measure.js';
import { bound, compare } from './report.js';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const BIN = here('../../bin/gcmpush.js');
const FETCH_ONCE = here('./baselines/fetch-once.js');
const RAW_LOOP = here('./baselines/raw-loop.js');
const NODE_GCM = here('./baselines/node-gcm-loop.js');
const DATA_FLAG = ['--data', JSON.stringify(DATA)];

/** A side of a comparison: a label and a run that resolves to its timing. */
const side = (label, args, options) => ({ label, run: () => runNode(args, options) });

/** The stricter of two baselines: the faster one. */
function fastest(labels, medians) {
  let best = 0;
  medians.forEach((ms, index) => {
    if (ms < medians[best]) best = index;
  });
  return { label: labels[best], ms: medians[best] };
}

export async function runStartupCases({ workspace, runs }) {
  writeConfig(workspace);
  const env = workspace.base;
  const rows = [];
  for (const args of [['--version'], ['--help'], ['ids', 'list']]) {
    const [ours, baseline] = await alternate(
      [side('gcmpush', [BIN, ...args], { env }), side('node -e 0', ['-e', '0'], { env })],
      runs,
    );
    const name = `start-up: gcmpush ${args.join(' ')}`;
    rows.push(
      compare({ name, ours, baseline, baselineName: 'node -e 0', kind: 'time', target: 1.3 }),
    );
  }
  return rows;
}

export async function runOneSendCase({ workspace, servers, ids, runs }) {
  const env = { ...workspace.base, GCMPUSH_API_KEY: API_KEY };
  const url = servers.legacyUrl('fast');
  const [ours, baseline] = await alternate(
    [
      side(
        'gcmpush',
        [BIN, 'send', '--protocol', 'legacy', '--endpoint', url, '--to', ids[0], ...DATA_FLAG],
        { env },
      ),
      side('fetch', [FETCH_ONCE, url, ids[0]], { env }),
    ],
    runs,
  );
  return [
    compare({
      name: 'one send (legacy)',
      ours,
      baseline,
      baselineName: 'fetch script',
      kind: 'time',
      target: 1.5,
    }),
  ];
}

/** gcmpush and the raw loops for one protocol against one of the canned servers. */
function fanOutSides({ workspace, servers, protocol, speed, idFile, count }) {
  const concurrency = protocol === 'legacy' ? 4 : 100;
  const url = protocol === 'legacy' ? servers.legacyUrl(speed) : servers.v1Url(speed);
  const endpoint = protocol === 'legacy' ? url : servers.origin(speed);
  const env =
    protocol === 'legacy'
      ? { ...workspace.base, GCMPUSH_API_KEY: API_KEY }
      : { ...workspace.base, GOOGLE_APPLICATION_CREDENTIALS: servers.serviceAccount };
  const gcmpush = side(
    'gcmpush',
    [
      BIN,
      'send',
      '--protocol',
      protocol,
      '--endpoint',
      endpoint,
      '--to-file',
      idFile,
      '--concurrency',
      String(concurrency),
      ...DATA_FLAG,
    ],
    { env },
  );
  const checked = async () => {
    const result = await gcmpush.run();
    if (result.lines !== count)
      throw new Error(`gcmpush printed ${result.lines} rows for ${count} recipients`);
    return result;
  };
  const raw = (client) =>
    side(`undici ${client}()`, [RAW_LOOP, client, protocol, url, idFile, String(concurrency)], {
      env,
    });
  return { gcmpush: { label: 'gcmpush', run: checked }, raw: [raw('request')], url, env };
}

function fanOutRows(name, count, medians, sides, target) {
  const [ours, ...baselines] = medians;
  const stricter = fastest(
    sides.map((entry) => entry.label),
    baselines,
  );
  return compare({
    name,
    ours,
    baseline: stricter.ms,
    baselineName: stricter.label,
    kind: 'rate',
    target,
    count,
  });
}

export async function runLegacyCases({ workspace, servers, files, emulator, runs }) {
  const count = files.legacyCount;
  const sides = fanOutSides({
    workspace,
    servers,
    protocol: 'legacy',
    speed: 'fast',
    idFile: files.legacy,
    count,
  });
  const nodeGcm = (parallel) =>
    side(`node-gcm ×${parallel}`, [NODE_GCM, sides.url, files.legacy, String(parallel)], {
      env: sides.env,
    });
  const viaEmulator = {
    label: 'gcmpush → emulator',
    run: () =>
      runNode(
        [
          BIN,
          'send',
          '--protocol',
          'legacy',
          '--endpoint',
          emulator.url,
          '--to-file',
          files.legacy,
          ...DATA_FLAG,
        ],
        { env: sides.env },
      ),
  };
  const all = [sides.gcmpush, ...sides.raw, nodeGcm(1), nodeGcm(4), viaEmulator];
  const medians = await alternate(all, runs);
  const [ours, request, gcmSequential, gcmParallel, emulated] = medians;
  const bestGcm = fastest(['node-gcm ×1', 'node-gcm ×4'], [gcmSequential, gcmParallel]);
  const name = `legacy fan-out ${count / 1000}k`;
  return [
    fanOutRows(`${name} vs raw loop`, count, [ours, request], sides.raw, 0.8),
    compare({
      name: `${name} vs node-gcm`,
      ours,
      baseline: bestGcm.ms,
      baselineName: bestGcm.label,
      kind: 'rate',
      target: 1,
      count,
    }),
    compare({
      name: `${name}, emulator as server`,
      ours: emulated,
      baseline: ours,
      baselineName: 'canned server',
      kind: 'info',
      count,
    }),
  ];
}

export async function runV1Case({ workspace, servers, files, runs, speed = 'fast' }) {
  const count = files.v1Count;
  const sides = fanOutSides({ workspace, servers, protocol: 'v1', speed, idFile: files.v1, count });
  const medians = await alternate([sides.gcmpush, ...sides.raw], runs);
  const late = speed === 'slow' ? ', server 50 ms' : '';
  return [
    fanOutRows(`v1 fan-out ${count / 1000}k${late} vs raw loop`, count, medians, sides.raw, 0.7),
  ];
}

export async function runLatencyLegacyCase({ workspace, servers, files, runs }) {
  const count = files.legacyCount;
  const sides = fanOutSides({
    workspace,
    servers,
    protocol: 'legacy',
    speed: 'slow',
    idFile: files.legacy,
    count,
  });
  const medians = await alternate([sides.gcmpush, ...sides.raw], runs);
  return [
    fanOutRows(
      `legacy fan-out ${count / 1000}k, server 50 ms vs raw loop`,
      count,
      medians,
      sides.raw,
      0.8,
    ),
  ];
}

/**
 * Peak RSS depends on when the collector happens to run, so each mode runs MEMORY_RUNS times,
 * alternately; the row gives the median and, in its name, the highest.
 */
const MEMORY_RUNS = 3;

export async function runMemoryCases({ workspace, servers, files }) {
  const env = { ...workspace.base, GCMPUSH_API_KEY: API_KEY };
  const modes = ['table', 'ndjson'];
  const peaks = { table: [], ndjson: [] };
  const seconds = { table: [], ndjson: [] };
  for (let round = 0; round < MEMORY_RUNS; round++) {
    for (const mode of modes) {
      const args = [
        BIN,
        'send',
        '--protocol',
        'legacy',
        '--endpoint',
        servers.legacyUrl('fast'),
        '--to-file',
        files.million,
        ...DATA_FLAG,
      ];
      if (mode === 'ndjson') args.push('--ndjson');
      const result = await runNode(args, { env, rssFile: workspace.file('rss.txt') });
      const expected = files.millionCount + (mode === 'ndjson' ? 1 : 0);
      if (result.lines !== expected)
        throw new Error(`gcmpush printed ${result.lines} lines, not ${expected}`);
      peaks[mode].push(result.peakRssMiB);
      seconds[mode].push(result.ms / 1000);
    }
  }
  return modes.map((mode) => {
    const what = mode === 'ndjson' ? '--ndjson' : 'table to a pipe';
    const highest = Math.max(...peaks[mode]).toFixed(1);
    const time = median(seconds[mode]).toFixed(1);
    const name = `memory: ${files.millionCount / 1e6}M IDs, ${what} (${time} s; highest ${highest} MiB)`;
    return bound({ name, value: median(peaks[mode]), unit: 'MiB', limit: 150 });
  });
}

export { writeDevices };
