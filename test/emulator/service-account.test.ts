import { createPublicKey, createSign, createVerify } from 'node:crypto';
import { mkdtemp, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { loadOrCreateServiceAccountFile } from '../../src/emulator/service-account-file.js';
import {
  createServiceAccount,
  readServiceAccount,
  type ServiceAccountKey,
} from '../../src/emulator/service-account.js';

const TOKEN_URI = 'http://127.0.0.1:41234/token';
const account = createServiceAccount({ tokenUri: TOKEN_URI });
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(join(tmpdir(), 'gcmpush-account-'));
});

afterEach(async () => {
  await rm(folder, { recursive: true, force: true });
});

function modeOf(path: string): Promise<number> {
  return stat(path).then((info) => info.mode & 0o777);
}

describe('createServiceAccount', () => {
  it('returns a key shaped like a Google service-account file', () => {
    expect(account).toEqual({
      type: 'service_account',
      project_id: 'gcmpush-emulator',
      private_key_id: expect.stringMatching(/^[0-9a-f]{40}$/),
      private_key: expect.stringMatching(
        /^-----BEGIN PRIVATE KEY-----\n[\s\S]+-----END PRIVATE KEY-----\n$/,
      ),
      client_email: 'gcmpush@gcmpush-emulator.iam.gserviceaccount.com',
      client_id: expect.stringMatching(/^\d{21}$/),
      auth_uri: 'https://accounts.google.com/o/oauth2/auth',
      token_uri: TOKEN_URI,
      auth_provider_x509_cert_url: 'https://www.googleapis.com/oauth2/v1/certs',
      client_x509_cert_url:
        'https://www.googleapis.com/robot/v1/metadata/x509/gcmpush%40gcmpush-emulator.iam.gserviceaccount.com',
      universe_domain: 'googleapis.com',
    });
    expect(readServiceAccount(account).ok).toBe(true);
  });

  it('holds a 2048-bit RSA key whose RS256 signatures verify', () => {
    const publicKey = createPublicKey(account.private_key);
    const signature = createSign('RSA-SHA256').update('sample').sign(account.private_key);

    expect(publicKey.asymmetricKeyType).toBe('rsa');
    expect(publicKey.asymmetricKeyDetails?.modulusLength).toBe(2048);
    expect(createVerify('RSA-SHA256').update('sample').verify(publicKey, signature)).toBe(true);
    expect(createVerify('RSA-SHA256').update('other').verify(publicKey, signature)).toBe(false);
  });

  it('takes a project and an email, and refuses a project ID with a slash', () => {
    const custom = createServiceAccount({
      tokenUri: TOKEN_URI,
      projectId: 'my-app',
      clientEmail: 'pusher@my-app.iam.gserviceaccount.com',
    });

    expect(custom).toMatchObject({
      project_id: 'my-app',
      client_email: 'pusher@my-app.iam.gserviceaccount.com',
    });
    expect(custom.private_key_id).not.toBe(account.private_key_id);
    expect(() => createServiceAccount({ tokenUri: TOKEN_URI, projectId: 'a/b' })).toThrow(
      /project ID/,
    );
  });
});

describe('loadOrCreateServiceAccountFile', () => {
  it('creates a missing file, and its folder, readable by the owner only', async () => {
    const path = join(folder, 'keys', 'emulator.json');

    const created = await loadOrCreateServiceAccountFile(path, TOKEN_URI);

    expect(await modeOf(path)).toBe(0o600);
    expect(await modeOf(join(folder, 'keys'))).toBe(0o700);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(created);
    expect(created.token_uri).toBe(TOKEN_URI);
    expect(await readdir(join(folder, 'keys'))).toEqual(['emulator.json']);
  });

  it('reuses an existing file unchanged, even when its token_uri names another port', async () => {
    const path = join(folder, 'emulator.json');
    const created = await loadOrCreateServiceAccountFile(path, TOKEN_URI);
    const text = await readFile(path, 'utf8');

    const reused = await loadOrCreateServiceAccountFile(path, 'http://127.0.0.1:50000/token');

    expect(reused).toEqual(created);
    expect(reused.token_uri).toBe(TOKEN_URI);
    expect(await readFile(path, 'utf8')).toBe(text);
  });

  it('gives two emulators racing for the same new file the same key', async () => {
    const path = join(folder, 'shared.json');

    const [first, second] = await Promise.all([
      loadOrCreateServiceAccountFile(path, TOKEN_URI),
      loadOrCreateServiceAccountFile(path, TOKEN_URI),
    ]);

    expect(first.private_key_id).toBe(second.private_key_id);
    expect(JSON.parse(await readFile(path, 'utf8'))).toEqual(first);
    expect(await readdir(folder)).toEqual(['shared.json']);
  });

  const badFiles: Array<[string, string, RegExp]> = [
    ['text that is not JSON', '{"type": "service_acc', /is not valid JSON/],
    ['a JSON array', '[]', /must be a JSON object/],
    [
      'another credential type',
      JSON.stringify({ ...account, type: 'authorized_user' }),
      /"type" is "authorized_user"/,
    ],
    [
      'a key without private_key',
      JSON.stringify({ ...account, private_key: undefined }),
      /"private_key" is missing/,
    ],
    [
      'a key without project_id',
      JSON.stringify({ ...account, project_id: '' }),
      /"project_id" is missing/,
    ],
    [
      'a private key that is not PEM',
      JSON.stringify({
        ...account,
        private_key: '-----BEGIN PRIVATE KEY-----\nnope\n-----END PRIVATE KEY-----\n',
      }),
      /not an RSA private key/,
    ],
    [
      'a token_uri that is a number',
      JSON.stringify({ ...account, token_uri: 5 }),
      /"token_uri" must be a string/,
    ],
  ];

  it.each(badFiles)(
    'throws a one-line error naming the file for %s',
    async (_name, text, reason) => {
      const path = join(folder, 'bad.json');
      await writeFile(path, text);

      const error = (await loadOrCreateServiceAccountFile(path, TOKEN_URI).catch(
        (caught: unknown) => caught,
      )) as Error;

      expect(error).toBeInstanceOf(Error);
      expect(error.message).toMatch(reason);
      expect(error.message).toContain(path);
      expect(error.message).not.toContain('\n');
      expect(error.message).not.toContain('PRIVATE KEY');
      expect(await readFile(path, 'utf8')).toBe(text);
    },
  );

  it('names the path and the system error when the file cannot be read or written', async () => {
    const blocked = join(folder, 'file.json');
    await writeFile(blocked, '{}');

    const unreadable = loadOrCreateServiceAccountFile(folder, TOKEN_URI);
    await expect(unreadable).rejects.toThrow(`cannot read service account file ${folder}: EISDIR`);
    const unwritable = loadOrCreateServiceAccountFile(join(blocked, 'key.json'), TOKEN_URI);
    await expect(unwritable).rejects.toThrow(/service account file .*key\.json: ENOTDIR/);
  });
});

describe('readServiceAccount', () => {
  it('accepts a key without the optional fields', () => {
    const { client_id: _id, auth_uri: _auth, token_uri: _token, ...core } = account;

    const checked = readServiceAccount(core);

    expect(checked).toEqual({ ok: true, value: core as ServiceAccountKey });
  });
});
