/**
 * What went wrong below HTTP, in one line the user can act on: certificate failures (never
 * retried: only the user can fix them) and proxies that could not be reached or refused.
 */
import { STATUS_CODES } from 'node:http';
import type { ProxyServer } from './proxy.js';

/** The fields of Node's and undici's errors that say what failed. */
export interface CodedError {
  code?: string;
  message?: string;
  /** Set by Node on ERR_TLS_CERT_ALTNAME_INVALID. */
  host?: string;
  cert?: { subjectaltname?: string };
}

/** A one-line detail and whether trying again may help. */
export interface Failure {
  detail: string;
  retriable: boolean;
}

/** The first error in the `cause` chain with a string code; fetch nests them one or two deep. */
export function findCause(error: unknown): CodedError | undefined {
  let current: unknown = (error as { cause?: unknown } | undefined)?.cause;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    if (typeof (current as CodedError).code === 'string') return current as CodedError;
    current = (current as { cause?: unknown }).cause;
  }
  return undefined;
}

const UNTRUSTED = {
  summary: 'TLS certificate not trusted',
  advice: 'for a private CA set NODE_EXTRA_CA_CERTS',
};
const OUT_OF_DATE = {
  summary: 'TLS certificate out of date',
  advice: "check this machine's clock",
};

/** Certificate failures by Node's code. */
const TLS_PROBLEMS: Record<string, { summary: string; advice: string } | undefined> = {
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: UNTRUSTED,
  UNABLE_TO_GET_ISSUER_CERT: UNTRUSTED,
  SELF_SIGNED_CERT_IN_CHAIN: UNTRUSTED,
  DEPTH_ZERO_SELF_SIGNED_CERT: UNTRUSTED,
  CERT_UNTRUSTED: UNTRUSTED,
  CERT_HAS_EXPIRED: OUT_OF_DATE,
  CERT_NOT_YET_VALID: OUT_OF_DATE,
  ERR_TLS_CERT_ALTNAME_INVALID: {
    summary: 'TLS certificate is for another host',
    advice: 'check the host name in the URL',
  },
};

/** Whether `cause` is a certificate this machine refused: trying again cannot help. */
export function isCertificateFailure(cause: CodedError | undefined): boolean {
  return cause?.code !== undefined && TLS_PROBLEMS[cause.code] !== undefined;
}

/**
 * `TLS certificate not trusted: unable to verify the first certificate
 * (UNABLE_TO_VERIFY_LEAF_SIGNATURE); for a private CA set NODE_EXTRA_CA_CERTS`, or undefined
 * when `cause` is not a certificate failure.
 */
export function describeTlsFailure(cause: CodedError | undefined): string | undefined {
  const problem = cause?.code === undefined ? undefined : TLS_PROBLEMS[cause.code];
  if (cause === undefined || problem === undefined) return undefined;
  const names = cause.cert?.subjectaltname;
  // Node's own text for a name mismatch ends in an empty list when the certificate has no IPs.
  const what =
    cause.code === 'ERR_TLS_CERT_ALTNAME_INVALID' && cause.host !== undefined && names
      ? `${cause.host} is not among its names (${names})`
      : (cause.message ?? '');
  return oneLine(`${problem.summary}: ${what} (${cause.code}); ${problem.advice}`);
}

/** Through a proxy the client dials only the proxy, so these failures can only be the proxy's. */
const PROXY_CONNECT_CODES = new Set([
  'ECONNREFUSED',
  'ENOTFOUND',
  'EAI_AGAIN',
  'ETIMEDOUT',
  'EHOSTUNREACH',
  'ENETUNREACH',
  'UND_ERR_CONNECT_TIMEOUT',
]);

/**
 * A failure of a request to `url` sent through `proxy`, said as the proxy's when it is: the
 * proxy could not be reached (retried), or refused the tunnel (a 407 or 403 is not retried; a
 * 5xx, the proxy failing to reach the host, is). Undefined when the proxy is not to blame.
 * `detail` is what the failure was already described as.
 */
export function describeProxyFailure(
  error: unknown,
  detail: string,
  proxy: ProxyServer,
  url: string,
): Failure | undefined {
  const where = `the proxy ${proxy.url.host} (from ${proxy.variable})`;
  const status = readProxyStatus(error);
  if (status !== undefined) {
    const host = new URL(url).host;
    return { detail: describeRefusal(status, where, proxy, host), retriable: status >= 500 };
  }
  const code = findCause(error)?.code;
  if (code === undefined || !PROXY_CONNECT_CODES.has(code)) return undefined;
  return { detail: `cannot reach ${where}: ${detail}`, retriable: true };
}

/** The status a proxy refused with, from undici's texts for a refused CONNECT and a 407. */
function readProxyStatus(error: unknown): number | undefined {
  const pattern = /^Proxy response \((\d{3})\)|^Proxy Authentication Required \((407)\)/;
  let current = error as { message?: unknown; cause?: unknown } | null | undefined;
  for (let depth = 0; depth < 4 && typeof current === 'object' && current !== null; depth++) {
    const match = pattern.exec(typeof current.message === 'string' ? current.message : '');
    if (match !== null) return Number(match[1] ?? match[2]);
    current = current.cause as typeof current;
  }
  return undefined;
}

function describeRefusal(status: number, where: string, proxy: ProxyServer, host: string) {
  const statusLine = `HTTP ${status}${STATUS_CODES[status] ? ` ${STATUS_CODES[status]}` : ''}`;
  if (status !== 407) return `${where} would not connect to ${host}: ${statusLine}`;
  if (proxy.url.username !== '' || proxy.url.password !== '') {
    return `${where} refused the user and password in ${proxy.variable} (${statusLine})`;
  }
  return (
    `${where} wants a login (${statusLine}); ` +
    `set ${proxy.variable} to http://USER:PASSWORD@host:port`
  );
}

/** Error texts from the platform, squeezed onto one line. */
export function oneLine(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}
