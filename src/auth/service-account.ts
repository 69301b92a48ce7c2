/**
 * Service-account JSON keys, the credentials FCM HTTP v1 needs: read, checked field by field,
 * and the private key loaded once. Messages name the field and where the key came from; they
 * never quote the file, since a slice of it could be a slice of the private key.
 */
import type { KeyObject } from 'node:crypto';
import { createPrivateKey } from 'node:crypto';
import { readFileSync, statSync } from 'node:fs';
import { UsageError } from '../errors.js';
import { stripBom } from '../input.js';

export const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';

/** A Google service-account key file is about 2.3 KB; anything past this is not one. */
export const MAX_ACCOUNT_FILE_BYTES = 64 * 1024;

/** A checked service account, ready to sign JWTs. */
export interface ServiceAccount {
  projectId: string;
  clientEmail: string;
  /** The key's ID, sent as the JWT `kid`; absent in some hand-made files. */
  privateKeyId?: string;
  /**
   * The loaded RSA key. A KeyObject rather than the PEM text, so logging or JSON-encoding an
   * account by mistake shows `{}` instead of the key.
   */
  privateKey: KeyObject;
  /** Where the JWT is exchanged for an access token; `DEFAULT_TOKEN_URI` when absent. */
  tokenUri: string;
}

/** What `account show` may print: nothing secret. */
export interface AccountSummary {
  projectId: string;
  clientEmail: string;
}

const KEY_FILE_HINT =
  'download a new JSON key from the Google Cloud console (IAM → Service accounts)';

/**
 * Checks a parsed key file. `source` says where it came from in messages, such as
 * `service-account file key.json`.
 */
export function validateServiceAccount(value: unknown, source: string): ServiceAccount {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${source} does not hold a JSON object`, KEY_FILE_HINT);
  }
  const fields = value as Record<string, unknown>;
  checkType(fields.type, source);
  const privateKeyId = optionalString(fields, 'private_key_id', source);
  return {
    projectId: requireString(fields, 'project_id', source),
    clientEmail: requireString(fields, 'client_email', source),
    ...(privateKeyId === undefined || privateKeyId === '' ? {} : { privateKeyId }),
    privateKey: loadPrivateKey(fields.private_key, source),
    tokenUri: checkTokenUri(optionalString(fields, 'token_uri', source), source),
  };
}

/** Parses and checks the text of a key file. */
export function parseServiceAccount(text: string, source: string): ServiceAccount {
  return validateServiceAccount(parseAccountJson(text, source), source);
}

/**
 * Reads a key file, refusing unread anything larger than `MAX_ACCOUNT_FILE_BYTES`. Returns the
 * checked account and the parsed JSON, which `account set` stores as it is.
 */
export function readServiceAccountFile(
  file: string,
  source = `service-account file ${file}`,
): { account: ServiceAccount; json: Record<string, unknown> } {
  const text = readBoundedFile(file, source);
  const json = parseAccountJson(text, source);
  return { account: validateServiceAccount(json, source), json };
}

/** The project and the account's email: what identifies it, without the key. */
export function describeAccount(account: ServiceAccount): AccountSummary {
  return { projectId: account.projectId, clientEmail: account.clientEmail };
}

function readBoundedFile(file: string, source: string): string {
  let size: number;
  try {
    const stats = statSync(file);
    if (stats.isDirectory()) throw new UsageError(`cannot read ${source}: it is a folder`);
    size = stats.size;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new UsageError(`cannot read ${source}: ${describeFileError(error)}`);
  }
  if (size > MAX_ACCOUNT_FILE_BYTES) {
    throw new UsageError(
      `${source} is ${size} bytes; a service-account key is a few KB`,
      'check that the path names the JSON key file',
    );
  }
  try {
    return stripBom(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new UsageError(`cannot read ${source}: ${describeFileError(error)}`);
  }
}

function describeFileError(error: unknown): string {
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ENOENT') return 'no such file';
  if (code === 'EACCES' || code === 'EPERM') return 'permission denied';
  return (error as Error).message;
}

function parseAccountJson(text: string, source: string): Record<string, unknown> {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    // JSON.parse's message quotes the text around the error, which may be the private key.
    throw new UsageError(`${source} is not valid JSON`, KEY_FILE_HINT);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    throw new UsageError(`${source} does not hold a JSON object`, KEY_FILE_HINT);
  }
  return value as Record<string, unknown>;
}

function checkType(type: unknown, source: string): void {
  if (type === 'service_account') return;
  if (type === undefined) {
    throw new UsageError(`${source} has no "type" field`, KEY_FILE_HINT);
  }
  // `gcloud auth application-default login` writes "authorized_user" files; FCM needs an account.
  const shown = typeof type === 'string' ? `"${type.slice(0, 40)}"` : `a ${typeof type}`;
  throw new UsageError(
    `${source} has "type" ${shown}, not "service_account"`,
    'FCM HTTP v1 needs a service-account key, not user credentials; ' + KEY_FILE_HINT,
  );
}

function requireString(fields: Record<string, unknown>, name: string, source: string): string {
  const value = optionalString(fields, name, source);
  if (value === undefined || value.trim() === '') {
    throw new UsageError(`${source} has no "${name}" field`, KEY_FILE_HINT);
  }
  return value;
}

function optionalString(
  fields: Record<string, unknown>,
  name: string,
  source: string,
): string | undefined {
  const value = fields[name];
  if (value === undefined || value === null) return undefined;
  if (typeof value !== 'string') {
    throw new UsageError(`${source} has a "${name}" field that is not a string`, KEY_FILE_HINT);
  }
  return value;
}

function loadPrivateKey(value: unknown, source: string): KeyObject {
  if (value === undefined || value === null || value === '') {
    throw new UsageError(`${source} has no "private_key" field`, KEY_FILE_HINT);
  }
  // Node's own reasons are left out on purpose: say what is wrong without going near the text.
  const bad = new UsageError(
    `${source} has a "private_key" that is not a PEM RSA private key`,
    KEY_FILE_HINT,
  );
  if (typeof value !== 'string') throw bad;
  // Node asks for no passphrase here; it just fails with an OpenSSL code that says little.
  if (/-----BEGIN ENCRYPTED PRIVATE KEY-----|Proc-Type: 4,ENCRYPTED/.test(value)) {
    throw new UsageError(
      `${source} has an encrypted "private_key"; gcmpush needs it unencrypted`,
      KEY_FILE_HINT,
    );
  }
  let key: KeyObject;
  try {
    key = createPrivateKey({ key: value, format: 'pem' });
  } catch {
    throw bad;
  }
  if (key.asymmetricKeyType !== 'rsa') throw bad;
  return key;
}

/** Plain HTTP would carry the signed JWT in the clear, so it is only allowed to this machine. */
function checkTokenUri(value: string | undefined, source: string): string {
  if (value === undefined || value === '') return DEFAULT_TOKEN_URI;
  const bad = (why: string) =>
    new UsageError(`${source} has a "token_uri" that ${why}`, KEY_FILE_HINT);
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw bad('is not a URL');
  }
  if (url.protocol === 'https:') return value;
  const loopback = ['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname);
  if (url.protocol === 'http:' && loopback) return value;
  throw bad('is not an https:// URL (plain http is allowed only to 127.0.0.1 or localhost)');
}
