/**
 * `gcmpush emulator --service-account FILE`: reuse the key in FILE, or generate one and write
 * it there so senders can sign with it. Errors are one line and never quote the key.
 */
import { randomBytes } from 'node:crypto';
import { link, mkdir, open, readFile, unlink } from 'node:fs/promises';
import { basename, dirname, join } from 'node:path';
import {
  createServiceAccount,
  readServiceAccount,
  type ServiceAccountKey,
} from './service-account.js';

const FILE_MODE = 0o600;
const FOLDER_MODE = 0o700;

function readCode(error: unknown): string {
  const { code, message } = error as NodeJS.ErrnoException;
  return code ?? message;
}

function readAccountFile(path: string, text: string): ServiceAccountKey {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`service account file ${path} is not valid JSON`);
  }
  const account = readServiceAccount(value);
  if (!account.ok) throw new Error(`service account file ${path}: ${account.error}`);
  return account.value;
}

/** The file's text, or `undefined` when there is no such file. */
async function readIfPresent(path: string): Promise<string | undefined> {
  try {
    return await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new Error(`cannot read service account file ${path}: ${readCode(error)}`);
  }
}

/** Writes the whole key to a private temporary file beside `path`, mode 0600 from the start. */
async function writeTemporary(path: string, account: ServiceAccountKey): Promise<string> {
  const suffix = `${process.pid}.${randomBytes(6).toString('hex')}.tmp`;
  const temporary = join(dirname(path), `.${basename(path)}.${suffix}`);
  const handle = await open(temporary, 'wx', FILE_MODE);
  try {
    // The umask can only clear bits, but say 0600 outright rather than rely on that.
    await handle.chmod(FILE_MODE);
    await handle.writeFile(`${JSON.stringify(account, null, 2)}\n`);
  } finally {
    await handle.close();
  }
  return temporary;
}

// LIMITATION: a file system without hard links (some network or FUSE mounts) cannot take a
// new key; the error names the path, and a key file made elsewhere can be given instead.
/**
 * Publishes a new key at `path`. A hard link never replaces an existing file, so when two
 * emulators race, one key wins whole, and the loser reads and returns the winner's key.
 */
async function createAccountFile(path: string, tokenUri: string): Promise<ServiceAccountKey> {
  const account = createServiceAccount({ tokenUri });
  let temporary: string | undefined;
  try {
    await mkdir(dirname(path), { recursive: true, mode: FOLDER_MODE });
    temporary = await writeTemporary(path, account);
    await link(temporary, path);
    return account;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') {
      throw new Error(`cannot create service account file ${path}: ${readCode(error)}`);
    }
    return readAccountFile(path, (await readIfPresent(path)) ?? '');
  } finally {
    if (temporary !== undefined) await unlink(temporary).catch(() => undefined);
  }
}

/**
 * Reads and checks the service-account key in `path`, or, when there is no such file, generates
 * one whose `token_uri` is `tokenUri` and writes it with mode 0600 (folders 0700). An existing
 * file is never changed, even when its `token_uri` names an older port; the emulator accepts
 * that URL as a JWT audience too. Throws an Error with a one-line message.
 */
export async function loadOrCreateServiceAccountFile(
  path: string,
  tokenUri: string,
): Promise<ServiceAccountKey> {
  const text = await readIfPresent(path);
  if (text === undefined) return createAccountFile(path, tokenUri);
  return readAccountFile(path, text);
}
