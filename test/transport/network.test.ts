/**
 * The transport over real loopback sockets: through a local proxy (CONNECT for https://,
 * forwarding for http://), around it with NO_PROXY, and against certificates this process
 * does not trust. The proxy settings are passed in, so the machine's own never leak in.
 */
import { afterEach, describe, expect, it } from 'vitest';
import type { HttpResponse, Transport } from '../../src/transport/http.js';
import { createTransport, NetworkError } from '../../src/transport/http.js';
import type { CannedService, RunningProxy } from '../helpers/network.js';
import { closedPort, startCannedService, startProxy } from '../helpers/network.js';

const LEGACY_BODY = JSON.stringify({ registration_ids: ['id-1'] });

let open: Array<{ close(): Promise<void> }> = [];

afterEach(async () => {
  await Promise.all(open.map((item) => item.close()));
  open = [];
});

async function proxy(options: { refuse?: number } = {}): Promise<RunningProxy> {
  const started = await startProxy(options);
  open.push(started);
  return started;
}

async function service(cert?: string): Promise<CannedService> {
  const started = await startCannedService({ cert });
  open.push(started);
  return started;
}

async function transport(env: NodeJS.ProcessEnv): Promise<Transport> {
  const created = await createTransport({ connections: 1, env });
  open.push(created);
  return created;
}

async function post(through: Transport, url: string): Promise<HttpResponse> {
  const headers = { 'Content-Type': 'application/json' };
  return through.post({ url, headers, body: LEGACY_BODY }, new AbortController().signal);
}

/** The NetworkError a post ends with; fails the test if the post succeeds. */
async function failure(through: Transport, url: string): Promise<NetworkError> {
  const error: unknown = await post(through, url).then(
    () => new Error('the request succeeded'),
    (thrown: unknown) => thrown,
  );
  expect(error).toBeInstanceOf(NetworkError);
  return error as NetworkError;
}

describe('the transport through a proxy', () => {
  it('forwards a plain HTTP request to HTTP_PROXY as an absolute URI', async () => {
    const relay = await proxy();
    const target = await service();

    const response = await post(
      await transport({ HTTP_PROXY: relay.url }),
      `${target.origin}/fcm/send`,
    );

    expect(response.status).toBe(200);
    expect(JSON.parse(response.body)).toMatchObject({ success: 1 });
    expect(relay.seen).toEqual([`POST ${target.origin}/fcm/send`]);
  });

  it('tunnels an https request through HTTPS_PROXY with CONNECT, and still checks TLS', async () => {
    const relay = await proxy();
    const target = await service('server.pem');

    const error = await failure(
      await transport({ https_proxy: relay.url }),
      `${target.origin}/fcm/send`,
    );

    expect(relay.seen).toEqual([`CONNECT ${new URL(target.origin).host}`]);
    expect(error.message).toBe(
      'TLS certificate not trusted: unable to verify the first certificate ' +
        '(UNABLE_TO_VERIFY_LEAF_SIGNATURE); for a private CA set NODE_EXTRA_CA_CERTS',
    );
    expect(error.retriable).toBe(false);
    expect(target.paths).toEqual([]);
  });

  it('goes direct to a host NO_PROXY lists', async () => {
    const relay = await proxy();
    const target = await service();

    const response = await post(
      await transport({ HTTP_PROXY: relay.url, NO_PROXY: 'localhost,127.0.0.1' }),
      `${target.origin}/fcm/send`,
    );

    expect(response.status).toBe(200);
    expect(relay.seen).toEqual([]);
    expect(target.paths).toEqual(['/fcm/send']);
  });

  it('sends the user and password of the proxy URL as Proxy-Authorization', async () => {
    const relay = await proxy();
    const target = await service();
    const withLogin = relay.url.replace('http://', 'http://alice:s%40cret@');

    await post(await transport({ HTTP_PROXY: withLogin }), `${target.origin}/fcm/send`);

    expect(relay.logins).toEqual([`Basic ${Buffer.from('alice:s@cret').toString('base64')}`]);
  });

  it('names a proxy that is down, and keeps the error retriable', async () => {
    const target = await service('server.pem');
    const port = await closedPort();

    const error = await failure(
      await transport({ HTTPS_PROXY: `http://127.0.0.1:${port}` }),
      `${target.origin}/fcm/send`,
    );

    expect(error.message).toBe(
      `cannot reach the proxy 127.0.0.1:${port} (from HTTPS_PROXY): ` +
        'connection refused (ECONNREFUSED)',
    );
    expect(error.retriable).toBe(true);
  });

  it.each([
    ['HTTPS_PROXY', 'server.pem'],
    ['HTTP_PROXY', undefined],
  ])(
    'says a 407 from %s wants a login, never shows the password, and is final',
    async (variable, cert) => {
      const relay = await proxy({ refuse: 407 });
      const target = await service(cert);
      const host = new URL(relay.url).host;

      const bare = await failure(await transport({ [variable]: relay.url }), `${target.origin}/x`);
      const withLogin = await failure(
        await transport({ [variable]: `http://alice:s3cret@${host}` }),
        `${target.origin}/x`,
      );

      expect(bare.message).toBe(
        `the proxy ${host} (from ${variable}) wants a login (HTTP 407 Proxy Authentication ` +
          `Required); set ${variable} to http://USER:PASSWORD@host:port`,
      );
      expect(withLogin.message).toBe(
        `the proxy ${host} (from ${variable}) refused the user and password in ${variable} ` +
          '(HTTP 407 Proxy Authentication Required)',
      );
      expect([bare.retriable, withLogin.retriable]).toEqual([false, false]);
    },
  );

  it('says which host the proxy would not tunnel to', async () => {
    const relay = await proxy({ refuse: 403 });
    const target = await service('server.pem');

    const error = await failure(await transport({ HTTPS_PROXY: relay.url }), `${target.origin}/x`);

    expect(error.message).toBe(
      `the proxy ${new URL(relay.url).host} (from HTTPS_PROXY) would not connect to ` +
        `${new URL(target.origin).host}: HTTP 403 Forbidden`,
    );
    expect(error.retriable).toBe(false);
  });
});

describe('the transport against certificates this process does not trust', () => {
  it('explains an expired certificate in one line and does not retry it', async () => {
    const target = await service('expired.pem');

    const error = await failure(await transport({}), `${target.origin}/fcm/send`);

    expect(error.message).toBe(
      "TLS certificate out of date: certificate has expired (CERT_HAS_EXPIRED); check this machine's clock",
    );
    expect(error.retriable).toBe(false);
  });

  it('keeps a refused connection retriable, with its usual description', async () => {
    const error = await failure(await transport({}), `http://127.0.0.1:${await closedPort()}/x`);

    expect(error.message).toBe('connection refused (ECONNREFUSED)');
    expect(error.retriable).toBe(true);
  });
});
