// Baseline of the legacy fan-out: node-gcm 1.1.4, the long-standing Node sender. It cannot split
// a list past 1000 IDs itself, so this splits the file into requests of 1000 and sends them
// PARALLEL at a time (1: one after another), without retries, counting the accepted ones.
//
// Arguments: URL  ID_FILE  PARALLEL. Data comes from BENCH_DATA.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';

const gcm = createRequire(import.meta.url)('node-gcm');
const [url, file, parallelText] = process.argv.slice(2);
const ids = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line !== '');
const sender = new gcm.Sender('bench-key', { uri: url });
const message = new gcm.Message({ data: JSON.parse(process.env.BENCH_DATA) });

function send(chunk) {
  return new Promise((resolve, reject) => {
    sender.send(message, chunk, { retries: 0 }, (error, response) =>
      error ? reject(new Error(`node-gcm: ${JSON.stringify(error)}`)) : resolve(response.success),
    );
  });
}

let next = 0;
let accepted = 0;
async function work() {
  while (next < ids.length) {
    const chunk = ids.slice(next, next + 1000);
    next += 1000;
    const count = await send(chunk);
    accepted += count;
  }
}

await Promise.all(Array.from({ length: Number(parallelText) }, work));
if (accepted !== ids.length) throw new Error(`${accepted} of ${ids.length} accepted`);
