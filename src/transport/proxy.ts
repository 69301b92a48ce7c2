/**
 * Which proxy, if any, carries a request. The settings are read once from the environment and
 * handed to undici's EnvHttpProxyAgent explicitly, so the agent that does the proxying and the
 * messages that name the proxy always agree. The matching rules are undici's own.
 */
import { UsageError } from '../errors.js';

/** A proxy as configured, and the variable that named it. */
export interface ProxyServer {
  /** Credentials included: for the agent only, never printed (see `showProxyUrl`). */
  url: URL;
  /** `HTTPS_PROXY`, `http_proxy`, ...: as the user spelled it. */
  variable: string;
}

/** The proxy environment of one run. */
export interface ProxySettings {
  /** For http:// URLs. */
  http?: ProxyServer;
  /** For https:// URLs; HTTP_PROXY when HTTPS_PROXY is unset, as undici does. */
  https?: ProxyServer;
  /** Hosts reached directly: `host`, `host:port`, `.domain` or `*.domain`, or `*` for all. */
  noProxy: string;
}

/**
 * Reads HTTPS_PROXY, HTTP_PROXY and NO_PROXY as undici does: a lower-case name that is set wins
 * over the upper-case one, even when empty (so `https_proxy=` turns HTTPS_PROXY off). Throws a
 * UsageError for a value that is not a proxy URL.
 */
export function readProxySettings(env: NodeJS.ProcessEnv): ProxySettings {
  const http = readProxyServer(env, 'http_proxy', 'HTTP_PROXY');
  const https = readProxyServer(env, 'https_proxy', 'HTTPS_PROXY') ?? http;
  const noProxy = (firstSet(env, 'no_proxy', 'NO_PROXY')?.value ?? '').trim();
  return { http, https, noProxy };
}

/** The proxy a request to `url` goes through, or undefined when it connects directly. */
export function proxyFor(url: string, settings: ProxySettings): ProxyServer | undefined {
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    return undefined;
  }
  const proxy = target.protocol === 'https:' ? settings.https : settings.http;
  if (proxy === undefined || findNoProxyEntry(target, settings.noProxy) !== undefined) {
    return undefined;
  }
  return proxy;
}

/** `proxy: http://***@proxy.example.com:3128 (from HTTPS_PROXY) for fcm.googleapis.com`. */
export function describeProxy(url: string, env: NodeJS.ProcessEnv): string {
  const settings = readProxySettings(env);
  const target = new URL(url);
  const proxy = proxyFor(url, settings);
  if (proxy !== undefined) {
    return `proxy: ${showProxyUrl(proxy.url)} (from ${proxy.variable}) for ${target.host}\n`;
  }
  const skipped = target.protocol === 'https:' ? settings.https : settings.http;
  return `proxy: none for ${target.host}${skipped === undefined ? '' : ' (NO_PROXY)'}\n`;
}

/** The proxy URL with any user and password replaced by `***`. */
export function showProxyUrl(url: URL): string {
  const login = url.username !== '' || url.password !== '' ? '***@' : '';
  return `${url.protocol}//${login}${url.host}`;
}

function readProxyServer(
  env: NodeJS.ProcessEnv,
  lower: string,
  upper: string,
): ProxyServer | undefined {
  const found = firstSet(env, lower, upper);
  const text = found?.value.trim() ?? '';
  if (found === undefined || text === '') return undefined;
  // curl takes `proxy.example.com:3128` as an http:// proxy; so do we.
  const withScheme = /^[a-z][a-z0-9+.-]*:\/\//i.test(text) ? text : `http://${text}`;
  let url: URL | undefined;
  try {
    url = new URL(withScheme);
  } catch {
    url = undefined;
  }
  // The value is never echoed: it may hold a password.
  if (url === undefined || url.hostname === '') {
    throw new UsageError(
      `${found.name} is not a proxy URL`,
      `set it like ${found.name}=http://proxy.example.com:3128, or unset it`,
    );
  }
  // LIMITATION: SOCKS proxies are refused: undici's SOCKS support is new and untested here.
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(
      `${found.name} names a ${url.protocol.slice(0, -1)} proxy; only http:// and https:// ` +
        'proxies are supported',
    );
  }
  return { url, variable: found.name };
}

function firstSet(env: NodeJS.ProcessEnv, ...names: string[]) {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined) return { name, value };
  }
  return undefined;
}

/**
 * The NO_PROXY entry that sends `target` direct, or undefined. undici's rules: entries split on
 * commas and white space; an entry matches its host and the host's subdomains (a leading `.` or
 * `*.` is dropped), `host:port` on that port only; a value of just `*` matches every host.
 */
export function findNoProxyEntry(target: URL, noProxy: string): string | undefined {
  if (noProxy.trim() === '*') return '*';
  // `host` keeps an IPv6 address's brackets, as NO_PROXY entries write it.
  const host = target.host.replace(/:\d*$/, '').toLowerCase();
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  return noProxy.split(/[,\s]/).find((entry) => {
    if (entry === '') return false;
    const withPort = /^(.+):(\d+)$/.exec(entry);
    const name = (withPort?.[1] ?? entry).replace(/^\*?\./, '').toLowerCase();
    if (withPort !== null && Number(withPort[2]) !== port) return false;
    return host === name || host.endsWith(`.${name}`);
  });
}
