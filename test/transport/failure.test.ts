import { describe, expect, it } from 'vitest';
import {
  describeProxyFailure,
  describeTlsFailure,
  findCause,
  isCertificateFailure,
} from '../../src/transport/failure.js';
import type { ProxyServer } from '../../src/transport/proxy.js';

describe('describeTlsFailure', () => {
  it.each([
    [
      'UNABLE_TO_VERIFY_LEAF_SIGNATURE',
      'unable to verify the first certificate',
      'TLS certificate not trusted: unable to verify the first certificate ' +
        '(UNABLE_TO_VERIFY_LEAF_SIGNATURE); for a private CA set NODE_EXTRA_CA_CERTS',
    ],
    [
      'SELF_SIGNED_CERT_IN_CHAIN',
      'self-signed certificate in certificate chain',
      'TLS certificate not trusted: self-signed certificate in certificate chain ' +
        '(SELF_SIGNED_CERT_IN_CHAIN); for a private CA set NODE_EXTRA_CA_CERTS',
    ],
    [
      'DEPTH_ZERO_SELF_SIGNED_CERT',
      'self-signed certificate',
      'TLS certificate not trusted: self-signed certificate (DEPTH_ZERO_SELF_SIGNED_CERT); ' +
        'for a private CA set NODE_EXTRA_CA_CERTS',
    ],
    [
      'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
      'unable to get local issuer certificate',
      'TLS certificate not trusted: unable to get local issuer certificate ' +
        '(UNABLE_TO_GET_ISSUER_CERT_LOCALLY); for a private CA set NODE_EXTRA_CA_CERTS',
    ],
    [
      'CERT_HAS_EXPIRED',
      'certificate has expired',
      "TLS certificate out of date: certificate has expired (CERT_HAS_EXPIRED); check this machine's clock",
    ],
    [
      'ERR_TLS_CERT_ALTNAME_INVALID',
      "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: ",
      'TLS certificate is for another host: ' +
        "Hostname/IP does not match certificate's altnames: IP: 10.0.0.1 is not in the cert's list: " +
        '(ERR_TLS_CERT_ALTNAME_INVALID); check the host name in the URL',
    ],
  ])('explains %s in one line and marks it final', (code, message, expected) => {
    const cause = { code, message };
    expect(describeTlsFailure(cause)).toBe(expected.replace(/\s+/g, ' '));
    expect(isCertificateFailure(cause)).toBe(true);
  });

  it('names the host and the names the certificate holds on a mismatch', () => {
    const cause = {
      code: 'ERR_TLS_CERT_ALTNAME_INVALID',
      message: "Hostname/IP does not match certificate's altnames: ...",
      host: '127.0.0.1',
      cert: { subjectaltname: 'DNS:push.example.invalid' },
    };
    expect(describeTlsFailure(cause)).toBe(
      'TLS certificate is for another host: 127.0.0.1 is not among its names ' +
        '(DNS:push.example.invalid) (ERR_TLS_CERT_ALTNAME_INVALID); check the host name in the URL',
    );
  });

  it.each(['ECONNREFUSED', 'ECONNRESET', 'UND_ERR_SOCKET', undefined])(
    'leaves %s to the usual description, retriable',
    (code) => {
      expect(describeTlsFailure({ code, message: 'x' })).toBeUndefined();
      expect(isCertificateFailure({ code, message: 'x' })).toBe(false);
    },
  );

  it('finds the coded error however deep fetch nested it', () => {
    const deep = { code: 'CERT_HAS_EXPIRED', message: 'certificate has expired' };
    const error = new TypeError('fetch failed', { cause: { code: 0, cause: deep } });
    expect(findCause(error)).toBe(deep);
  });
});

describe('describeProxyFailure', () => {
  const proxy: ProxyServer = { url: new URL('http://proxy.corp:3128'), variable: 'HTTPS_PROXY' };
  const withLogin: ProxyServer = {
    url: new URL('http://alice:s3cret@proxy.corp:3128'),
    variable: 'https_proxy',
  };
  const url = 'https://fcm.test/v1/projects/p/messages:send';
  const refused = (status: number) =>
    new TypeError('fetch failed', {
      cause: {
        code: 0,
        cause: new Error(`Proxy response (${status}) !== 200 when HTTP Tunneling`),
      },
    });

  it.each([
    [
      refused(407),
      proxy,
      'the proxy proxy.corp:3128 (from HTTPS_PROXY) wants a login (HTTP 407 Proxy Authentication ' +
        'Required); set HTTPS_PROXY to http://USER:PASSWORD@host:port',
      false,
    ],
    [
      refused(407),
      withLogin,
      'the proxy proxy.corp:3128 (from https_proxy) refused the user and password in https_proxy ' +
        '(HTTP 407 Proxy Authentication Required)',
      false,
    ],
    [
      new TypeError('fetch failed', { cause: new Error('Proxy Authentication Required (407)') }),
      proxy,
      'the proxy proxy.corp:3128 (from HTTPS_PROXY) wants a login (HTTP 407 Proxy Authentication ' +
        'Required); set HTTPS_PROXY to http://USER:PASSWORD@host:port',
      false,
    ],
    [
      refused(403),
      proxy,
      'the proxy proxy.corp:3128 (from HTTPS_PROXY) would not connect to fcm.test: HTTP 403 Forbidden',
      false,
    ],
    [
      refused(502),
      proxy,
      'the proxy proxy.corp:3128 (from HTTPS_PROXY) would not connect to fcm.test: HTTP 502 Bad Gateway',
      true,
    ],
    [
      new TypeError('fetch failed', { cause: { code: 'ECONNREFUSED' } }),
      proxy,
      'cannot reach the proxy proxy.corp:3128 (from HTTPS_PROXY): connection refused (ECONNREFUSED)',
      true,
    ],
  ])('explains %s', (error, server, detail, retriable) => {
    const failure = describeProxyFailure(error, 'connection refused (ECONNREFUSED)', server, url);
    expect(failure).toEqual({ detail: detail.replace(/\s+/g, ' '), retriable });
    expect(failure?.detail).not.toContain('s3cret');
  });

  it('leaves a certificate failure and a reset connection to the usual description', () => {
    for (const code of ['UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'ECONNRESET']) {
      const error = new TypeError('fetch failed', { cause: { code } });
      expect(describeProxyFailure(error, 'x', proxy, url)).toBeUndefined();
    }
  });
});
