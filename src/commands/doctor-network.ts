/**
 * doctor's network checks: which proxy the endpoint would go through, then one request to the
 * endpoint's host that proves it answers and brings back its clock in the Date header.
 */
import { UsageError } from '../errors.js';
import type { HttpResponse, Transport } from '../transport/http.js';
import { createTransport, NetworkError } from '../transport/http.js';
import type { ProxySettings } from '../transport/proxy.js';
import { findNoProxyEntry, proxyFor, readProxySettings, showProxyUrl } from '../transport/proxy.js';
import type { CheckResult } from './doctor.js';
import { result } from './doctor-checks.js';

/** Clock skew below this is fine. */
export const SKEW_OK_MS = 30_000;
/**
 * Skew from which a JWT is taken as refused: Google does not document its tolerance, and past
 * minutes its token endpoint answers `invalid_grant`. Below it, JWTs near their edges may fail.
 */
export const SKEW_FAIL_MS = 5 * 60_000;

/**
 * Which proxy variables are set and whether the endpoint's host would go through a proxy, by
 * the settings and rules the transport itself uses.
 */
export function checkProxy(target: URL | undefined, env: NodeJS.ProcessEnv): CheckResult {
  const name = 'proxy';
  let settings: ProxySettings;
  try {
    settings = readProxySettings(env);
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    return result(name, 'fail', error.message, error.hint);
  }
  const listed = listProxies(settings);
  if (settings.http === undefined && settings.https === undefined) {
    return result(name, 'ok', settings.noProxy === '' ? 'no proxy' : `no proxy ${listed}`);
  }
  if (target === undefined) return result(name, 'warn', `not checked: no valid endpoint ${listed}`);
  const port = Number(target.port) || (target.protocol === 'https:' ? 443 : 80);
  const host = `${target.hostname}:${port}`;
  const proxy = proxyFor(target.href, settings);
  if (proxy !== undefined) {
    return result(name, 'ok', `${host} goes through ${showProxyUrl(proxy.url)} ${listed}`);
  }
  const entry = findNoProxyEntry(target, settings.noProxy);
  const why =
    entry === undefined ? `no proxy for ${target.protocol}// URLs` : `NO_PROXY has ${entry}`;
  return result(name, 'ok', `${host} goes direct: ${why} ${listed}`);
}

/** `(HTTPS_PROXY=http://***@proxy:3128, NO_PROXY localhost)`: what is set, passwords hidden. */
function listProxies(settings: ProxySettings): string {
  // Without HTTPS_PROXY, `https` is the very object of HTTP_PROXY: list it once.
  const servers = new Set([settings.https, settings.http]);
  const parts = [...servers].flatMap((server) =>
    server === undefined ? [] : [`${server.variable}=${showProxyUrl(server.url)}`],
  );
  if (settings.noProxy !== '') parts.push(`NO_PROXY ${settings.noProxy}`);
  return `(${parts.join(', ')})`;
}

export interface ProbeOptions {
  /** Bound on the request, in ms. */
  timeoutMs: number;
  /** The local clock in ms since the epoch: latency and skew. */
  now: () => number;
  /** Offer HTTP/2, as a v1 send does. */
  http2: boolean;
  /** Where the proxy variables are read, as for a send. */
  env: NodeJS.ProcessEnv;
}

/**
 * The `endpoint` and `clock` checks, from one POST to the root of the endpoint's host. The
 * root, not the send URL, so nothing can count it as a send (an emulator's scripted faults
 * included); without credentials, so no key or token leaves the machine. Any HTTP answer
 * proves the host is reached, and Google's front end dates every answer, a 404 too.
 */
export async function probeEndpoint(
  target: URL | undefined,
  options: ProbeOptions,
): Promise<CheckResult[]> {
  if (target === undefined) return notChecked('no valid endpoint');
  let transport: Transport;
  try {
    // Created first, so loading the HTTP stack does not count toward the latency.
    transport = await createTransport({ connections: 1, http2: options.http2, env: options.env });
  } catch (error) {
    // A proxy variable that is not a URL: the proxy check reports it.
    if (!(error instanceof UsageError)) throw error;
    return notChecked(error.message);
  }
  try {
    const started = options.now();
    const response = await postEmpty(transport, `${target.origin}/`, options.timeoutMs);
    const ended = options.now();
    const reached = `${target.origin} answered HTTP ${response.status} in ${ended - started} ms`;
    return [
      result('endpoint', 'ok', reached),
      checkClock(response.headers.get('date'), (started + ended) / 2, target.host),
    ];
  } catch (error) {
    if (!(error instanceof NetworkError)) throw error;
    const hint = 'check the network and the proxy variables, or --endpoint and GCMPUSH_ENDPOINT';
    return [
      result('endpoint', 'fail', `cannot reach ${target.origin}: ${error.message}`, hint),
      result('clock', 'warn', 'not checked: the endpoint did not answer'),
    ];
  } finally {
    await transport.close();
  }
}

function notChecked(why: string): CheckResult[] {
  return [
    result('endpoint', 'warn', `not checked: ${why}`),
    result('clock', 'warn', `not checked: ${why}`),
  ];
}

// LIMITATION: any HTTP answer counts as reachable (Google's origin answers 404); the check does
// not authenticate, so a key or account the service refuses still passes it.
async function postEmpty(
  transport: Transport,
  url: string,
  timeoutMs: number,
): Promise<HttpResponse> {
  const controller = new AbortController();
  const timer = setTimeout(() => {
    controller.abort(new Error(`no answer within ${timeoutMs / 1000} s`));
  }, timeoutMs);
  try {
    return await transport.post({ url, headers: {}, body: '' }, controller.signal);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * The local clock against the server's Date header. `localMs` is the middle of the request;
 * the header has whole seconds, so half a second is added to the server's time.
 */
export function checkClock(date: string | null, localMs: number, host: string): CheckResult {
  const name = 'clock';
  if (date === null) return result(name, 'warn', `${host} sent no Date header; skew not measured`);
  const serverMs = Date.parse(date);
  if (Number.isNaN(serverMs)) {
    return result(name, 'warn', `${host} sent a Date header that is not a date; skew not measured`);
  }
  const skew = localMs - (serverMs + 500);
  const seconds = Math.round(Math.abs(skew) / 1000);
  const detail =
    seconds === 0
      ? `local clock in step with ${host} (under a second apart)`
      : `local clock ${seconds} s ${skew > 0 ? 'ahead of' : 'behind'} ${host}`;
  if (Math.abs(skew) < SKEW_OK_MS) return result(name, 'ok', detail);
  const hint = 'turn on time sync (NTP), e.g. `timedatectl set-ntp true`';
  if (Math.abs(skew) < SKEW_FAIL_MS) {
    return result(name, 'warn', `${detail}; JWTs near the edge of their life may be refused`, hint);
  }
  return result(
    name,
    'fail',
    `${detail}; Google refuses JWTs whose iat/exp are off, fix the clock`,
    hint,
  );
}
