import { readFileSync, statSync, writeFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import {
  resolveServiceAccount,
  runAccountRemove,
  runAccountSet,
  runAccountShow,
} from '../../src/commands/account.js';
import { ConfigError, UsageError } from '../../src/errors.js';
import { createTempStore, readConfig } from '../helpers/config.js';
import { createTestIo } from '../helpers/io.js';
import {
  accountJson,
  createTestKeys,
  pemBodyLine,
  writeTempFile,
} from '../helpers/service-account.js';

const keys = createTestKeys();
const json = accountJson(keys.privatePem);
const EMAIL = 'sender@demo-project.iam.gserviceaccount.com';
const OTHER = accountJson(keys.privatePem, {
  project_id: 'env-project',
  client_email: 'ci@env-project.iam.gserviceaccount.com',
});
/** Any of these in output means part of the private key leaked. */
const SECRETS = [pemBodyLine(keys.privatePem), keys.privatePem.split('\n')[1] ?? '', 'PRIVATE KEY'];

function expectNoSecret(...outputs: string[]) {
  for (const secret of SECRETS) expect(outputs.join('\n')).not.toContain(secret);
}

function thrown(run: () => unknown): Error {
  try {
    run();
  } catch (error) {
    return error as Error;
  }
  throw new Error('expected an error');
}

describe('account set', () => {
  it('stores the JSON of the key file in the 0600 config file and names the account', async () => {
    const store = createTempStore();
    const { io, stdout, stderr } = createTestIo();
    await runAccountSet(writeTempFile(json), store, io);
    expect(readConfig(store).service_account).toEqual(json);
    expect(statSync(store.file).mode & 0o777).toBe(0o600);
    expect(statSync(store.dir).mode & 0o777).toBe(0o700);
    expect(stderr()).toBe(
      `Stored the service account ${EMAIL} (project demo-project) in ${store.file}\n`,
    );
    expect(stdout()).toBe('');
    expectNoSecret(stdout(), stderr());
  });

  it('keeps the other entries of the config file', async () => {
    const store = createTempStore({ api_key: 'AIzaKey', ids: { phone: 'a:b' } });
    await runAccountSet(writeTempFile(json), store, createTestIo().io);
    expect(readConfig(store)).toEqual({
      api_key: 'AIzaKey',
      ids: { phone: 'a:b' },
      service_account: json,
    });
  });

  it('notes that GOOGLE_APPLICATION_CREDENTIALS wins when it is set', async () => {
    const store = createTempStore();
    const { io, stderr } = createTestIo({
      env: { GOOGLE_APPLICATION_CREDENTIALS: '/elsewhere.json' },
    });
    await runAccountSet(writeTempFile(json), store, io);
    expect(stderr()).toContain('note: GOOGLE_APPLICATION_CREDENTIALS is set and is used instead');
  });

  it.each([
    [
      'a file without client_email',
      { ...json, client_email: undefined },
      /has no "client_email" field/,
    ],
    [
      'a broken private key',
      { ...json, private_key: '-----BEGIN PRIVATE KEY-----\nSENTINEL\n-----END PRIVATE KEY-----' },
      /not a PEM RSA private key/,
    ],
    [
      'text that is not JSON',
      `{"private_key": "${keys.privatePem.replace(/\n/g, '\\n')}",`,
      /is not valid JSON$/,
    ],
  ])('refuses %s and changes nothing', async (_case, contents, message) => {
    const store = createTempStore({ service_account: OTHER });
    const before = readFileSync(store.file, 'utf8');
    const error = await runAccountSet(writeTempFile(contents), store, createTestIo().io).catch(
      (caught) => caught,
    );
    expect(error).toBeInstanceOf(UsageError);
    expect(error.message).toMatch(message);
    expectNoSecret(error.message, error.hint ?? '');
    expect(error.message).not.toContain('SENTINEL');
    expect(readFileSync(store.file, 'utf8')).toBe(before);
  });

  it('refuses a missing file with "no such file"', async () => {
    const store = createTempStore();
    await expect(runAccountSet('/no/such/key.json', store, createTestIo().io)).rejects.toThrow(
      'cannot read service-account file /no/such/key.json: no such file',
    );
  });
});

describe('account show', () => {
  it('prints the email and project of the stored account, never the key', () => {
    const store = createTempStore({ service_account: json });
    const { io, stdout, stderr } = createTestIo();
    runAccountShow(store, io);
    expect(stdout()).toBe(`${EMAIL} (project demo-project, stored in ${store.file})\n`);
    expectNoSecret(stdout(), stderr());
  });

  it('says when GOOGLE_APPLICATION_CREDENTIALS is used instead of the stored account', () => {
    const store = createTempStore({ service_account: json });
    const file = writeTempFile(OTHER);
    const { io, stdout } = createTestIo({ env: { GOOGLE_APPLICATION_CREDENTIALS: file } });
    runAccountShow(store, io);
    expect(stdout()).toBe(
      'ci@env-project.iam.gserviceaccount.com (project env-project, ' +
        `from GOOGLE_APPLICATION_CREDENTIALS=${file}, overriding the stored account)\n`,
    );
    expectNoSecret(stdout());
  });

  it('uses GOOGLE_APPLICATION_CREDENTIALS when nothing is stored', () => {
    const file = writeTempFile(OTHER);
    const { io, stdout } = createTestIo({ env: { GOOGLE_APPLICATION_CREDENTIALS: file } });
    runAccountShow(createTempStore(), io);
    expect(stdout()).toContain(`from GOOGLE_APPLICATION_CREDENTIALS=${file})\n`);
  });

  it('fails with exit 2 and a hint when there is no account', () => {
    const error = thrown(() => runAccountShow(createTempStore(), createTestIo().io)) as UsageError;
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe('no service account is set');
    expect(error.hint).toContain('gcmpush account set FILE');
  });
});

describe('account rm', () => {
  it('deletes the stored account and keeps the rest', async () => {
    const store = createTempStore({ service_account: json, ids: { phone: 'a:b' } });
    const { io, stderr } = createTestIo({ env: { GOOGLE_APPLICATION_CREDENTIALS: '/x.json' } });
    await runAccountRemove(store, io);
    expect(readConfig(store)).toEqual({ ids: { phone: 'a:b' } });
    expect(stderr()).toBe(
      'Removed the stored service account\n' +
        'note: GOOGLE_APPLICATION_CREDENTIALS is still set in this environment\n',
    );
  });

  it('fails with exit 2 when none is stored', async () => {
    const store = createTempStore({ api_key: 'k' });
    const error = await runAccountRemove(store, createTestIo().io).catch((caught) => caught);
    expect(error).toBeInstanceOf(UsageError);
    expect(error.exitCode).toBe(2);
    expect(error.message).toBe(`no service account is stored in ${store.file}`);
  });
});

describe('resolveServiceAccount', () => {
  it('prefers the GOOGLE_APPLICATION_CREDENTIALS file and ignores the variable when empty', () => {
    const store = createTempStore({ service_account: json });
    const file = writeTempFile(OTHER);
    const fromEnv = resolveServiceAccount(store, { GOOGLE_APPLICATION_CREDENTIALS: file });
    expect(fromEnv).toMatchObject({
      source: 'env',
      location: file,
      account: { projectId: 'env-project' },
    });
    const fromConfig = resolveServiceAccount(store, { GOOGLE_APPLICATION_CREDENTIALS: '' });
    expect(fromConfig).toMatchObject({
      source: 'config',
      location: store.file,
      account: { projectId: 'demo-project' },
    });
  });

  it('is undefined when there is neither', () => {
    expect(resolveServiceAccount(createTempStore(), {})).toBeUndefined();
  });

  it.each([
    [
      'a missing file',
      () => '/no/such/file.json',
      /^cannot read GOOGLE_APPLICATION_CREDENTIALS file \/no\/such\/file\.json: no such file$/,
    ],
    [
      'a file that is not JSON',
      () => writeTempFile('{nope'),
      /^GOOGLE_APPLICATION_CREDENTIALS file .* is not valid JSON$/,
    ],
    [
      'a file without project_id',
      () => writeTempFile({ ...OTHER, project_id: undefined }),
      /^GOOGLE_APPLICATION_CREDENTIALS file .* has no "project_id" field$/,
    ],
  ])(
    'refuses %s named by the variable, naming the variable and path',
    (_case, makeFile, message) => {
      const store = createTempStore({ service_account: json });
      const file = makeFile();
      const error = thrown(() =>
        resolveServiceAccount(store, { GOOGLE_APPLICATION_CREDENTIALS: file }),
      );
      expect(error).toBeInstanceOf(UsageError);
      expect(error.message).toMatch(message);
      expect(error.message).toContain(file);
    },
  );

  it('reports a stored account that no longer checks out as a config error', () => {
    const store = createTempStore({ service_account: { ...json, private_key: 'SENTINEL' } });
    const error = thrown(() => resolveServiceAccount(store, {})) as ConfigError;
    expect(error).toBeInstanceOf(ConfigError);
    expect(error.message).toBe(
      `the service account stored in ${store.file} has a "private_key" ` +
        'that is not a PEM RSA private key',
    );
    expect(error.message).not.toContain('SENTINEL');
    expect(error.hint).toContain('gcmpush account set FILE');
  });

  it('reports a config file that is not JSON instead of resetting it', () => {
    const store = createTempStore({});
    writeFileSync(store.file, '{"service_account": {,}');
    expect(() => resolveServiceAccount(store, {})).toThrow(/is not valid JSON.*left untouched/);
  });
});
