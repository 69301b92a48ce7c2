import { describe, expect, it } from 'vitest';
import { UsageError } from '../../src/errors.js';
import {
  describeProxy,
  findNoProxyEntry,
  proxyFor,
  readProxySettings,
  showProxyUrl,
} from '../../src/transport/proxy.js';

/** Which variable's proxy a request to `url` would use under `env`; 'direct' for none. */
function routeOf(url: string, env: NodeJS.ProcessEnv): string {
  const proxy = proxyFor(url, readProxySettings(env));
  return proxy === undefined ? 'direct' : `${proxy.variable} ${proxy.url.host}`;
}

describe('readProxySettings and proxyFor', () => {
  it.each([
    ['https://fcm.test/', { HTTPS_PROXY: 'http://a:1' }, 'HTTPS_PROXY a:1'],
    ['https://fcm.test/', { https_proxy: 'http://a:1' }, 'https_proxy a:1'],
    [
      'https://fcm.test/',
      { https_proxy: 'http://low:1', HTTPS_PROXY: 'http://up:1' },
      'https_proxy low:1',
    ],
    ['https://fcm.test/', { https_proxy: '', HTTPS_PROXY: 'http://up:1' }, 'direct'],
    ['https://fcm.test/', { HTTP_PROXY: 'http://a:1' }, 'HTTP_PROXY a:1'],
    ['http://fcm.test/', { HTTPS_PROXY: 'http://a:1' }, 'direct'],
    ['http://fcm.test/', { http_proxy: 'http://b:2', HTTPS_PROXY: 'http://a:1' }, 'http_proxy b:2'],
    ['https://fcm.test/', { HTTPS_PROXY: 'proxy.corp:3128' }, 'HTTPS_PROXY proxy.corp:3128'],
    ['https://fcm.test/', {}, 'direct'],
  ])('sends %s under %j %s', (url, env, expected) => {
    expect(routeOf(url, env)).toBe(expected);
  });

  it.each([
    ['fcm.test', 'https://fcm.test/', 'direct'],
    ['FCM.TEST', 'https://fcm.test/', 'direct'],
    ['.test', 'https://fcm.test/', 'direct'],
    ['*.test', 'https://fcm.test/', 'direct'],
    ['test', 'https://fcm.test/', 'direct'],
    ['other.test, 127.0.0.1', 'https://127.0.0.1:8443/', 'direct'],
    ['fcm.test:443', 'https://fcm.test/', 'direct'],
    ['fcm.test:8443', 'https://fcm.test/', 'HTTPS_PROXY p:1'],
    ['cm.test', 'https://fcm.test/', 'HTTPS_PROXY p:1'],
    ['*', 'https://fcm.test/', 'direct'],
    ['', 'https://fcm.test/', 'HTTPS_PROXY p:1'],
  ])('with NO_PROXY=%j sends %s %s', (noProxy, url, expected) => {
    expect(routeOf(url, { HTTPS_PROXY: 'http://p:1', NO_PROXY: noProxy })).toBe(expected);
  });

  it('reads no_proxy before NO_PROXY', () => {
    const env = { HTTPS_PROXY: 'http://p:1', no_proxy: 'fcm.test', NO_PROXY: 'other.test' };
    expect(routeOf('https://fcm.test/', env)).toBe('direct');
    expect(routeOf('https://other.test/', env)).toBe('HTTPS_PROXY p:1');
  });

  it('names the matching NO_PROXY entry', () => {
    expect(findNoProxyEntry(new URL('https://a.fcm.test/'), 'x.test,.fcm.test')).toBe('.fcm.test');
    expect(findNoProxyEntry(new URL('https://fcm.test/'), 'x.test')).toBeUndefined();
  });

  it.each([
    ['HTTPS_PROXY', 'http://user:s3cret@[bad'],
    ['http_proxy', 'http://:s3cret@'],
  ])('refuses %s that is not a URL without echoing it', (name, value) => {
    const attempt = () => readProxySettings({ [name]: value });
    expect(attempt).toThrow(UsageError);
    expect(attempt).toThrow(`${name} is not a proxy URL`);
    try {
      attempt();
    } catch (error) {
      expect(`${(error as UsageError).message} ${(error as UsageError).hint}`).not.toContain(
        's3cret',
      );
    }
  });

  it('refuses a SOCKS proxy, saying which kinds work', () => {
    expect(() => readProxySettings({ HTTPS_PROXY: 'socks5://p:1080' })).toThrow(
      'HTTPS_PROXY names a socks5 proxy; only http:// and https:// proxies are supported',
    );
  });
});

describe('describeProxy and showProxyUrl', () => {
  it('hides the user and password', () => {
    expect(showProxyUrl(new URL('http://alice:s3cret@proxy.corp:3128'))).toBe(
      'http://***@proxy.corp:3128',
    );
    expect(showProxyUrl(new URL('https://proxy.corp'))).toBe('https://proxy.corp');
  });

  it.each([
    [
      { HTTPS_PROXY: 'http://alice:s3cret@p.corp:3128' },
      'proxy: http://***@p.corp:3128 (from HTTPS_PROXY) for fcm.test\n',
    ],
    [
      { HTTPS_PROXY: 'http://p.corp:3128', NO_PROXY: 'fcm.test' },
      'proxy: none for fcm.test (NO_PROXY)\n',
    ],
    [{}, 'proxy: none for fcm.test\n'],
  ])('says which proxy carries the send under %j', (env, expected) => {
    expect(describeProxy('https://fcm.test/fcm/send', env)).toBe(expected);
  });
});
