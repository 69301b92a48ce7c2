// What the benchmark sends and with what: ID files of realistic registration tokens, a
// service-account file whose token_uri is the canned server's /token, and private config,
// cache and history folders, all in one temp folder removed at the end.
import { generateKeyPairSync } from 'node:crypto';
import { createWriteStream, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { once } from 'node:events';

export const DATA = { kind: 'bench', build: '412' };
export const API_KEY = 'bench-key';
const TOKEN_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_';

/** A token shaped like FCM's: an 11-character prefix, `:APA91b`, then 134 more characters. */
function createToken(random) {
  let text = '';
  for (let index = 0; index < 145; index++) text += TOKEN_ALPHABET[random() & 63];
  return `${text.slice(0, 11)}:APA91b${text.slice(11)}`;
}

/** A small deterministic generator, so every run sends the same IDs. */
function createRandom(seed) {
  let state = seed >>> 0;
  return () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
}

/** Writes `count` distinct tokens, one a line, streaming so a million never sit in memory. */
export async function writeIdFile(file, count, seed = 1) {
  const random = createRandom(seed);
  const out = createWriteStream(file);
  let chunk = '';
  for (let index = 0; index < count; index++) {
    chunk += `${createToken(random)}\n`;
    if (chunk.length > 1 << 20) {
      if (!out.write(chunk)) await once(out, 'drain');
      chunk = '';
    }
  }
  out.end(chunk);
  await once(out, 'finish');
  return file;
}

/** The temp folder and the environments the CLI runs in; `cleanUp` removes it all. */
export function createWorkspace() {
  const root = mkdtempSync(path.join(tmpdir(), 'gcmpush-bench-'));
  const dirs = {};
  for (const name of ['config', 'cache', 'data']) {
    dirs[name] = path.join(root, name);
    mkdirSync(dirs[name], { mode: 0o700 });
  }
  // Nothing from the caller's own gcmpush setup may leak in.
  const clean = Object.fromEntries(
    Object.entries(process.env).filter(
      ([name]) => !name.startsWith('GCMPUSH_') && name !== 'GOOGLE_APPLICATION_CREDENTIALS',
    ),
  );
  const base = {
    ...clean,
    GCMPUSH_CONFIG_DIR: dirs.config,
    GCMPUSH_CACHE_DIR: dirs.cache,
    GCMPUSH_DATA_DIR: dirs.data,
    NO_COLOR: '1',
    BENCH_DATA: JSON.stringify(DATA),
  };
  return {
    root,
    file: (name) => path.join(root, name),
    base,
    cleanUp: () => rmSync(root, { recursive: true, force: true }),
  };
}

/** A config with 20 stored names, as `ids list` reads it. */
export function writeConfig(workspace) {
  const ids = Object.fromEntries(
    Array.from({ length: 20 }, (_, index) => [
      `device${index}`,
      `token${index}:${'x'.repeat(150)}`,
    ]),
  );
  writeFileSync(
    path.join(workspace.base.GCMPUSH_CONFIG_DIR, 'config.json'),
    JSON.stringify({ ids }),
    {
      mode: 0o600,
    },
  );
}

/** A service-account file trusted by nobody but the canned server, which trusts anyone. */
export function writeServiceAccount(workspace, tokenUri) {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const account = {
    type: 'service_account',
    project_id: 'bench-project',
    private_key_id: 'bench',
    private_key: privateKey.export({ type: 'pkcs8', format: 'pem' }),
    client_email: 'bench@bench-project.iam.gserviceaccount.com',
    token_uri: tokenUri,
  };
  const file = workspace.file('service-account.json');
  writeFileSync(file, JSON.stringify(account), { mode: 0o600 });
  return file;
}

/** An emulator devices file registering every ID of `ids` as a device that accepts. */
export function writeDevices(workspace, ids) {
  const file = workspace.file('devices.json');
  writeFileSync(file, JSON.stringify(ids.map((id) => ({ registration_id: id }))));
  return file;
}
