import { verify } from 'node:crypto';
import { mkdirSync, mkdtempSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { homedir, tmpdir } from 'node:os';
import path from 'node:path';
import { HttpResponse, delay, http } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { cacheDir, createTokenProvider, EXPIRY_MARGIN_MS } from '../../src/auth/access-token.js';
import { FCM_SCOPE } from '../../src/auth/jwt.js';
import type { ServiceAccount } from '../../src/auth/service-account.js';
import { validateServiceAccount } from '../../src/auth/service-account.js';
import { AuthError } from '../../src/errors.js';
import type { Transport } from '../../src/transport/http.js';
import { createTransport, NetworkError } from '../../src/transport/http.js';
import { accountJson, createTestKeys, pemBodyLine } from '../helpers/service-account.js';

const keys = createTestKeys();
const TOKEN_URL = 'https://oauth.test/token';
const START = Date.parse('2024-05-01T12:00:00Z');

function makeAccount(overrides: Record<string, unknown> = {}): ServiceAccount {
  const json = accountJson(keys.privatePem, { token_uri: TOKEN_URL, ...overrides });
  return validateServiceAccount(json, 'test');
}
const account = makeAccount();

interface Grant {
  contentType: string | null;
  form: URLSearchParams;
}
const grants: Grant[] = [];
const answers: Array<() => Response | Promise<Response>> = [];
let issued = 0;

/** A fresh token per grant: `tok-1`, `tok-2`... valid for an hour. */
function issue(expiresIn: unknown = 3600): Response {
  issued++;
  return HttpResponse.json({
    access_token: `tok-${issued}`,
    expires_in: expiresIn,
    token_type: 'Bearer',
  });
}

const server = setupServer(
  http.post(TOKEN_URL, async ({ request }) => {
    const form = new URLSearchParams(await request.text());
    grants.push({ contentType: request.headers.get('content-type'), form });
    return (answers.shift() ?? (() => issue()))();
  }),
);
let transport: Transport;

beforeAll(async () => {
  server.listen({ onUnhandledRequest: 'error' });
  transport = await createTransport({ connections: 4 });
});
afterEach(() => {
  server.resetHandlers();
  grants.length = 0;
  answers.length = 0;
});
afterAll(async () => {
  server.close();
  await transport.close();
});

function clock(start = START) {
  let now = start;
  return {
    now: () => now,
    advance: (ms: number) => void (now += ms),
    set: (ms: number) => void (now = ms),
  };
}

function tempCacheDir(): string {
  return path.join(mkdtempSync(path.join(tmpdir(), 'gcmpush-cache-')), 'gcmpush');
}

function readCache(dir: string): {
  tokens: Record<string, { access_token: string; expires_at: number }>;
} {
  return JSON.parse(readFileSync(path.join(dir, 'tokens.json'), 'utf8'));
}

async function caught(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected the promise to reject');
}

describe('the grant request', () => {
  it('posts a form with the JWT-bearer grant and an assertion signed by the account', async () => {
    const time = clock();
    const token = await createTokenProvider({ account, transport, now: time.now }).get();
    expect(token).toBe(`tok-${issued}`);
    expect(grants).toHaveLength(1);
    const [grant] = grants;
    expect(grant?.contentType).toBe('application/x-www-form-urlencoded');
    expect(grant?.form.get('grant_type')).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    const [header, claims, signature] = (grant?.form.get('assertion') ?? '').split('.');
    const input = Buffer.from(`${header}.${claims}`);
    expect(verify('sha256', input, keys.publicKey, Buffer.from(signature ?? '', 'base64url'))).toBe(
      true,
    );
    expect(JSON.parse(Buffer.from(claims ?? '', 'base64url').toString())).toMatchObject({
      aud: TOKEN_URL,
      iat: START / 1000,
    });
  });

  it('shares one grant among 100 calls made at once', async () => {
    const provider = createTokenProvider({ account, transport, now: clock().now });
    const tokens = await Promise.all(Array.from({ length: 100 }, () => provider.get()));
    expect(grants).toHaveLength(1);
    expect(new Set(tokens).size).toBe(1);
  });

  it('keeps the token in memory for later calls', async () => {
    const time = clock();
    const provider = createTokenProvider({ account, transport, now: time.now });
    const first = await provider.get();
    time.advance(30 * 60_000);
    expect(await provider.get()).toBe(first);
    expect(grants).toHaveLength(1);
  });

  it('refreshes a short-lived token at half its life rather than on every call', async () => {
    answers.push(
      () => issue(20),
      () => issue(20),
    );
    const time = clock();
    const provider = createTokenProvider({ account, transport, now: time.now });
    const first = await provider.get();
    time.advance(9_999);
    expect(await provider.get()).toBe(first);
    time.advance(1);
    expect(await provider.get()).not.toBe(first);
    expect(grants).toHaveLength(2);
  });

  it('gives up on a silent endpoint after the timeout, as a NetworkError', async () => {
    answers.push(async () => {
      await delay('infinite');
      return issue();
    });
    const provider = createTokenProvider({ account, transport, now: clock().now, timeoutMs: 5 });
    const error = await caught(provider.get());
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toBe(`token endpoint ${TOKEN_URL}: no answer within 0.005 s`);
  });
});

describe('the cache file', () => {
  it('lets a second run reuse the token until one minute before it expires', async () => {
    const dir = tempCacheDir();
    const time = clock();
    const first = await createTokenProvider({
      account,
      transport,
      now: time.now,
      cacheDir: dir,
    }).get();
    time.set(START + 3600_000 - EXPIRY_MARGIN_MS - 1);
    const second = await createTokenProvider({
      account,
      transport,
      now: time.now,
      cacheDir: dir,
    }).get();
    expect(second).toBe(first);
    expect(grants).toHaveLength(1);
    time.advance(1);
    const third = await createTokenProvider({
      account,
      transport,
      now: time.now,
      cacheDir: dir,
    }).get();
    expect(third).not.toBe(first);
    expect(grants).toHaveLength(2);
    expect(Object.values(readCache(dir).tokens).map((entry) => entry.access_token)).toEqual([
      third,
    ]);
  });

  it('refreshes in memory one minute before expiry too', async () => {
    const time = clock();
    const provider = createTokenProvider({ account, transport, now: time.now });
    const first = await provider.get();
    time.set(START + 3600_000 - EXPIRY_MARGIN_MS);
    expect(await provider.get()).not.toBe(first);
  });

  it('stores the token and its absolute expiry in a 0600 file in a 0700 folder', async () => {
    const dir = tempCacheDir();
    const token = await createTokenProvider({
      account,
      transport,
      now: clock().now,
      cacheDir: dir,
    }).get();
    expect(statSync(dir).mode & 0o777).toBe(0o700);
    expect(statSync(path.join(dir, 'tokens.json')).mode & 0o777).toBe(0o600);
    expect(readCache(dir).tokens).toEqual({
      [`${account.clientEmail} ${TOKEN_URL} ${FCM_SCOPE}`]: {
        access_token: token,
        expires_at: START + 3600_000,
      },
    });
  });

  it('keeps one entry per account and per token endpoint in the same file', async () => {
    const dir = tempCacheDir();
    const now = clock().now;
    const other = makeAccount({ client_email: 'other@demo-project.iam.gserviceaccount.com' });
    const elsewhere = makeAccount({ token_uri: 'https://oauth.test/token2' });
    server.use(http.post('https://oauth.test/token2', () => issue()));
    const tokens = [];
    for (const each of [account, other, elsewhere]) {
      tokens.push(
        await createTokenProvider({ account: each, transport, now, cacheDir: dir }).get(),
      );
    }
    expect(new Set(tokens).size).toBe(3);
    expect(Object.keys(readCache(dir).tokens)).toHaveLength(3);
    const again = await createTokenProvider({
      account: other,
      transport,
      now,
      cacheDir: dir,
    }).get();
    expect(again).toBe(tokens[1]);
  });

  it('drops expired entries of other accounts when it writes', async () => {
    const dir = tempCacheDir();
    mkdirSync(dir, { recursive: true });
    const stale = { access_token: 'old', expires_at: START - 1 };
    const live = { access_token: 'live', expires_at: START + 1 };
    const tokens = { 'gone@x old-uri scope': stale, 'kept@x uri scope': live };
    writeFileSync(path.join(dir, 'tokens.json'), JSON.stringify({ tokens }));
    await createTokenProvider({ account, transport, now: clock().now, cacheDir: dir }).get();
    const keys = Object.keys(readCache(dir).tokens);
    expect(keys).toHaveLength(2);
    expect(keys).toContain('kept@x uri scope');
    expect(keys).not.toContain('gone@x old-uri scope');
  });

  it('ignores and replaces a cache file that is not JSON', async () => {
    const dir = tempCacheDir();
    mkdirSync(dir, { recursive: true });
    writeFileSync(path.join(dir, 'tokens.json'), '{"tokens": {');
    const token = await createTokenProvider({
      account,
      transport,
      now: clock().now,
      cacheDir: dir,
    }).get();
    expect(grants).toHaveLength(1);
    expect(Object.values(readCache(dir).tokens)[0]?.access_token).toBe(token);
  });

  it('ignores entries of the wrong shape', async () => {
    const dir = tempCacheDir();
    mkdirSync(dir, { recursive: true });
    const key = `${account.clientEmail} ${TOKEN_URL} ${FCM_SCOPE}`;
    writeFileSync(
      path.join(dir, 'tokens.json'),
      JSON.stringify({ tokens: { [key]: { access_token: 'x' } } }),
    );
    await createTokenProvider({ account, transport, now: clock().now, cacheDir: dir }).get();
    expect(grants).toHaveLength(1);
  });

  it('works from memory, with one warning, when the cache folder cannot be written', async () => {
    const parent = mkdtempSync(path.join(tmpdir(), 'gcmpush-cache-'));
    const blocker = path.join(parent, 'not-a-folder');
    writeFileSync(blocker, '');
    const warnings: string[] = [];
    const provider = createTokenProvider({
      account,
      transport,
      now: clock().now,
      cacheDir: path.join(blocker, 'gcmpush'),
      onWarning: (message) => warnings.push(message),
    });
    const token = await provider.get();
    await provider.invalidate(token);
    await provider.get();
    expect(grants).toHaveLength(2);
    expect(warnings).toHaveLength(1);
    expect(warnings[0]).toMatch(/^cannot write the token cache in .*not-a-folder.*\(ENOTDIR\); /);
    expect(warnings[0]).not.toContain(token);
  });
});

describe('invalidate', () => {
  it('drops the current token from memory and the file, so the next get fetches anew', async () => {
    const dir = tempCacheDir();
    const now = clock().now;
    const provider = createTokenProvider({ account, transport, now, cacheDir: dir });
    const first = await provider.get();
    await provider.invalidate(first);
    expect(readCache(dir).tokens).toEqual({});
    const second = await provider.get();
    expect(second).not.toBe(first);
    expect(grants).toHaveLength(2);
  });

  it('does nothing for a token a newer one already replaced', async () => {
    const provider = createTokenProvider({ account, transport, now: clock().now });
    const first = await provider.get();
    await provider.invalidate(first);
    const second = await provider.get();
    await provider.invalidate(first);
    expect(await provider.get()).toBe(second);
    expect(grants).toHaveLength(2);
  });

  it('makes many requests that failed with one token cause one new grant', async () => {
    const provider = createTokenProvider({ account, transport, now: clock().now });
    const first = await provider.get();
    const fresh = await Promise.all(
      Array.from({ length: 20 }, async () => {
        await provider.invalidate(first);
        return provider.get();
      }),
    );
    expect(new Set(fresh).size).toBe(1);
    expect(fresh[0]).not.toBe(first);
    expect(grants).toHaveLength(2);
  });

  it('never hands back a dropped token that another process left in the cache file', async () => {
    const dir = tempCacheDir();
    const now = clock().now;
    const first = await createTokenProvider({ account, transport, now, cacheDir: dir }).get();
    const cacheText = readFileSync(path.join(dir, 'tokens.json'), 'utf8');
    const provider = createTokenProvider({ account, transport, now, cacheDir: dir });
    expect(await provider.get()).toBe(first);
    await provider.invalidate(first);
    writeFileSync(path.join(dir, 'tokens.json'), cacheText);
    expect(await provider.get()).not.toBe(first);
  });
});

describe('a refused grant', () => {
  it.each([
    [
      400,
      { error: 'invalid_grant', error_description: 'Invalid JWT Signature.' },
      'invalid_grant (Invalid JWT Signature.)',
    ],
    [
      401,
      { error: 'invalid_client', error_description: 'The OAuth client was not found.' },
      'invalid_client (The OAuth client was not found.)',
    ],
    [403, { error: 'access_denied' }, 'access_denied'],
    [400, 'not json', 'HTTP 400 Bad Request'],
  ])(
    'on HTTP %i is an AuthError naming the URL and the OAuth error',
    async (status, body, reason) => {
      answers.push(() =>
        typeof body === 'string'
          ? new HttpResponse(body, { status, statusText: 'Bad Request' })
          : HttpResponse.json(body, { status }),
      );
      const provider = createTokenProvider({ account, transport, now: clock().now });
      const error = (await caught(provider.get())) as AuthError;
      expect(error).toBeInstanceOf(AuthError);
      expect(error.exitCode).toBe(3);
      expect(error.message).toBe(
        `the token endpoint ${TOKEN_URL} refused the service account ` +
          `${account.clientEmail}: ${reason}`,
      );
      expect(error.hint).toMatch(/service-account file.*clock/);
      const assertion = grants[0]?.form.get('assertion') ?? '';
      for (const secret of [
        assertion,
        assertion.split('.')[2] ?? '',
        pemBodyLine(keys.privatePem),
      ]) {
        expect(`${error.message} ${error.hint}`).not.toContain(secret);
      }
    },
  );

  it('is remembered for the rest of the run: the endpoint is not asked again', async () => {
    answers.push(() => HttpResponse.json({ error: 'invalid_grant' }, { status: 400 }));
    const provider = createTokenProvider({ account, transport, now: clock().now });
    const first = await caught(provider.get());
    const second = await caught(provider.get());
    expect(second).toBe(first);
    expect(grants).toHaveLength(1);
  });

  it('is an AuthError for an answer that is not a token, and is remembered too', async () => {
    answers.push(() => new HttpResponse('<html>login</html>', { status: 200 }));
    const provider = createTokenProvider({ account, transport, now: clock().now });
    const error = (await caught(provider.get())) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe(
      `the token endpoint ${TOKEN_URL} sent an answer that is not JSON instead of an access token`,
    );
    await caught(provider.get());
    expect(grants).toHaveLength(1);
  });

  it.each([
    ['an empty body', '', 'an empty answer'],
    ['a JSON array', '[1]', 'an answer without a usable "access_token"'],
    ['no access_token', '{"expires_in":3600}', 'an answer without a usable "access_token"'],
    [
      'an access_token with spaces',
      '{"access_token":"a b","expires_in":3600}',
      'an answer without a usable "access_token"',
    ],
    ['no expires_in', '{"access_token":"t"}', 'an answer without a usable "expires_in"'],
    [
      'a zero expires_in',
      '{"access_token":"t","expires_in":0}',
      'an answer without a usable "expires_in"',
    ],
    [
      'a word for expires_in',
      '{"access_token":"t","expires_in":"soon"}',
      'an answer without a usable "expires_in"',
    ],
    [
      'a MAC token',
      '{"access_token":"t","expires_in":60,"token_type":"mac"}',
      'a token that is not a Bearer token',
    ],
  ])('refuses a 200 with %s', async (_case, body, what) => {
    answers.push(() => new HttpResponse(body, { status: 200 }));
    const error = await caught(createTokenProvider({ account, transport, now: clock().now }).get());
    expect(error).toBeInstanceOf(AuthError);
    expect((error as Error).message).toContain(`sent ${what} instead of an access token`);
  });

  it('accepts expires_in as a string of digits', async () => {
    answers.push(() => HttpResponse.json({ access_token: 'digits', expires_in: '3599' }));
    expect(await createTokenProvider({ account, transport, now: clock().now }).get()).toBe(
      'digits',
    );
  });

  it('is an AuthError pointing at token_uri for a 404', async () => {
    answers.push(() => new HttpResponse('nope', { status: 404, statusText: 'Not Found' }));
    const error = (await caught(
      createTokenProvider({ account, transport, now: clock().now }).get(),
    )) as AuthError;
    expect(error).toBeInstanceOf(AuthError);
    expect(error.message).toBe(`the token endpoint ${TOKEN_URL} answered HTTP 404 Not Found`);
    expect(error.hint).toContain('token_uri');
  });
});

describe('an unreachable or failing token endpoint', () => {
  it.each([
    [500, 'Internal Server Error'],
    [503, 'Service Unavailable'],
    [429, 'Too Many Requests'],
  ])('is a NetworkError on HTTP %i, and the next call tries again', async (status, statusText) => {
    answers.push(() => new HttpResponse('busy', { status, statusText }));
    const provider = createTokenProvider({ account, transport, now: clock().now });
    const error = await caught(provider.get());
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toBe(
      `token endpoint ${TOKEN_URL} answered HTTP ${status} ${statusText}`,
    );
    expect(await provider.get()).toMatch(/^tok-/);
    expect(grants).toHaveLength(2);
  });

  it('is a NetworkError naming the endpoint when the connection fails', async () => {
    answers.push(() => HttpResponse.error());
    const provider = createTokenProvider({ account, transport, now: clock().now });
    const error = await caught(provider.get());
    expect(error).toBeInstanceOf(NetworkError);
    expect((error as Error).message).toMatch(new RegExp(`^token endpoint ${TOKEN_URL}: `));
    expect(await provider.get()).toMatch(/^tok-/);
  });
});

describe('cacheDir', () => {
  const home = homedir();
  it.each([
    ['linux', {}, path.join(home, '.cache', 'gcmpush')],
    ['linux', { XDG_CACHE_HOME: '/xdg/cache' }, path.join('/xdg/cache', 'gcmpush')],
    ['linux', { XDG_CACHE_HOME: '' }, path.join(home, '.cache', 'gcmpush')],
    ['darwin', {}, path.join(home, 'Library', 'Caches', 'gcmpush')],
    ['win32', { LOCALAPPDATA: '/local' }, path.join('/local', 'gcmpush', 'Cache')],
    ['win32', {}, path.join(home, 'AppData', 'Local', 'gcmpush', 'Cache')],
    ['darwin', { GCMPUSH_CACHE_DIR: '/tmp/mine' }, path.resolve('/tmp/mine')],
  ] as const)('on %s with %o is %s', (platform, env, expected) => {
    expect(cacheDir(env, platform)).toBe(expected);
  });
});
