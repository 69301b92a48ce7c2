import { generateKeyPairSync } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_TOKEN_URI,
  MAX_ACCOUNT_FILE_BYTES,
  describeAccount,
  parseServiceAccount,
  readServiceAccountFile,
  validateServiceAccount,
} from '../../src/auth/service-account.js';
import { UsageError } from '../../src/errors.js';
import {
  accountJson,
  createTestKeys,
  pemBodyLine,
  writeTempFile,
} from '../helpers/service-account.js';

const keys = createTestKeys();
const SOURCE = 'service-account file key.json';
const SENTINEL = 'SENTINEL-PRIVATE-KEY-MATERIAL';
const FAKE_PEM = `-----BEGIN PRIVATE KEY-----\n${SENTINEL}\n-----END PRIVATE KEY-----\n`;

function refusal(run: () => unknown): UsageError {
  try {
    run();
  } catch (error) {
    if (error instanceof UsageError) return error;
    throw error;
  }
  throw new Error('expected a UsageError');
}

describe('validateServiceAccount', () => {
  it('reads every field a send needs and loads the RSA key', () => {
    const account = validateServiceAccount(accountJson(keys.privatePem), SOURCE);
    expect(account).toMatchObject({
      projectId: 'demo-project',
      clientEmail: 'sender@demo-project.iam.gserviceaccount.com',
      privateKeyId: 'key-id-0123',
      tokenUri: 'https://oauth2.googleapis.com/token',
    });
    expect(account.privateKey.type).toBe('private');
    expect(account.privateKey.asymmetricKeyType).toBe('rsa');
  });

  it('uses Google token endpoint when token_uri is absent and drops an empty key ID', () => {
    const json = accountJson(keys.privatePem, { token_uri: undefined, private_key_id: '' });
    const account = validateServiceAccount(json, SOURCE);
    expect(account.tokenUri).toBe(DEFAULT_TOKEN_URI);
    expect(account).not.toHaveProperty('privateKeyId');
  });

  it('never shows the key when the account is logged or JSON-encoded', () => {
    const account = validateServiceAccount(accountJson(keys.privatePem), SOURCE);
    expect(JSON.stringify(account)).not.toContain(pemBodyLine(keys.privatePem));
    expect(JSON.stringify(account)).not.toContain('PRIVATE KEY');
  });

  it.each([
    ['not an object', [], /key\.json does not hold a JSON object/],
    ['no type', { type: undefined }, /has no "type" field/],
    [
      'user credentials',
      { type: 'authorized_user' },
      /"type" "authorized_user", not "service_account"/,
    ],
    ['a numeric type', { type: 3 }, /"type" a number, not "service_account"/],
    ['no project_id', { project_id: undefined }, /has no "project_id" field/],
    ['a blank project_id', { project_id: '  ' }, /has no "project_id" field/],
    ['no client_email', { client_email: undefined }, /has no "client_email" field/],
    ['a numeric client_email', { client_email: 7 }, /"client_email" field that is not a string/],
    ['no private_key', { private_key: undefined }, /has no "private_key" field/],
    [
      'a numeric private_key_id',
      { private_key_id: 5 },
      /"private_key_id" field that is not a string/,
    ],
    ['a token_uri that is no URL', { token_uri: 'oauth2' }, /"token_uri" that is not a URL/],
    ['a plain-http token_uri', { token_uri: 'http://oauth.example/token' }, /not an https:\/\//],
    ['an ftp token_uri', { token_uri: 'ftp://127.0.0.1/token' }, /not an https:\/\//],
  ])('refuses %s, naming the field and the file', (_case, change, message) => {
    const value = Array.isArray(change) ? change : accountJson(keys.privatePem, change);
    const error = refusal(() => validateServiceAccount(value, SOURCE));
    expect(error.message).toMatch(message);
    expect(error.message).toContain(SOURCE);
    expect(error.message).not.toContain('\n');
    expect(error.exitCode).toBe(2);
    expect(error.hint).toBeDefined();
  });

  it('allows plain http to a token endpoint on this machine only', () => {
    for (const uri of ['http://127.0.0.1:8080/token', 'http://localhost/token', 'http://[::1]/t']) {
      const account = validateServiceAccount(
        accountJson(keys.privatePem, { token_uri: uri }),
        SOURCE,
      );
      expect(account.tokenUri).toBe(uri);
    }
  });

  it.each([
    ['text that is not PEM', FAKE_PEM, /"private_key" that is not a PEM RSA private key/],
    ['a number', 42, /"private_key" that is not a PEM RSA private key/],
  ])('refuses a private_key that is %s without quoting it', (_case, privateKey, message) => {
    const error = refusal(() =>
      validateServiceAccount(accountJson(keys.privatePem, { private_key: privateKey }), SOURCE),
    );
    expect(error.message).toMatch(message);
    expect(`${error.message} ${error.hint}`).not.toContain(SENTINEL);
  });

  it('refuses an elliptic-curve key: RS256 needs RSA', () => {
    const { privateKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }) as string;
    const error = refusal(() =>
      validateServiceAccount(accountJson(keys.privatePem, { private_key: pem }), SOURCE),
    );
    expect(error.message).toMatch(/not a PEM RSA private key/);
    expect(error.message).not.toContain(pemBodyLine(pem));
  });

  it('says so when the key is encrypted', () => {
    const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 1024 });
    const pem = privateKey.export({
      type: 'pkcs8',
      format: 'pem',
      cipher: 'aes-256-cbc',
      passphrase: 'secret',
    }) as string;
    const error = refusal(() =>
      validateServiceAccount(accountJson(keys.privatePem, { private_key: pem }), SOURCE),
    );
    expect(error.message).toMatch(/encrypted "private_key"/);
  });
});

describe('parseServiceAccount', () => {
  it('refuses text that is not JSON without quoting any of it', () => {
    const text = `{"private_key": "${SENTINEL}",,}`;
    const error = refusal(() => parseServiceAccount(text, SOURCE));
    expect(error.message).toBe(`${SOURCE} is not valid JSON`);
  });

  it('reads valid text', () => {
    const text = JSON.stringify(accountJson(keys.privatePem));
    expect(parseServiceAccount(text, SOURCE).projectId).toBe('demo-project');
  });
});

describe('readServiceAccountFile', () => {
  it('returns the checked account and the JSON as the file held it, BOM removed', () => {
    const json = accountJson(keys.privatePem);
    const file = writeTempFile(`\ufeff${JSON.stringify(json)}`);
    const read = readServiceAccountFile(file);
    expect(read.json).toEqual(json);
    expect(read.account.clientEmail).toBe(json.client_email);
  });

  it('says "no such file" for a missing path', () => {
    const file = path.join(mkdtempSync(path.join(tmpdir(), 'gcmpush-')), 'missing.json');
    const error = refusal(() => readServiceAccountFile(file));
    expect(error.message).toBe(`cannot read service-account file ${file}: no such file`);
  });

  it('refuses a folder', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'gcmpush-'));
    expect(() => readServiceAccountFile(dir)).toThrow(/it is a folder/);
  });

  it('refuses a file larger than 64 KiB, giving its size', () => {
    const file = writeTempFile('x'.repeat(MAX_ACCOUNT_FILE_BYTES + 1));
    const error = refusal(() => readServiceAccountFile(file));
    expect(error.message).toBe(
      `service-account file ${file} is ${MAX_ACCOUNT_FILE_BYTES + 1} bytes; ` +
        'a service-account key is a few KB',
    );
  });

  it('names the caller-given source in its messages', () => {
    const file = writeTempFile({ type: 'service_account' });
    expect(() => readServiceAccountFile(file, `VAR file ${file}`)).toThrow(
      `VAR file ${file} has no "project_id" field`,
    );
  });
});

describe('describeAccount', () => {
  it('gives the project and email and nothing else', () => {
    const account = validateServiceAccount(accountJson(keys.privatePem), SOURCE);
    expect(describeAccount(account)).toEqual({
      projectId: 'demo-project',
      clientEmail: 'sender@demo-project.iam.gserviceaccount.com',
    });
  });
});
