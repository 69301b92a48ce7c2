/**
 * The built CLI on a proxied network: HTTPS_PROXY, HTTP_PROXY and NO_PROXY as a shell sets
 * them, a local proxy that records what it carried, and a push service over HTTPS with a
 * certificate from a private test CA, trusted only through NODE_EXTRA_CA_CERTS.
 */
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createServiceAccount } from '../../src/emulator/service-account.js';
import { startEmulator } from '../../src/emulator/server.js';
import { parseDocument, runCli } from '../helpers/cli.js';
import type { CannedService, RunningProxy } from '../helpers/network.js';
import { closedPort, startCannedService, startProxy, tlsFixture } from '../helpers/network.js';

const KEY = 'AIzaSyNetworkTestKey0123456789abcdWX';
const DEVICE = 'device-1:APA91b-network-test';
const TRUST_CA = { NODE_EXTRA_CA_CERTS: tlsFixture('ca.pem') };

interface SendDocument {
  ok: boolean;
  results: Array<{ ok: boolean; error?: string; detail?: string; attempts: number }>;
}

let open: Array<{ close(): Promise<void> }>;
let home: string;

beforeEach(() => {
  open = [];
  home = mkdtempSync(path.join(tmpdir(), 'gcmpush-network-'));
});

afterEach(async () => {
  await Promise.all(open.map((item) => item.close()));
});

async function proxy(): Promise<RunningProxy> {
  const started = await startProxy();
  open.push(started);
  return started;
}

async function service(cert = 'server.pem'): Promise<CannedService> {
  const started = await startCannedService({ cert });
  open.push(started);
  return started;
}

/** A legacy send to `endpoint` with `env` on top of a fresh config. */
async function sendLegacy(endpoint: string, env: NodeJS.ProcessEnv, args: string[] = []) {
  const run = await runCli(['send', '--json', '--to', DEVICE, ...args], {
    env: {
      GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
      GCMPUSH_DATA_DIR: path.join(home, 'data'),
      GCMPUSH_API_KEY: KEY,
      GCMPUSH_ENDPOINT: endpoint,
      ...env,
    },
  });
  return { ...run, document: parseDocument<SendDocument>(run) };
}

function hostOf(url: string): string {
  return new URL(url).host;
}

describe('send through a proxy', () => {
  it('tunnels an HTTPS send through HTTPS_PROXY, trusting a private CA', async () => {
    const relay = await proxy();
    const target = await service();

    const run = await sendLegacy(`${target.origin}/fcm/send`, {
      HTTPS_PROXY: relay.url,
      ...TRUST_CA,
    });

    expect(run.code).toBe(0);
    expect(run.document?.results[0]).toMatchObject({ ok: true, attempts: 1 });
    expect(relay.seen).toEqual([`CONNECT ${hostOf(target.origin)}`]);
    expect(target.paths).toEqual(['/fcm/send']);
  });

  it('goes direct to a host in NO_PROXY', async () => {
    const relay = await proxy();
    const target = await service();

    const run = await sendLegacy(`${target.origin}/fcm/send`, {
      https_proxy: relay.url,
      no_proxy: 'example.invalid,127.0.0.1',
      ...TRUST_CA,
    });

    expect(run.code).toBe(0);
    expect(relay.seen).toEqual([]);
    expect(target.paths).toEqual(['/fcm/send']);
  });

  it('forwards a plain-HTTP send to HTTP_PROXY, and the emulator gets it', async () => {
    const relay = await proxy();
    const emulator = await startEmulator({ port: 0, keys: [KEY] });
    open.push(emulator);
    const id = emulator.registerDevice({}).registration_id;

    const run = await runCli(['send', '--json', '--to', id], {
      env: {
        GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
        GCMPUSH_DATA_DIR: path.join(home, 'data'),
        GCMPUSH_API_KEY: KEY,
        GCMPUSH_ENDPOINT: emulator.url,
        HTTP_PROXY: relay.url,
      },
    });

    expect(run.code).toBe(0);
    expect(relay.seen).toEqual([`POST ${emulator.url}`]);
    expect(emulator.messages().map((message) => message.registration_id)).toEqual([id]);
  });

  it('fetches the OAuth token through the proxy too, for an FCM v1 send', async () => {
    const relay = await proxy();
    const tokens = await service();
    const target = await service();
    const keyFile = path.join(home, 'key.json');
    const account = createServiceAccount({ tokenUri: `${tokens.origin}/token`, projectId: 'p1' });
    writeFileSync(keyFile, JSON.stringify(account), { mode: 0o600 });

    const run = await runCli(['send', '--json', '--to', DEVICE], {
      env: {
        GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
        GCMPUSH_CACHE_DIR: path.join(home, 'cache'),
        GCMPUSH_DATA_DIR: path.join(home, 'data'),
        GOOGLE_APPLICATION_CREDENTIALS: keyFile,
        GCMPUSH_ENDPOINT: target.origin,
        HTTPS_PROXY: relay.url,
        ...TRUST_CA,
      },
    });

    expect(run.code).toBe(0);
    expect(parseDocument<SendDocument>(run)?.results[0]).toMatchObject({ ok: true });
    expect(relay.seen).toEqual([
      `CONNECT ${hostOf(tokens.origin)}`,
      `CONNECT ${hostOf(target.origin)}`,
    ]);
    expect(tokens.paths).toEqual(['/token']);
    expect(target.paths).toEqual(['/v1/projects/p1/messages:send']);
  });

  it('names a proxy that is down and exits 4', async () => {
    const target = await service();
    const port = await closedPort();

    const run = await sendLegacy(
      `${target.origin}/fcm/send`,
      { HTTPS_PROXY: `http://alice:s3cret@127.0.0.1:${port}`, ...TRUST_CA },
      ['--retries', '0'],
    );

    expect(run.code).toBe(4);
    expect(run.document?.results[0]).toMatchObject({
      error: 'Unreachable',
      detail:
        `cannot reach the proxy 127.0.0.1:${port} (from HTTPS_PROXY): ` +
        'connection refused (ECONNREFUSED) after 1 attempt',
    });
    expect(`${run.stdout}${run.stderr}`).not.toContain('s3cret');
  });

  it('refuses a proxy variable that is not a URL, sending nothing', async () => {
    const target = await service();

    const run = await sendLegacy(`${target.origin}/fcm/send`, {
      HTTPS_PROXY: 'http://alice:s3cret@[proxy',
    });

    expect(run.code).toBe(2);
    expect(run.stdout).toBe('');
    expect(run.stderr).toContain('gcmpush: HTTPS_PROXY is not a proxy URL');
    expect(run.stderr).not.toContain('s3cret');
    expect(target.paths).toEqual([]);
  });
});

describe('TLS verification', () => {
  it('stops at once, exit 4, on a certificate this machine does not trust', async () => {
    const relay = await proxy();
    const target = await service();

    const run = await sendLegacy(`${target.origin}/fcm/send`, { HTTPS_PROXY: relay.url });

    expect(run.code).toBe(4);
    expect(run.document?.results[0]).toMatchObject({
      ok: false,
      error: 'Unreachable',
      detail:
        'TLS certificate not trusted: unable to verify the first certificate ' +
        '(UNABLE_TO_VERIFY_LEAF_SIGNATURE); for a private CA set NODE_EXTRA_CA_CERTS',
      attempts: 1,
    });
    expect(run.stderr).not.toMatch(/retrying|\n\s+at /);
    expect(relay.seen).toHaveLength(1);
    expect(target.paths).toEqual([]);
  });

  it('stops at once when the token endpoint is not trusted', async () => {
    const tokens = await service();
    const keyFile = path.join(home, 'key.json');
    const account = createServiceAccount({ tokenUri: `${tokens.origin}/token`, projectId: 'p1' });
    writeFileSync(keyFile, JSON.stringify(account), { mode: 0o600 });

    const run = await runCli(['send', '--json', '--to', DEVICE], {
      env: {
        GCMPUSH_CONFIG_DIR: path.join(home, 'config'),
        GCMPUSH_CACHE_DIR: path.join(home, 'cache'),
        GCMPUSH_DATA_DIR: path.join(home, 'data'),
        GOOGLE_APPLICATION_CREDENTIALS: keyFile,
        GCMPUSH_ENDPOINT: tokens.origin,
      },
    });

    expect(run.code).toBe(4);
    expect(parseDocument<SendDocument>(run)?.results[0]).toMatchObject({
      error: 'Unreachable',
      detail: `token endpoint ${tokens.origin}/token: TLS certificate not trusted: unable to verify the first certificate (UNABLE_TO_VERIFY_LEAF_SIGNATURE); for a private CA set NODE_EXTRA_CA_CERTS`,
      attempts: 1,
    });
    expect(run.stderr).not.toContain('retrying');
  });

  it('refuses a trusted certificate made out to another host', async () => {
    const target = await service('wrong-host.pem');

    const run = await sendLegacy(`${target.origin}/fcm/send`, TRUST_CA);

    expect(run.code).toBe(4);
    expect(run.document?.results[0]).toMatchObject({
      detail:
        'TLS certificate is for another host: 127.0.0.1 is not among its names ' +
        '(DNS:push.example.invalid) (ERR_TLS_CERT_ALTNAME_INVALID); check the host name in the URL',
      attempts: 1,
    });
  });
});
