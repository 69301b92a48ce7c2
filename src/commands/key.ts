/** `gcmpush key set|show|rm`: the server API key. */
import type { ConfigStore } from '../config/store.js';
import { UsageError } from '../errors.js';
import { hasControlCharacters, readFirstLine } from '../input.js';
import { maskSecret } from '../output/mask.js';
import type { Io } from '../output/streams.js';

export const API_KEY_ENV = 'GCMPUSH_API_KEY';

const SET_HINT = 'store one with `gcmpush key set` (it reads the key from standard input)';

/** The key a send uses: GCMPUSH_API_KEY wins over the stored one, so CI secrets need no file. */
export function resolveApiKey(
  store: ConfigStore,
  env: NodeJS.ProcessEnv,
): { key: string; source: 'env' | 'config' } | undefined {
  const fromEnv = env[API_KEY_ENV];
  if (fromEnv !== undefined && fromEnv !== '') return { key: fromEnv, source: 'env' };
  const stored = store.apiKey();
  return stored === undefined ? undefined : { key: stored, source: 'config' };
}

export async function runKeySet(key: string | undefined, store: ConfigStore, io: Io) {
  if (key === undefined) {
    if ((io.stdin as { isTTY?: boolean }).isTTY)
      io.err('Paste the server API key and press Enter: ');
    key = (await readFirstLine(io.stdin)).trim();
  }
  if (key === '') throw new UsageError('the API key is empty', 'pass the key, or pipe it in');
  if (hasControlCharacters(key) || /\s/.test(key)) {
    throw new UsageError(
      'the API key contains spaces or control characters',
      'check what you pasted',
    );
  }
  const value = key;
  await store.update((data) => {
    data.api_key = value;
  });
  io.err(`Stored the API key ${maskSecret(value)} in ${store.file}\n`);
  if (io.env[API_KEY_ENV]) {
    io.err(`note: ${API_KEY_ENV} is set and is used instead of the stored key\n`);
  }
}

export function runKeyShow(store: ConfigStore, io: Io) {
  const stored = store.apiKey();
  const resolved = resolveApiKey(store, io.env);
  if (resolved === undefined) throw new UsageError('no API key is set', SET_HINT);
  if (resolved.source === 'env') {
    const shadow = stored === undefined ? '' : ', overriding the stored key';
    io.out(`${maskSecret(resolved.key)} (from ${API_KEY_ENV}${shadow})\n`);
  } else {
    io.out(`${maskSecret(resolved.key)} (stored in ${store.file})\n`);
  }
}

export async function runKeyRemove(store: ConfigStore, io: Io) {
  if (store.apiKey() === undefined) throw new UsageError(`no API key is stored in ${store.file}`);
  await store.update((data) => {
    delete data.api_key;
  });
  io.err('Removed the stored API key\n');
  if (io.env[API_KEY_ENV]) io.err(`note: ${API_KEY_ENV} is still set in this environment\n`);
}
