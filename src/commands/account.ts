/** `gcmpush account set|show|rm`: the service account FCM HTTP v1 sends with. */
import type { ServiceAccount } from '../auth/service-account.js';
import {
  describeAccount,
  readServiceAccountFile,
  validateServiceAccount,
} from '../auth/service-account.js';
import type { ConfigStore } from '../config/store.js';
import { ConfigError, UsageError } from '../errors.js';
import type { Io } from '../output/streams.js';

/** Google's own variable for a key file path; its tools let it win over anything stored. */
export const CREDENTIALS_ENV = 'GOOGLE_APPLICATION_CREDENTIALS';

const SET_HINT =
  'store one with `gcmpush account set FILE`, ' + `or set ${CREDENTIALS_ENV} to its path`;

/** The account a v1 send uses and where it came from. */
export interface ResolvedAccount {
  account: ServiceAccount;
  source: 'env' | 'config';
  /** The key file named by the variable, or the config file. */
  location: string;
}

/**
 * The account a send uses: the file named by GOOGLE_APPLICATION_CREDENTIALS, else the stored
 * one, else undefined. A variable naming a file that cannot be read or used is an error, not a
 * reason to fall back silently to another account.
 */
export function resolveServiceAccount(
  store: ConfigStore,
  env: NodeJS.ProcessEnv,
): ResolvedAccount | undefined {
  const file = env[CREDENTIALS_ENV];
  if (file !== undefined && file !== '') {
    const { account } = readServiceAccountFile(file, `${CREDENTIALS_ENV} file ${file}`);
    return { account, source: 'env', location: file };
  }
  const stored = store.read().service_account;
  if (stored === undefined) return undefined;
  try {
    const account = validateServiceAccount(stored, `the service account stored in ${store.file}`);
    return { account, source: 'config', location: store.file };
  } catch (error) {
    if (!(error instanceof UsageError)) throw error;
    throw new ConfigError(error.message, 'store the key again with `gcmpush account set FILE`');
  }
}

/** Checks the key file and stores its JSON, as it is, in the 0600 config file. */
export async function runAccountSet(file: string, store: ConfigStore, io: Io) {
  const { account, json } = readServiceAccountFile(file);
  await store.update((data) => {
    data.service_account = json;
  });
  const { projectId, clientEmail } = describeAccount(account);
  io.err(`Stored the service account ${clientEmail} (project ${projectId}) in ${store.file}\n`);
  if (io.env[CREDENTIALS_ENV]) {
    io.err(`note: ${CREDENTIALS_ENV} is set and is used instead of the stored account\n`);
  }
}

/** Prints the project and the account's email; never the key. */
export function runAccountShow(store: ConfigStore, io: Io) {
  const resolved = resolveServiceAccount(store, io.env);
  if (resolved === undefined) throw new UsageError('no service account is set', SET_HINT);
  const { projectId, clientEmail } = describeAccount(resolved.account);
  if (resolved.source === 'env') {
    const shadow = hasStoredAccount(store) ? ', overriding the stored account' : '';
    const from = `from ${CREDENTIALS_ENV}=${resolved.location}${shadow}`;
    io.out(`${clientEmail} (project ${projectId}, ${from})\n`);
  } else {
    io.out(`${clientEmail} (project ${projectId}, stored in ${store.file})\n`);
  }
}

export async function runAccountRemove(store: ConfigStore, io: Io) {
  if (!hasStoredAccount(store)) {
    throw new UsageError(`no service account is stored in ${store.file}`);
  }
  await store.update((data) => {
    delete data.service_account;
  });
  io.err('Removed the stored service account\n');
  if (io.env[CREDENTIALS_ENV])
    io.err(`note: ${CREDENTIALS_ENV} is still set in this environment\n`);
}

function hasStoredAccount(store: ConfigStore): boolean {
  return store.read().service_account !== undefined;
}
