import { chmodSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runDoctor } from '../../src/commands/doctor.js';
import type { DoctorDocument } from '../../src/commands/doctor.js';
import { inspectRoute } from '../../src/commands/doctor-checks.js';
import { toSendFlags } from '../../src/commands/send-input.js';
import { UsageError } from '../../src/errors.js';
import { createTempStore } from '../helpers/config.js';
import {
  ACCOUNT,
  clockAt,
  doctor,
  EMAIL,
  find,
  folders,
  KEY,
  keys,
  sharedUrl,
  startServer,
  useLoopbackOnly,
} from '../helpers/doctor.js';
import { createTestIo } from '../helpers/io.js';
import { accountJson, writeTempFile } from '../helpers/service-account.js';

useLoopbackOnly();

describe('doctor: config', () => {
  it('reports the file, its mode and its folder when all is well', async () => {
    const store = createTempStore({ service_account: ACCOUNT });
    const check = find(await doctor({ store }), 'config');
    expect(check).toEqual({
      name: 'config',
      status: 'ok',
      detail: `${store.file}, mode 0600, folder 0700`,
    });
  });

  it('warns when there is no config yet', async () => {
    const store = createTempStore();
    const check = find(await doctor({ store }), 'config');
    expect(check.status).toBe('warn');
    expect(check.detail).toBe(`no config yet (${store.file})`);
  });

  it('fails on a file that is not JSON, names it and leaves it as it was', async () => {
    const store = createTempStore({});
    writeFileSync(store.file, `{"api_key": "${KEY}",`);
    const run = await doctor({ store });
    const check = find(run, 'config');
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(`config file ${store.file} is not valid JSON`);
    expect(check.hint).toBe('fix or remove the file by hand, then run the command again');
    expect(readFileSync(store.file, 'utf8')).toBe(`{"api_key": "${KEY}",`);
    expect(run.stdout).not.toContain(KEY);
    expect(run.code).toBe(1);
  });

  it('fails when the path of the file is a folder', async () => {
    const store = createTempStore();
    mkdirSync(store.file, { recursive: true });
    const check = find(await doctor({ store }), 'config');
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(`cannot read config file ${store.file}`);
  });

  it.each([
    ['holds a key', 'fail', { api_key: KEY }, 'holds credentials and is mode 0644'],
    ['holds an account', 'fail', { service_account: ACCOUNT }, 'holds credentials and is mode'],
    ['holds only names', 'warn', { ids: { phone: 'a:b' } }, `is mode 0644, open to other users`],
  ])('for a file open to others that %s, says %s', async (_what, status, contents, text) => {
    const store = createTempStore(contents);
    chmodSync(store.file, 0o644);
    const check = find(await doctor({ store }), 'config');
    expect(check.status).toBe(status);
    expect(check.detail).toContain(text);
    expect(check.hint).toBe(`chmod 600 ${store.file}`);
  });

  it('warns about a folder open to others', async () => {
    const store = createTempStore({ service_account: ACCOUNT });
    chmodSync(store.dir, 0o755);
    const check = find(await doctor({ store }), 'config');
    expect(check).toMatchObject({ status: 'warn', hint: `chmod 700 ${store.dir}` });
    expect(check.detail).toBe('its folder is mode 0755, not 0700');
  });

  it('does not judge modes on Windows, where they mean nothing', async () => {
    const store = createTempStore({ service_account: ACCOUNT });
    chmodSync(store.file, 0o666);
    const env = { ...folders(), GCMPUSH_ENDPOINT: sharedUrl() };
    const { io, stdout } = createTestIo({ env });
    await runDoctor({ json: true }, io, { store, now: clockAt(0), platform: 'win32' });
    const checks = (JSON.parse(stdout()) as DoctorDocument).checks;
    expect(checks[0]).toMatchObject({ status: 'ok', detail: `${store.file} (modes not checked)` });
  });
});

describe('doctor: credentials', () => {
  it('shows a stored key masked, and where it is stored', async () => {
    const store = createTempStore({ api_key: KEY });
    const check = find(await doctor({ store }), 'credentials');
    expect(check).toMatchObject({ status: 'ok', detail: `API key AIza…cdef from ${store.file}` });
  });

  it('names GCMPUSH_API_KEY when the key comes from it', async () => {
    const run = await doctor({ store: createTempStore(), env: { GCMPUSH_API_KEY: KEY } });
    expect(find(run, 'credentials').detail).toBe('API key AIza…cdef from GCMPUSH_API_KEY');
  });

  it('shows the account by its email and project only', async () => {
    const store = createTempStore({ service_account: ACCOUNT });
    const check = find(await doctor({ store }), 'credentials');
    expect(check.detail).toBe(`service account ${EMAIL} (project demo-project) from ${store.file}`);
  });

  it('names the GOOGLE_APPLICATION_CREDENTIALS file an account comes from', async () => {
    const file = writeTempFile(accountJson(keys.privatePem, { project_id: 'env-project' }));
    const env = { GOOGLE_APPLICATION_CREDENTIALS: file, GCMPUSH_API_KEY: KEY };
    const check = find(await doctor({ store: createTempStore(), env }), 'credentials');
    expect(check.detail).toBe(
      'API key AIza…cdef from GCMPUSH_API_KEY; ' +
        `service account ${EMAIL} (project env-project) ` +
        `from GOOGLE_APPLICATION_CREDENTIALS=${file}`,
    );
  });

  it.each([
    ['a file that does not exist', () => '/nonexistent/key.json', 'no such file'],
    ['a file that is not JSON', () => writeTempFile('{"private_key": "'), 'is not valid JSON'],
    [
      'a file with no client_email',
      () => writeTempFile({ ...ACCOUNT, client_email: undefined }),
      'has no "client_email" field',
    ],
  ])('fails on GOOGLE_APPLICATION_CREDENTIALS naming %s', async (_what, makeFile, reason) => {
    const file = makeFile();
    const env = { GOOGLE_APPLICATION_CREDENTIALS: file, GCMPUSH_API_KEY: KEY };
    const run = await doctor({ store: createTempStore(), env });
    const check = find(run, 'credentials');
    expect(check.status).toBe('fail');
    expect(check.detail).toContain(`GOOGLE_APPLICATION_CREDENTIALS file ${file}`);
    expect(check.detail).toContain(reason);
    expect(check.detail.split('\n')).toHaveLength(1);
    expect(run.code).toBe(1);
  });

  it('fails with a way out when there is neither a key nor an account', async () => {
    const run = await doctor({ store: createTempStore() });
    expect(find(run, 'credentials')).toEqual({
      name: 'credentials',
      status: 'fail',
      detail: 'no API key or service account is set',
      hint:
        'for FCM v1 run `gcmpush account set FILE` (or set GOOGLE_APPLICATION_CREDENTIALS); ' +
        'for legacy run `gcmpush key set`',
    });
  });
});

describe('doctor: protocol', () => {
  const V1_PATH = '/v1/projects/demo-project/messages:send';

  it('picks v1 for an account with no key, with its URL for the project', async () => {
    const { url } = await startServer();
    const run = await doctor({ flags: { endpoint: url } });
    expect(find(run, 'protocol')).toEqual({
      name: 'protocol',
      status: 'ok',
      detail: `v1 to ${url}${V1_PATH} (a service account is set and no API key)`,
    });
  });

  it('picks legacy when a key is set, and says an account is there for --protocol v1', async () => {
    const { url } = await startServer();
    const store = createTempStore({ api_key: KEY, service_account: ACCOUNT });
    const check = find(await doctor({ store, env: { GCMPUSH_ENDPOINT: url } }), 'protocol');
    expect(check.status).toBe('ok');
    expect(check.detail).toBe(
      `legacy to ${url}/fcm/send (an API key is set and wins over the service account; ` +
        'pass --protocol v1 to use that)',
    );
  });

  it('follows --protocol and --project as send does', async () => {
    const { url } = await startServer();
    const store = createTempStore({ api_key: KEY, service_account: ACCOUNT });
    const flags = { protocol: 'v1', project: 'other', endpoint: `${url}/fcm/send` };
    const check = find(await doctor({ store, flags }), 'protocol');
    expect(check.detail).toBe(
      `v1 to ${url}/v1/projects/other/messages:send (chosen by --protocol)`,
    );
  });

  it('warns that legacy to Google goes nowhere since the 2024 shutdown', () => {
    // inspectRoute alone: a whole doctor run would try to reach Google.
    const store = createTempStore({ api_key: KEY });
    const flags = toSendFlags({ endpoint: 'https://fcm.googleapis.com/fcm/send' });
    const { result, target } = inspectRoute(flags, {}, store);
    expect(result.status).toBe('warn');
    expect(result.detail).toContain('Google shut the legacy API down in 2024');
    expect(result.hint).toContain('gcmpush account set FILE');
    expect(target?.href).toBe('https://fcm.googleapis.com/fcm/send');
  });

  it('fails with chooseRoute’s reason when the protocol asked for cannot be used', async () => {
    const { url } = await startServer();
    const store = createTempStore({ api_key: KEY });
    const run = await doctor({ store, flags: { protocol: 'v1', endpoint: url } });
    expect(find(run, 'protocol')).toMatchObject({
      status: 'fail',
      detail: 'no service account is set',
    });
    // The host is still checked: it is known without a route.
    expect(find(run, 'endpoint').status).toBe('ok');
    expect(run.code).toBe(1);
  });

  it('fails on a GCMPUSH_ENDPOINT that is not a URL, and checks no host', async () => {
    const store = createTempStore({ api_key: KEY });
    const run = await doctor({ store, env: { GCMPUSH_ENDPOINT: 'not a url' } });
    expect(find(run, 'protocol')).toMatchObject({ status: 'fail' });
    expect(find(run, 'protocol').detail).toContain('invalid endpoint "not a url"');
    expect(find(run, 'endpoint')).toMatchObject({ status: 'warn', detail: /not checked/ });
    expect(find(run, 'clock')).toMatchObject({ status: 'warn', detail: /not checked/ });
  });

  it.each([
    [{ protocol: 'v2' }, 'invalid --protocol "v2"'],
    [{ endpoint: 'ftp://example.com' }, 'only http and https URLs are supported'],
    [{ timeout: '0' }, 'invalid --timeout "0"'],
    [{ timeout: 'soon' }, 'invalid --timeout "soon"'],
  ])('refuses bad flags %j as usage errors before checking anything', async (flags, message) => {
    const { io, stdout } = createTestIo();
    const run = runDoctor({ json: true, ...flags }, io, { store: createTempStore() });
    await expect(run).rejects.toThrow(UsageError);
    await expect(run).rejects.toThrow(message);
    expect(stdout()).toBe('');
  });
});

describe('doctor: folders', () => {
  it('says a folder that does not exist yet will be created', async () => {
    const run = await doctor();
    expect(find(run, 'cache')).toMatchObject({ status: 'ok', detail: /created on first use/ });
    expect(find(run, 'history')).toMatchObject({ status: 'ok', detail: /created on first use/ });
  });

  it('says an existing folder is writable', async () => {
    const env = folders();
    mkdirSync(env.GCMPUSH_CACHE_DIR as string);
    const run = await doctor({ env });
    expect(find(run, 'cache').detail).toBe(`${env.GCMPUSH_CACHE_DIR} is writable`);
  });

  it('warns when a folder cannot be created, and what would be lost', async () => {
    const blocker = writeTempFile('not a folder', 'blocker');
    const env = {
      GCMPUSH_CACHE_DIR: path.join(blocker, 'cache'),
      GCMPUSH_DATA_DIR: path.join(blocker, 'data'),
    };
    const run = await doctor({ env });
    expect(find(run, 'cache')).toMatchObject({
      status: 'warn',
      detail:
        `${env.GCMPUSH_CACHE_DIR} cannot be created: ${blocker} is not a folder; ` +
        'access tokens would not be cached between runs',
      hint: 'set GCMPUSH_CACHE_DIR to a folder you can write',
    });
    expect(find(run, 'history')).toMatchObject({
      status: 'warn',
      detail: /sends would not be recorded$/,
    });
    expect(run.code).toBe(0);
  });

  it('does not look for a history folder when recording is off', async () => {
    const run = await doctor({ env: { GCMPUSH_NO_HISTORY: '1' } });
    expect(find(run, 'history').detail).toBe('recording is off (GCMPUSH_NO_HISTORY)');
  });
});
