// Running a command and timing it: wall time from spawn until its output is closed, its exit
// code, how much it wrote, and (when asked) its peak resident memory.
import { spawn } from 'node:child_process';
import { existsSync, readFileSync, rmSync } from 'node:fs';
import { fileURLToPath } from 'node:url';

const GNU_TIME = '/usr/bin/time';
const RSS_PRELOAD = fileURLToPath(new URL('./max-rss.js', import.meta.url));

/**
 * Runs `argv` (node arguments) once. stdout goes to a pipe this process drains and counts, the
 * way `gcmpush ... | wc -l` would read it; stderr is kept for the error message.
 */
export function runNode(args, { env, expectCode = 0, rssFile } = {}) {
  const [command, argv] =
    rssFile === undefined ? [process.execPath, args] : withPeakRss(args, rssFile);
  return new Promise((resolve, reject) => {
    const started = process.hrtime.bigint();
    const child = spawn(command, argv, {
      env: { ...env, BENCH_RSS_FILE: rssFile },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let bytes = 0;
    let lines = 0;
    let stderr = '';
    child.stdout.on('data', (chunk) => {
      bytes += chunk.length;
      for (let at = chunk.indexOf(10); at !== -1; at = chunk.indexOf(10, at + 1)) lines++;
    });
    child.stderr.on('data', (chunk) => {
      if (stderr.length < 4000) stderr += chunk;
    });
    child.on('error', reject);
    child.on('close', (code) => {
      const ms = Number(process.hrtime.bigint() - started) / 1e6;
      if (code !== expectCode) {
        reject(new Error(`${args.join(' ')} exited ${code}: ${stderr.trim().slice(0, 800)}`));
        return;
      }
      resolve({
        ms,
        bytes,
        lines,
        peakRssMiB: rssFile === undefined ? undefined : readPeakRss(rssFile),
      });
    });
  });
}

/**
 * GNU time reports the peak RSS of the process it waits for, from the kernel's own count; where
 * it is missing, a preload reports process.resourceUsage().maxRSS as the process exits.
 */
function withPeakRss(args, rssFile) {
  rmSync(rssFile, { force: true });
  if (existsSync(GNU_TIME))
    return [GNU_TIME, ['-f', '%M', '-o', rssFile, process.execPath, ...args]];
  return [process.execPath, ['--import', RSS_PRELOAD, ...args]];
}

function readPeakRss(rssFile) {
  const lines = readFileSync(rssFile, 'utf8').trim().split('\n');
  return Number(lines[lines.length - 1]) / 1024;
}

export function median(values) {
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : (sorted[middle - 1] + sorted[middle]) / 2;
}

/**
 * Runs every side once to warm caches (and the token cache), then `runs` rounds in which each
 * side runs once, in turn, so load from elsewhere on the machine falls on all sides alike.
 * Returns the median milliseconds of each side.
 */
export async function alternate(sides, runs) {
  for (const side of sides) await side.run();
  const times = sides.map(() => []);
  for (let round = 0; round < runs; round++) {
    for (const [index, side] of sides.entries()) times[index].push((await side.run()).ms);
  }
  return times.map(median);
}
