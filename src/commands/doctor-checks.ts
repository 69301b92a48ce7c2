/**
 * doctor's local checks: the config file, the credentials, the protocol a send would choose,
 * and the folders a send writes to. Each reads, never writes, and returns one `CheckResult`.
 */
import { accessSync, constants, existsSync, statSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from '../auth/access-token.js';
import type { ConfigStore } from '../config/store.js';
import { GcmpushError } from '../errors.js';
import { historyEnabled } from '../history/log.js';
import { dataDir } from '../history/paths.js';
import { maskSecret } from '../output/mask.js';
import { DEFAULT_V1_ORIGIN, resolveV1Endpoint } from '../protocols/fcm-v1.js';
import { CREDENTIALS_ENV, resolveServiceAccount } from './account.js';
import type { CheckResult, CheckStatus } from './doctor.js';
import { API_KEY_ENV, resolveApiKey } from './key.js';
import type { SendFlags } from './send-input.js';
import { parseEndpoint } from './send-input.js';
import type { SendRoute } from './send-route.js';
import { chooseRoute } from './send-route.js';

/** A result; the hint is left out of the object when there is none, as in the JSON. */
export function result(
  name: string,
  status: CheckStatus,
  detail: string,
  hint?: string,
): CheckResult {
  return hint === undefined ? { name, status, detail } : { name, status, detail, hint };
}

/** Mode bits that let anyone but the owner in. */
const OTHERS = 0o077;

const octal = (mode: number) => (mode & 0o777).toString(8).padStart(4, '0');

/**
 * The config file: absent is a warning, unreadable or not a JSON object a failure (named, and
 * left as it is). A file open to others fails when it holds a key or an account, since then
 * anyone on the machine can send as you; with only names in it, it is a warning.
 */
export function checkConfig(store: ConfigStore, platform: NodeJS.Platform): CheckResult {
  const name = 'config';
  let fileMode: number;
  let holdsSecret: boolean;
  try {
    fileMode = statSync(store.file).mode;
    const data = store.read();
    holdsSecret = data.api_key !== undefined || data.service_account !== undefined;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      return result(name, 'warn', `no config yet (${store.file})`);
    }
    if (!(error instanceof GcmpushError)) throw error;
    return result(name, 'fail', error.message, error.hint);
  }
  // LIMITATION: on Windows the mode bits say nothing about who may read a file (ACLs do).
  if (platform === 'win32') return result(name, 'ok', `${store.file} (modes not checked)`);
  return checkModes(store, { fileMode, dirMode: statSync(store.dir).mode, holdsSecret });
}

function checkModes(
  store: ConfigStore,
  { fileMode, dirMode, holdsSecret }: { fileMode: number; dirMode: number; holdsSecret: boolean },
): CheckResult {
  let status: CheckStatus = 'ok';
  const problems: string[] = [];
  const fixes: string[] = [];
  if ((fileMode & OTHERS) !== 0) {
    status = holdsSecret ? 'fail' : 'warn';
    const what = holdsSecret ? 'holds credentials and ' : '';
    problems.push(`${store.file} ${what}is mode ${octal(fileMode)}, open to other users`);
    fixes.push(`chmod 600 ${store.file}`);
  }
  if ((dirMode & OTHERS) !== 0) {
    status = status === 'ok' ? 'warn' : status;
    problems.push(`its folder is mode ${octal(dirMode)}, not 0700`);
    fixes.push(`chmod 700 ${store.dir}`);
  }
  if (problems.length > 0) {
    return result('config', status, problems.join('; '), fixes.join(' && '));
  }
  const modes = `mode ${octal(fileMode)}, folder ${octal(dirMode)}`;
  return result('config', 'ok', `${store.file}, ${modes}`);
}

/** The API key (masked) and the service account (email and project), each with its source. */
export function checkCredentials(store: ConfigStore, env: NodeJS.ProcessEnv): CheckResult {
  const name = 'credentials';
  const found: string[] = [];
  try {
    const key = resolveApiKey(store, env);
    if (key !== undefined) {
      const from = key.source === 'env' ? API_KEY_ENV : store.file;
      found.push(`API key ${maskSecret(key.key)} from ${from}`);
    }
    const account = resolveServiceAccount(store, env);
    if (account !== undefined) {
      const { clientEmail, projectId } = account.account;
      const from = account.source === 'env' ? `${CREDENTIALS_ENV}=${account.location}` : store.file;
      found.push(`service account ${clientEmail} (project ${projectId}) from ${from}`);
    }
  } catch (error) {
    if (!(error instanceof GcmpushError)) throw error;
    return result(name, 'fail', [...found, error.message].join('; '), error.hint);
  }
  if (found.length > 0) return result(name, 'ok', found.join('; '));
  // chooseRoute's words, so the protocol line, failing for the same reason, shares the hint.
  const hint =
    `for FCM v1 run \`gcmpush account set FILE\` (or set ${CREDENTIALS_ENV}); ` +
    'for legacy run `gcmpush key set`';
  return result(name, 'fail', 'no API key or service account is set', hint);
}

/** The protocol check, and the URL the network checks aim at (none when it cannot be told). */
export interface RouteInspection {
  result: CheckResult;
  protocol?: SendRoute['protocol'];
  target?: URL;
}

/**
 * Which protocol a send with these flags would use, why, and its URL: chooseRoute itself
 * decides, so doctor cannot disagree with send. When it refuses, the endpoint is still
 * checked if one can be told from the flags and environment.
 */
export function inspectRoute(
  flags: SendFlags,
  env: NodeJS.ProcessEnv,
  store: ConfigStore,
): RouteInspection {
  const name = 'protocol';
  let route: SendRoute;
  let url: string;
  try {
    route = chooseRoute(flags, env, store);
    url =
      route.protocol === 'legacy'
        ? route.endpoint
        : resolveV1Endpoint(route.endpoint, route.projectId);
  } catch (error) {
    if (!(error instanceof GcmpushError)) throw error;
    return {
      result: result(name, 'fail', error.message, error.hint),
      target: guessTarget(flags, env),
    };
  }
  const detail = `${route.protocol} to ${url} (${explainRoute(route, flags, env, store)})`;
  const target = new URL(url);
  if (route.protocol === 'legacy' && isGoogleLegacyHost(target)) {
    const hint = 'use FCM v1: `gcmpush account set FILE`, then --protocol v1 or `gcmpush key rm`';
    const shutDown = `${detail}; Google shut the legacy API down in 2024, sends there get 404`;
    return { result: result(name, 'warn', shutDown, hint), protocol: 'legacy', target };
  }
  return { result: result(name, 'ok', detail), protocol: route.protocol, target };
}

function explainRoute(
  route: SendRoute,
  flags: SendFlags,
  env: NodeJS.ProcessEnv,
  store: ConfigStore,
): string {
  if (flags.protocol !== undefined) return 'chosen by --protocol';
  if (route.protocol === 'v1') return 'a service account is set and no API key';
  return hasAccount(store, env)
    ? 'an API key is set and wins over the service account; pass --protocol v1 to use that'
    : 'an API key is set';
}

function hasAccount(store: ConfigStore, env: NodeJS.ProcessEnv): boolean {
  try {
    return resolveServiceAccount(store, env) !== undefined;
  } catch {
    // A broken account is the credentials check's to report.
    return false;
  }
}

/** The host the send would reach, from --endpoint or GCMPUSH_ENDPOINT, else Google's. */
function guessTarget(flags: SendFlags, env: NodeJS.ProcessEnv): URL | undefined {
  const endpoint = flags.endpoint ?? env.GCMPUSH_ENDPOINT;
  try {
    return parseEndpoint(endpoint ?? DEFAULT_V1_ORIGIN);
  } catch {
    return undefined;
  }
}

function isGoogleLegacyHost(url: URL): boolean {
  const hosts = ['fcm.googleapis.com', 'gcm-http.googleapis.com', 'android.googleapis.com'];
  return url.protocol === 'https:' && hosts.includes(url.hostname);
}

/** The token cache folder: without it each run asks for a new access token. */
export function checkCache(env: NodeJS.ProcessEnv): CheckResult {
  return checkFolder('cache', cacheDir(env), {
    consequence: 'access tokens would not be cached between runs',
    hint: 'set GCMPUSH_CACHE_DIR to a folder you can write',
  });
}

/** The history folder, unless recording is off. */
export function checkHistory(env: NodeJS.ProcessEnv): CheckResult {
  if (!historyEnabled(env)) return result('history', 'ok', 'recording is off (GCMPUSH_NO_HISTORY)');
  return checkFolder('history', dataDir(env), {
    consequence: 'sends would not be recorded',
    hint: 'set GCMPUSH_DATA_DIR to a folder you can write, or GCMPUSH_NO_HISTORY=1',
  });
}

/**
 * Whether `dir` can be written, or created where it does not exist yet: judged on the nearest
 * folder that exists, without creating anything.
 */
function checkFolder(
  name: string,
  dir: string,
  text: { consequence: string; hint: string },
): CheckResult {
  let existing = dir;
  while (!existsSync(existing) && path.dirname(existing) !== existing) {
    existing = path.dirname(existing);
  }
  const problem = describeUnwritable(existing);
  if (problem !== undefined) {
    const where = existing === dir ? dir : `${dir} cannot be created: ${existing}`;
    return result(name, 'warn', `${where} ${problem}; ${text.consequence}`, text.hint);
  }
  return result(
    name,
    'ok',
    existing === dir ? `${dir} is writable` : `${dir} (created on first use)`,
  );
}

function describeUnwritable(dir: string): string | undefined {
  try {
    if (!statSync(dir).isDirectory()) return 'is not a folder';
    accessSync(dir, constants.W_OK | constants.X_OK);
    return undefined;
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    return code === 'EACCES' || code === 'EPERM' ? 'is not writable' : `cannot be read (${code})`;
  }
}
