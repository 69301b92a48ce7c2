// The benchmark's push service: a minimal canned-answer server, run in a process of its own so
// that the sender under test and the server never share a CPU thread. It does as little work
// per request as a valid answer allows:
//
//   POST /fcm/send                       a legacy multicast answer with one result per ID (the
//                                        IDs are counted, not parsed; answers are cached by count)
//   POST /v1/projects/P/messages:send    {"name": "projects/P/messages/N"}
//   POST /token                          an access token, for a service account's token_uri
//
// It listens twice: once answering at once, once answering after DELAY_MS, as a far-away server
// would. When both listen it prints one JSON line, {"fast": PORT, "slow": PORT}, on stdout.
import { createServer } from 'node:http';

const DELAY_MS = Number(process.env.BENCH_DELAY_MS ?? 50);
const LEGACY_PATH = '/fcm/send';
const V1_PATH = /^\/v1\/projects\/([^/]+)\/messages:send$/;
const TOKEN_ANSWER = JSON.stringify({
  access_token: 'bench-access-token',
  expires_in: 3600,
  token_type: 'Bearer',
});

/** Answers by recipient count: a benchmark sends the same few sizes again and again. */
const legacyAnswers = new Map();
let messageNumber = 0;

function legacyAnswer(count) {
  let answer = legacyAnswers.get(count);
  if (answer === undefined) {
    const results = Array.from({ length: count }, (_, index) => ({
      message_id: `0:17963520729280${String(index).padStart(5, '0')}%c55c38002dee4416`,
    }));
    // A 64-bit multicast_id, written as the bare integer GCM sends.
    answer =
      `{"multicast_id":8012345678901234567,"success":${count},"failure":0,` +
      `"canonical_ids":0,"results":${JSON.stringify(results)}}`;
    legacyAnswers.set(count, answer);
  }
  return answer;
}

/** The IDs of `registration_ids` counted by their commas (an ID holds none); 1 for `to`. */
function countRecipients(body) {
  const start = body.indexOf('"registration_ids":[');
  if (start === -1) return 1;
  const end = body.indexOf(']', start);
  let count = 1;
  for (let at = body.indexOf(',', start); at !== -1 && at < end; at = body.indexOf(',', at + 1)) {
    count++;
  }
  return count;
}

function answer(request, body) {
  if (request.method !== 'POST') return [405, '{"error":"POST only"}'];
  if (request.url === LEGACY_PATH) {
    if (!(request.headers.authorization ?? '').startsWith('key=')) return [401, 'Unauthorized'];
    return [200, legacyAnswer(countRecipients(body))];
  }
  const v1 = V1_PATH.exec(request.url ?? '');
  if (v1 !== null) {
    if (!(request.headers.authorization ?? '').startsWith('Bearer ')) {
      return [401, '{"error":{"code":401,"status":"UNAUTHENTICATED"}}'];
    }
    return [200, `{"name":"projects/${v1[1]}/messages/${++messageNumber}"}`];
  }
  if (request.url === '/token') return [200, TOKEN_ANSWER];
  return [404, '{"error":"not found"}'];
}

function serve(delayMs) {
  const server = createServer({ keepAliveTimeout: 60_000 }, (request, response) => {
    const chunks = [];
    request.on('data', (chunk) => chunks.push(chunk));
    request.on('end', () => {
      const [status, text] = answer(request, Buffer.concat(chunks).toString('latin1'));
      const reply = () => {
        response.writeHead(status, {
          'content-type': 'application/json; charset=UTF-8',
          'content-length': Buffer.byteLength(text),
        });
        response.end(text);
      };
      if (delayMs > 0) setTimeout(reply, delayMs);
      else reply();
    });
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

const [fast, slow] = await Promise.all([serve(0), serve(DELAY_MS)]);
process.stdout.write(
  `${JSON.stringify({ fast: fast.address().port, slow: slow.address().port })}\n`,
);
// The parent ends this process by closing its stdin (or by a signal).
process.stdin.resume();
process.stdin.on('end', () => process.exit(0));
