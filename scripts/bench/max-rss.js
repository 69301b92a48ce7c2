// Preloaded with --import where GNU time is missing: writes the process's peak resident set
// (kilobytes, as GNU time's %M) to BENCH_RSS_FILE as it exits.
import { writeFileSync } from 'node:fs';

process.on('exit', () => {
  const file = process.env.BENCH_RSS_FILE;
  if (file) writeFileSync(file, `${process.resourceUsage().maxRSS}\n`);
});
