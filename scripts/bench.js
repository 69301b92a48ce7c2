// Start-up benchmark: runs each gcmpush command and `node -e 0` alternately, several times, and
// prints the ratio of their medians. Run with `npm run bench` after `npm run build`.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const RUNS = Number(process.env.BENCH_RUNS ?? 21);
const TARGET = 1.3;
const bin = fileURLToPath(new URL('../bin/gcmpush.js', import.meta.url));

const configDir = mkdtempSync(path.join(tmpdir(), 'gcmpush-bench-'));
const ids = Object.fromEntries(
  Array.from({ length: 20 }, (_, index) => [`device${index}`, `token${index}:${'x'.repeat(150)}`]),
);
writeFileSync(path.join(configDir, 'config.json'), JSON.stringify({ ids }), { mode: 0o600 });
const env = { ...process.env, GCMPUSH_CONFIG_DIR: configDir, NO_COLOR: '1' };

function timeOnce(args) {
  const started = process.hrtime.bigint();
  const run = spawnSync(process.execPath, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  const elapsed = Number(process.hrtime.bigint() - started) / 1e6;
  if (run.status !== 0) throw new Error(`${args.join(' ')} exited ${run.status}: ${run.stderr}`);
  return elapsed;
}

function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)];
}

const cases = [
  ['gcmpush --version', [bin, '--version']],
  ['gcmpush --help', [bin, '--help']],
  ['gcmpush ids list', [bin, 'ids', 'list']],
];
const baselineArgs = ['-e', '0'];

console.log(`node ${process.version}, ${RUNS} runs each, alternating with \`node -e 0\``);
console.log('case                 gcmpush  node -e 0  ratio  target  met');
let allMet = true;
for (const [name, args] of cases) {
  timeOnce(args);
  timeOnce(baselineArgs);
  const ours = [];
  const baseline = [];
  for (let run = 0; run < RUNS; run++) {
    ours.push(timeOnce(args));
    baseline.push(timeOnce(baselineArgs));
  }
  const ratio = median(ours) / median(baseline);
  const met = ratio <= TARGET;
  allMet &&= met;
  const cells = [
    name.padEnd(20),
    `${median(ours).toFixed(1).padStart(5)} ms`,
    `${median(baseline).toFixed(1).padStart(6)} ms`,
    ` ${ratio.toFixed(2)}×`,
    ` ≤${TARGET}×  `,
    met ? 'yes' : 'no',
  ];
  console.log(cells.join(' '));
}
process.exitCode = allMet ? 0 : 1;
