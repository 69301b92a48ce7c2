import { createServer } from 'node:http';
import { describe, expect, it } from 'vitest';
import { checkClock, checkProxy } from '../../src/commands/doctor-network.js';
import { createTempStore } from '../helpers/config.js';
import {
  ACCOUNT,
  clockAt,
  deadUrl,
  doctor,
  find,
  KEY,
  listen,
  SERVER_DATE,
  startServer,
  useLoopbackOnly,
} from '../helpers/doctor.js';

useLoopbackOnly();

describe('doctor: proxy', () => {
  const google = new URL('https://fcm.googleapis.com/v1/projects/p/messages:send');

  it.each<[string, NodeJS.ProcessEnv, URL, string]>([
    ['no variable', {}, google, 'no proxy'],
    [
      'HTTPS_PROXY',
      { HTTPS_PROXY: 'http://proxy.example:3128' },
      google,
      'fcm.googleapis.com:443 goes through http://proxy.example:3128 ' +
        '(HTTPS_PROXY=http://proxy.example:3128)',
    ],
    [
      'HTTP_PROXY alone, for https too',
      { http_proxy: 'http://proxy.example:8080' },
      google,
      'fcm.googleapis.com:443 goes through http://proxy.example:8080 ' +
        '(http_proxy=http://proxy.example:8080)',
    ],
    [
      'a NO_PROXY suffix',
      { HTTPS_PROXY: 'http://proxy.example:3128', NO_PROXY: 'localhost,.googleapis.com' },
      google,
      'fcm.googleapis.com:443 goes direct: NO_PROXY has .googleapis.com ' +
        '(HTTPS_PROXY=http://proxy.example:3128, NO_PROXY localhost,.googleapis.com)',
    ],
    [
      'a NO_PROXY of *',
      { https_proxy: 'http://proxy.example:3128', no_proxy: '*' },
      google,
      'fcm.googleapis.com:443 goes direct: NO_PROXY has * ' +
        '(https_proxy=http://proxy.example:3128, NO_PROXY *)',
    ],
    [
      'a NO_PROXY entry for another port',
      { HTTPS_PROXY: 'http://proxy.example:3128', NO_PROXY: 'fcm.googleapis.com:80' },
      google,
      'fcm.googleapis.com:443 goes through http://proxy.example:3128 ' +
        '(HTTPS_PROXY=http://proxy.example:3128, NO_PROXY fcm.googleapis.com:80)',
    ],
    [
      'HTTPS_PROXY with an http:// endpoint',
      { HTTPS_PROXY: 'http://proxy.example:3128' },
      new URL('http://127.0.0.1:8089/fcm/send'),
      '127.0.0.1:8089 goes direct: no proxy for http:// URLs ' +
        '(HTTPS_PROXY=http://proxy.example:3128)',
    ],
    [
      'an empty https_proxy hiding HTTPS_PROXY',
      { https_proxy: '', HTTPS_PROXY: 'http://proxy.example:3128' },
      google,
      'no proxy',
    ],
  ])('with %s says so', (_what, env, target, detail) => {
    expect(checkProxy(target, env)).toEqual({ name: 'proxy', status: 'ok', detail });
  });

  it('hides the user and password of a proxy URL', () => {
    const env = { HTTPS_PROXY: 'http://alice:pr0xy-s3cret@proxy.example:3128' };
    const check = checkProxy(google, env);
    expect(check.detail).toContain('goes through http://***@proxy.example:3128');
    expect(JSON.stringify(check)).not.toMatch(/alice|pr0xy-s3cret/);
  });

  it('fails on a proxy that cannot be used, without echoing its value', () => {
    const check = checkProxy(google, { HTTPS_PROXY: 'socks5://alice:pr0xy-s3cret@proxy:1080' });
    expect(check.status).toBe('fail');
    expect(check.detail).toContain('HTTPS_PROXY names a socks5 proxy');
    expect(JSON.stringify(check)).not.toMatch(/alice|pr0xy-s3cret/);
  });
});

describe('doctor: endpoint and clock', () => {
  it('reaches the host with one request that carries no credentials', async () => {
    const { url, seen } = await startServer();
    const store = createTempStore({ api_key: KEY, service_account: ACCOUNT });
    const run = await doctor({ store, flags: { endpoint: url } });
    expect(find(run, 'endpoint')).toEqual({
      name: 'endpoint',
      status: 'ok',
      detail: `${url} answered HTTP 401 in 0 ms`,
    });
    expect(seen).toHaveLength(1);
    expect(seen[0]).toMatchObject({ method: 'POST', url: '/', body: '' });
    expect(seen[0]?.headers.authorization).toBeUndefined();
    expect(JSON.stringify(seen)).not.toContain(KEY.slice(4, -4));
  });

  it('measures the latency with the clock it is given', async () => {
    const { url } = await startServer();
    let tick = 0;
    const now = () => Date.parse(SERVER_DATE) + 500 + 250 * tick++;
    const run = await doctor({ flags: { endpoint: url }, now });
    expect(find(run, 'endpoint').detail).toBe(`${url} answered HTTP 401 in 250 ms`);
  });

  it.each<[string, number, string, string]>([
    ['in step', 0, 'ok', 'local clock in step with'],
    ['a little ahead', 2_000, 'ok', 'local clock 2 s ahead of'],
    ['a little behind', -29_000, 'ok', 'local clock 29 s behind'],
    ['off by a minute', 60_000, 'warn', 'local clock 60 s ahead of'],
    ['off by five minutes', -300_000, 'fail', 'local clock 300 s behind'],
  ])('rates a clock %s', async (_what, offset, status, text) => {
    const { url } = await startServer();
    const run = await doctor({ flags: { endpoint: url }, now: clockAt(offset) });
    const check = find(run, 'clock');
    expect(check.status).toBe(status);
    expect(check.detail).toContain(`${text} 127.0.0.1:`);
    expect(run.code).toBe(status === 'fail' ? 1 : 0);
  });

  it('says why a fail-size skew matters', () => {
    const check = checkClock(SERVER_DATE, clockAt(600_000)(), 'fcm.googleapis.com');
    expect(check.detail).toBe(
      'local clock 600 s ahead of fcm.googleapis.com; ' +
        'Google refuses JWTs whose iat/exp are off, fix the clock',
    );
    expect(check.hint).toContain('NTP');
  });

  it.each([
    ['no Date header', null, 'sent no Date header'],
    ['a Date header that is not a date', 'yesterday-ish', 'not a date'],
  ])('warns on %s', async (_what, date, text) => {
    const { url } = await startServer(date);
    const check = find(await doctor({ flags: { endpoint: url } }), 'clock');
    expect(check.status).toBe('warn');
    expect(check.detail).toContain(text);
  });

  it('fails when nothing listens, with the network reason', async () => {
    const url = await deadUrl();
    const run = await doctor({ flags: { endpoint: url } });
    expect(find(run, 'endpoint')).toMatchObject({
      status: 'fail',
      detail: `cannot reach ${url}: connection refused (ECONNREFUSED)`,
    });
    expect(find(run, 'clock')).toMatchObject({ status: 'warn', detail: /not checked/ });
    expect(run.code).toBe(1);
  });

  it('goes through the proxy the variables name, as a send does', async () => {
    const proxy = await startServer();
    // Nothing listens there: only the proxy can answer for it.
    const endpoint = (await deadUrl()).replace('127.0.0.1', 'localhost');
    const env = { HTTP_PROXY: `http://alice:pr0xy-s3cret@${new URL(proxy.url).host}` };
    const run = await doctor({ env, flags: { endpoint } });
    expect(find(run, 'endpoint').detail).toMatch(new RegExp(`^${endpoint} answered HTTP 401 in`));
    expect(find(run, 'proxy').detail).toContain(
      `goes through http://***@${new URL(proxy.url).host}`,
    );
    expect(proxy.seen.map((request) => request.url)).toEqual([`${endpoint}/`]);
    expect(proxy.seen[0]?.headers.authorization).toBeUndefined();
  });

  it('does not try the endpoint through a proxy variable that is not a URL', async () => {
    const run = await doctor({ env: { HTTP_PROXY: 'socks5://proxy.example:1080' } });
    expect(find(run, 'proxy').status).toBe('fail');
    expect(find(run, 'endpoint')).toMatchObject({
      status: 'warn',
      detail:
        'not checked: HTTP_PROXY names a socks5 proxy; ' +
        'only http:// and https:// proxies are supported',
    });
    expect(run.code).toBe(1);
  });

  it('gives up after --timeout', async () => {
    const server = createServer(() => undefined);
    const url = await listen(server);
    const run = await doctor({ flags: { endpoint: url, timeout: '0.05' } });
    server.closeAllConnections();
    expect(find(run, 'endpoint').detail).toBe(`cannot reach ${url}: no answer within 0.05 s`);
  });
});
