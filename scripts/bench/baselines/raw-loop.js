// Baseline of the fan-out cases: a raw undici loop. It reads the same ID file, builds the same
// bodies (1000 IDs a request for legacy, one token a request for v1), keeps CONCURRENCY
// requests in flight over an undici Agent of CONCURRENCY connections, reads and parses every
// answer and counts the accepted recipients. No retries, no output, no config, no checks.
//
// Arguments: request|fetch  legacy|v1  URL  ID_FILE  CONCURRENCY. `request` is undici's own
// request(); `fetch` is undici's fetch with the same Agent. Data comes from BENCH_DATA.
import { readFileSync } from 'node:fs';
import { Agent, fetch, request } from 'undici';

const [client, protocol, url, file, concurrencyText] = process.argv.slice(2);
const concurrency = Number(concurrencyText);
const data = JSON.parse(process.env.BENCH_DATA);
const ids = readFileSync(file, 'utf8')
  .split('\n')
  .filter((line) => line !== '');
const agent = new Agent({ connections: concurrency, keepAliveTimeout: 30_000 });
const headers =
  protocol === 'legacy'
    ? { authorization: 'key=bench-key', 'content-type': 'application/json' }
    : { authorization: 'Bearer bench-access-token', 'content-type': 'application/json' };
const batch = protocol === 'legacy' ? 1000 : 1;

function buildBody(start) {
  if (protocol === 'legacy') {
    return JSON.stringify({ registration_ids: ids.slice(start, start + batch), data });
  }
  return JSON.stringify({ message: { token: ids[start], data } });
}

async function post(body) {
  if (client === 'request') {
    const response = await request(url, { method: 'POST', headers, body, dispatcher: agent });
    return { status: response.statusCode, text: await response.body.text() };
  }
  const response = await fetch(url, { method: 'POST', headers, body, dispatcher: agent });
  return { status: response.status, text: await response.text() };
}

let next = 0;
let accepted = 0;
async function work() {
  while (next < ids.length) {
    const start = next;
    next += batch;
    const { status, text } = await post(buildBody(start));
    if (status !== 200) throw new Error(`HTTP ${status}: ${text.slice(0, 200)}`);
    const answer = JSON.parse(text);
    accepted += protocol === 'legacy' ? answer.success : typeof answer.name === 'string' ? 1 : 0;
  }
}

await Promise.all(Array.from({ length: concurrency }, work));
await agent.close();
if (accepted !== ids.length) throw new Error(`${accepted} of ${ids.length} accepted`);
