import { HttpResponse, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { SendFlags } from '../../src/commands/send.js';
import { runSendCommand, toSendFlags } from '../../src/commands/send.js';
import type { ConfigStore } from '../../src/config/store.js';
import { UsageError } from '../../src/errors.js';
import { createTempStore, readConfig } from '../helpers/config.js';
import type { Answer } from '../helpers/gcm-handlers.js';
import { TEST_ENDPOINT, createGcmServer, idsOf, results, status } from '../helpers/gcm-handlers.js';
import { createTestIo } from '../helpers/io.js';

const KEY = 'AIzaSyTestKey0123456789abcdefWXYZ';
const PHONE = 'cXk2_9aB3dE:APA91bPhone';
const TABLET = 'dYl3_0bC4eF:APA91bTablet';

const gcm = createGcmServer();
const server = setupServer(gcm.handler);

beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
afterEach(() => {
  server.resetHandlers(gcm.handler);
  gcm.seen.length = 0;
  gcm.otherwise(results());
});
afterAll(() => server.close());

/** A clock that only moves when the engine sleeps, and a record of every sleep. */
function fakeTime(random = 0.5) {
  let now = 1_700_000_000_000;
  const sleeps: number[] = [];
  return {
    sleeps,
    now: () => now,
    sleep: async (ms: number) => {
      sleeps.push(ms);
      now += ms;
    },
    random: () => random,
  };
}

function storeWithDevices(): ConfigStore {
  return createTempStore({ api_key: KEY, ids: { phone: PHONE, tablet: TABLET } });
}

async function send(
  options: Record<string, unknown>,
  setup: { store?: ConfigStore; time?: ReturnType<typeof fakeTime>; tty?: boolean } = {},
) {
  const store = setup.store ?? storeWithDevices();
  const time = setup.time ?? fakeTime();
  const capture = createTestIo({ tty: setup.tty, env: {} });
  const flags: SendFlags = toSendFlags({ endpoint: TEST_ENDPOINT, ...options });
  const code = await runSendCommand(flags, capture.io, { store, ...time });
  return { code, store, time, stdout: capture.stdout(), stderr: capture.stderr() };
}

function json(stdout: string) {
  return JSON.parse(stdout) as {
    ok: boolean;
    success: number;
    failure: number;
    canonical_ids: number;
    multicast_ids: string[];
    send_id: string;
    results: Array<Record<string, unknown>>;
  };
}

describe('the request on the wire', () => {
  it('carries the key, the JSON content type and every message option', async () => {
    await send({
      to: ['phone,tablet'],
      data: '{"msg":"hi","n":"1"}',
      title: 'Hello',
      body: 'World',
      collapseKey: 'test',
      ttl: '0',
      priority: 'high',
      contentAvailable: true,
      restrictedPackageName: 'com.example.app',
      dryRun: true,
    });
    expect(gcm.seen).toHaveLength(1);
    const [request] = gcm.seen;
    expect(request?.headers.get('authorization')).toBe(`key=${KEY}`);
    expect(request?.headers.get('content-type')).toBe('application/json');
    expect(request?.body).toEqual({
      registration_ids: [PHONE, TABLET],
      collapse_key: 'test',
      priority: 'high',
      content_available: true,
      time_to_live: 0,
      restricted_package_name: 'com.example.app',
      dry_run: true,
      data: { msg: 'hi', n: '1' },
      notification: { title: 'Hello', body: 'World' },
    });
  });

  it('leaves out every option that was not given', async () => {
    await send({ to: ['phone'] });
    expect(gcm.seen[0]?.body).toEqual({ registration_ids: [PHONE] });
  });

  it('sends a topic message with `to` and reads its numeric message_id exactly', async () => {
    gcm.answer(() =>
      HttpResponse.text('{"message_id":6083410392847561234}', {
        headers: { 'Content-Type': 'application/json' },
      }),
    );
    const { code, stdout } = await send({ to: ['/topics/news'], json: true });
    expect(gcm.seen[0]?.body).toEqual({ to: '/topics/news' });
    expect(code).toBe(0);
    expect(json(stdout).results[0]).toMatchObject({
      target: '/topics/news',
      registration_id: '/topics/news',
      message_id: '6083410392847561234',
    });
  });

  it('sends each registration ID once, under the first label given', async () => {
    const { stdout } = await send({ to: ['phone', PHONE, 'tablet'], json: true });
    expect(idsOf(gcm.seen[0]!)).toEqual([PHONE, TABLET]);
    expect(json(stdout).results.map((result) => result.target)).toEqual(['phone', 'tablet']);
  });

  it('lets --title and --body override the same keys of --notification', async () => {
    await send({ to: ['phone'], notification: '{"title":"a","icon":"x"}', title: 'b' });
    expect(gcm.seen[0]?.body.notification).toEqual({ title: 'b', icon: 'x' });
  });
});

describe('results per registration ID', () => {
  it('maps each result to its ID in request order and exits 1 when one failed', async () => {
    gcm.answer(results({ [TABLET]: 'NotRegistered' }));
    const { code, stdout } = await send({ to: ['phone,tablet'], json: true });
    expect(code).toBe(1);
    const document = json(stdout);
    expect(document).toMatchObject({ ok: false, success: 1, failure: 1, canonical_ids: 0 });
    expect(document.multicast_ids).toEqual(['9007199254740993123']);
    expect(document.results[0]).toMatchObject({ target: 'phone', ok: true, attempts: 1 });
    expect(document.results[0]?.message_id).toMatch(/^0:\d+%test$/);
    expect(document.results[1]).toEqual({
      target: 'tablet',
      registration_id: TABLET,
      ok: false,
      error: 'NotRegistered',
      attempts: 1,
    });
  });

  it('prints one tab-separated row per recipient when stdout is not a terminal', async () => {
    gcm.answer(results({ [TABLET]: 'MismatchSenderId' }));
    const { stdout, stderr } = await send({ to: ['phone,tablet'] });
    const rows = stdout
      .trimEnd()
      .split('\n')
      .map((line) => line.split('\t'));
    expect(rows).toHaveLength(2);
    expect(rows[0]?.slice(0, 2)).toEqual(['phone', 'ok']);
    expect(rows[1]).toEqual(['tablet', 'failed', 'MismatchSenderId', '-', '1']);
    expect(stderr).toMatch(/^send [0-9a-f-]{36}: 2 recipients, 1 ok, 1 failed$/m);
  });

  it('exits 0 and says so when every recipient is accepted', async () => {
    const { code, stdout } = await send({ to: ['phone,tablet'] }, { tty: true });
    expect(code).toBe(0);
    expect(stdout).toContain('TARGET');
    expect(stdout).toMatch(/2 recipients, 2 ok, 0 failed/);
  });
});

describe('retries', () => {
  it('sends again only the IDs whose result was Unavailable', async () => {
    gcm.answer(results({ [TABLET]: 'Unavailable' }), results());
    const { code, stdout, time, stderr } = await send({ to: ['phone,tablet'], json: true });
    expect(gcm.seen.map(idsOf)).toEqual([[PHONE, TABLET], [TABLET]]);
    expect(code).toBe(0);
    expect(json(stdout).results.map((result) => result.attempts)).toEqual([1, 2]);
    expect(time.sleeps).toEqual([1000]);
    expect(stderr).toContain('retrying tablet in 1.0 s, attempt 2 of 6 (Unavailable)');
  });

  it('retries InternalServerError too, but never NotRegistered', async () => {
    gcm.answer(results({ [PHONE]: 'InternalServerError', [TABLET]: 'NotRegistered' }));
    await send({ to: ['phone,tablet'] });
    expect(gcm.seen.map(idsOf)).toEqual([[PHONE, TABLET], [PHONE]]);
  });

  it('doubles the back-off base from 1 s and keeps the wait in [b/2, 3b/2)', async () => {
    const unavailable = status(503, 'Service Unavailable');
    gcm.answer(unavailable, unavailable, unavailable, unavailable);
    const low = await send({ to: ['phone'] }, { time: fakeTime(0) });
    expect(low.time.sleeps).toEqual([500, 1000, 2000, 4000]);
    gcm.answer(unavailable, unavailable, unavailable);
    const high = await send({ to: ['phone'] }, { time: fakeTime(0.999) });
    expect(high.time.sleeps).toEqual([1499, 2998, 5996]);
  });

  it('caps the back-off base at 30 s', async () => {
    gcm.otherwise(status(500));
    const { time } = await send({ to: ['phone'], retries: '8', timeout: '10000' });
    expect(time.sleeps).toEqual([1000, 2000, 4000, 8000, 16000, 30000, 30000, 30000]);
  });

  it('waits at least as long as Retry-After in seconds', async () => {
    gcm.answer(status(503, '', { 'Retry-After': '7' }));
    const { time, code } = await send({ to: ['phone'] });
    expect(time.sleeps).toEqual([7000]);
    expect(code).toBe(0);
  });

  it('waits until a Retry-After HTTP date', async () => {
    const time = fakeTime();
    const date = new Date(time.now() + 12_000).toUTCString();
    gcm.answer(status(503, '', { 'Retry-After': date }));
    await send({ to: ['phone'] }, { time });
    expect(time.sleeps).toEqual([12_000]);
  });

  it('ends with Unreachable and exit 4 when 5xx answers outlast the retries', async () => {
    gcm.otherwise(status(503));
    const { code, stdout } = await send({ to: ['phone,tablet'], retries: '2', json: true });
    expect(gcm.seen).toHaveLength(3);
    expect(code).toBe(4);
    expect(json(stdout).results[0]).toMatchObject({
      ok: false,
      error: 'Unreachable',
      detail: 'HTTP 503 Service Unavailable after 3 attempts',
      attempts: 3,
    });
  });

  it('retries a network failure and counts it as an attempt', async () => {
    gcm.answer(() => HttpResponse.error());
    const { code, stdout } = await send({ to: ['phone'], json: true });
    expect(code).toBe(0);
    expect(json(stdout).results[0]?.attempts).toBe(2);
  });

  it('keeps Unavailable as the error when it never clears, and exits 1', async () => {
    gcm.otherwise(results({ [PHONE]: 'Unavailable' }));
    const { code, stdout } = await send({ to: ['phone'], retries: '1', json: true });
    expect(code).toBe(1);
    expect(json(stdout).results[0]).toMatchObject({ error: 'Unavailable', attempts: 2 });
  });

  it('stops at once with exit 4 when the next wait would pass the timeout', async () => {
    gcm.otherwise(status(503));
    const { code, time, stdout } = await send({ to: ['phone'], timeout: '5', json: true });
    expect(time.sleeps).toEqual([1000, 2000]);
    expect(gcm.seen).toHaveLength(3);
    expect(code).toBe(4);
    expect(json(stdout).results[0]?.detail).toMatch(/would pass the 5 s timeout/);
  });

  it('never retries a 400, failing each recipient with InvalidRequest and the reason', async () => {
    gcm.answer(status(400, 'Field "time_to_live" must be a JSON number'));
    const { code, stdout } = await send({ to: ['phone,tablet'], json: true });
    expect(gcm.seen).toHaveLength(1);
    expect(code).toBe(1);
    expect(json(stdout).results[1]).toMatchObject({
      error: 'InvalidRequest',
      detail: 'Field "time_to_live" must be a JSON number',
    });
  });

  it('never retries a 401, and exits 3 with Unauthorized', async () => {
    gcm.answer(status(401, '<HTML>Unauthorized</HTML>'));
    const { code, stdout } = await send({ to: ['phone'], json: true });
    expect(gcm.seen).toHaveLength(1);
    expect(code).toBe(3);
    expect(json(stdout).results[0]).toMatchObject({ error: 'Unauthorized', attempts: 1 });
  });
});

describe('more than 1000 recipients', () => {
  const many = Array.from({ length: 2500 }, (_, index) => `raw:${String(index).padStart(70, '0')}`);

  it('splits them into requests of at most 1000, in order', async () => {
    const { code, stdout } = await send({ to: [many.join(',')], json: true });
    expect(code).toBe(0);
    const sizes = gcm.seen.map((request) => idsOf(request).length).sort((a, b) => b - a);
    expect(sizes).toEqual([1000, 1000, 500]);
    expect(json(stdout).results.map((result) => result.registration_id)).toEqual(many);
  });

  it('keeps at most 4 requests in flight', async () => {
    let inFlight = 0;
    let most = 0;
    const slow: Answer = (request) => {
      inFlight++;
      most = Math.max(most, inFlight);
      return results()(request);
    };
    server.use(
      http.post(TEST_ENDPOINT, async ({ request }) => {
        const text = await request.text();
        const response = slow({ headers: request.headers, body: JSON.parse(text), text });
        await new Promise((resolve) => setTimeout(resolve, 5));
        inFlight--;
        return response;
      }),
    );
    const lots = Array.from({ length: 9000 }, (_, index) => `raw:${index}`);
    await send({ to: [lots.join(',')] });
    expect(most).toBe(4);
  });
});

describe('canonical IDs and pruning', () => {
  it('updates the stored name to the canonical ID and says so', async () => {
    gcm.answer(results({ [PHONE]: { canonical: 'cXk2_9aB3dE:APA91bNewPhone' } }));
    const { store, stdout, stderr, code } = await send({ to: ['phone'], json: true });
    expect(code).toBe(0);
    expect(readConfig(store).ids).toEqual({ phone: 'cXk2_9aB3dE:APA91bNewPhone', tablet: TABLET });
    expect(json(stdout).results[0]?.canonical_registration_id).toBe('cXk2_9aB3dE:APA91bNewPhone');
    expect(json(stdout).canonical_ids).toBe(1);
    expect(stderr).toContain('Updated phone to its canonical registration ID');
  });

  it('removes NotRegistered and InvalidRegistration names with --prune', async () => {
    const store = createTempStore({
      api_key: KEY,
      ids: { phone: PHONE, tablet: TABLET, watch: 'w:1', keep: 'k:1' },
    });
    gcm.answer(
      results({ [TABLET]: 'NotRegistered', 'w:1': 'InvalidRegistration', 'k:1': 'Unavailable' }),
    );
    gcm.otherwise(results({ 'k:1': 'Unavailable' }));
    const { stderr } = await send({ all: true, prune: true, retries: '0' }, { store });
    expect(readConfig(store).ids).toEqual({ phone: PHONE, keep: 'k:1' });
    expect(stderr).toContain('Pruned tablet (NotRegistered), watch (InvalidRegistration)');
  });

  it('keeps names that failed when --prune is not given', async () => {
    gcm.answer(results({ [TABLET]: 'NotRegistered' }));
    const { store } = await send({ to: ['tablet'] });
    expect(readConfig(store).ids).toEqual({ phone: PHONE, tablet: TABLET });
  });
});

describe('--verbose', () => {
  it('prints the request and response on stderr without the whole key', async () => {
    const { stderr, stdout } = await send({ to: ['phone'], verbose: true, json: true });
    expect(stderr).toContain(`> POST ${TEST_ENDPOINT}`);
    expect(stderr).toContain('> Authorization: key=AIza…WXYZ');
    expect(stderr).toContain('< 200');
    expect(stderr).not.toContain(KEY);
    expect(stdout).not.toContain(KEY);
    expect(() => JSON.parse(stdout)).not.toThrow();
  });
});

describe('bad input is refused before anything is sent', () => {
  const cases: Array<[string, Record<string, unknown>, RegExp]> = [
    [
      'invalid JSON',
      { to: ['phone'], data: '{"a":1,}' },
      /--data is not valid JSON: .* line 1, column 8/,
    ],
    ['a payload that is not an object', { to: ['phone'], data: '"hi"' }, /must be a JSON object/],
    [
      'reserved data keys',
      { to: ['phone'], data: '{"from":"x","gcm.n":"y"}' },
      /reserved data keys from, gcm\.n/,
    ],
    [
      'a payload over 4096 bytes',
      { to: ['phone'], data: JSON.stringify({ a: 'x'.repeat(4090) }) },
      /over the 4096-byte limit/,
    ],
    [
      'a topic payload over 2048 bytes',
      { to: ['/topics/a'], data: JSON.stringify({ a: 'x'.repeat(2042) }) },
      /2048-byte limit for topics/,
    ],
    ['a TTL out of range', { to: ['phone'], ttl: '2419201' }, /invalid --ttl/],
    ['a negative TTL', { to: ['phone'], ttl: '-1' }, /invalid --ttl/],
    ['a bad --priority', { to: ['phone'], priority: 'urgent' }, /invalid --priority "urgent"/],
    ['a bad --retries', { to: ['phone'], retries: 'many' }, /invalid --retries/],
    ['a bad --timeout', { to: ['phone'], timeout: '0' }, /invalid --timeout/],
    [
      'a missing @FILE',
      { to: ['phone'], data: '@/nonexistent/payload.json' },
      /cannot read --data file .*no such file/,
    ],
    ['no target', {}, /no target given/],
    ['an unknown name', { to: ['phnoe'] }, /unknown name phnoe/],
    ['more than one topic', { to: ['/topics/a,/topics/b'] }, /more than one topic/],
    ['--to with --all', { to: ['phone'], all: true }, /--all cannot be combined/],
    ['an invalid endpoint', { to: ['phone'], endpoint: 'ftp://x' }, /only http and https/],
  ];

  it.each(cases)('refuses %s', async (_name, options, message) => {
    const attempt = send(options);
    await expect(attempt).rejects.toThrow(UsageError);
    await expect(attempt).rejects.toThrow(message);
    expect(gcm.seen).toHaveLength(0);
  });

  it('suggests the nearest stored names for an unknown one', async () => {
    const error = await send({ to: ['tablte'] }).catch((caught: UsageError) => caught);
    expect((error as UsageError).hint).toContain('did you mean tablet?');
  });

  it('says how to set a key when there is none', async () => {
    const store = createTempStore({ ids: { phone: PHONE } });
    const error = await send({ to: ['phone'] }, { store }).catch((caught: UsageError) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect((error as UsageError).hint).toContain('gcmpush key set');
    expect(gcm.seen).toHaveLength(0);
  });
});
