/**
 * The config file: the server API key and named registration IDs.
 *
 * Reads parse the file directly and take no lock: conf replaces the file by an atomic rename, so
 * a reader sees the old file or the new one, never half of one. Every change goes through
 * update(), which holds a lock on the file while it reads, changes and writes, so gcmpush
 * processes that change the config at once each keep the others' changes.
 *
 * conf pulls in a JSON-schema validator that costs about 100 ms to load, and `ids list` or
 * `key show` in a shell loop should not pay that, so conf and the lock library are imported only
 * when something changes.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { findJsonError } from '../engine/json-error.js';
import { ConfigError } from '../errors.js';

/** What the config file holds. Unknown keys written by newer versions are kept as they are. */
export interface ConfigData {
  api_key?: string;
  /** name -> registration ID */
  ids?: Record<string, string>;
  service_account?: unknown;
  [other: string]: unknown;
}

const CONFIG_NAME = 'config';

/**
 * A lock whose folder has not been touched for this long belongs to a process that died; the
 * holder touches it every half period (proper-lockfile's `update`) for as long as it lives.
 */
const STALE_MS = 10_000;
/** Longer than the stale period, so a waiter outlasts the lock of a process that crashed. */
const DEFAULT_WAIT_MS = 12_000;
const FIRST_RETRY_MS = 20;
const LONGEST_RETRY_MS = 400;

/** How update() waits for a lock that another process holds; tests shorten or fake it. */
export interface LockWait {
  /** How long to keep trying, in milliseconds; default 12 000. */
  limitMs: number;
  /** The clock, in milliseconds; default Date.now. */
  now: () => number;
  /** Waits the given number of milliseconds. */
  sleep: (ms: number) => Promise<void>;
}

/** A lock this process holds; `lost` is set if the library finds it was taken over. */
interface HeldLock {
  release: () => Promise<void>;
  lost?: Error;
}

/**
 * The config folder: GCMPUSH_CONFIG_DIR, else conf's default for the project name `gcmpush`
 * with no `-nodejs` suffix (the same rules as env-paths, which conf uses).
 */
export function configDir(env: NodeJS.ProcessEnv = process.env): string {
  if (env.GCMPUSH_CONFIG_DIR) return path.resolve(env.GCMPUSH_CONFIG_DIR);
  const home = homedir();
  if (process.platform === 'darwin') return path.join(home, 'Library', 'Preferences', 'gcmpush');
  if (process.platform === 'win32') {
    const appData = env.APPDATA ?? path.join(home, 'AppData', 'Roaming');
    return path.join(appData, 'gcmpush', 'Config');
  }
  return path.join(env.XDG_CONFIG_HOME ?? path.join(home, '.config'), 'gcmpush');
}

/** The config file in one folder; see the module comment for how reads and writes share it. */
export class ConfigStore {
  readonly dir: string;
  readonly file: string;
  /** The folder whose existence means "locked" (proper-lockfile uses mkdir, atomic everywhere). */
  readonly lockPath: string;
  private readonly lockWait: LockWait;

  constructor(dir: string, lockWait: Partial<LockWait> = {}) {
    this.dir = dir;
    this.file = path.join(dir, `${CONFIG_NAME}.json`);
    this.lockPath = `${this.file}.lock`;
    this.lockWait = {
      limitMs: DEFAULT_WAIT_MS,
      now: Date.now,
      sleep: (ms) => new Promise((resolve) => setTimeout(resolve, ms)),
      ...lockWait,
    };
  }

  /** The whole file; an absent file is an empty config, an unreadable one is an error. */
  read(): ConfigData {
    return parseConfig(this.readText(), this.file);
  }

  private readText(): string {
    try {
      return readFileSync(this.file, 'utf8');
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return '';
      throw new ConfigError(
        `cannot read config file ${this.file}: ${(error as Error).message}`,
        'check the file permissions, or point GCMPUSH_CONFIG_DIR at another folder',
        error,
      );
    }
  }

  apiKey(): string | undefined {
    const key = this.read().api_key;
    return typeof key === 'string' && key !== '' ? key : undefined;
  }

  ids(): Record<string, string> {
    return readIds(this.read(), this.file);
  }

  /**
   * Changes the config: `change` gets the current contents, read under the lock, so a change
   * that another gcmpush process made meanwhile is kept. If `change` throws, nothing is written.
   */
  async update<T>(change: (data: ConfigData) => T): Promise<T> {
    this.createDir();
    const [{ default: Conf }, { default: lockfile }] = await Promise.all([
      import('conf'),
      import('proper-lockfile'),
    ]);
    const lock = await this.acquireLock(lockfile);
    // From here to release() nothing awaits, so the lock cannot go stale in between.
    let result: T;
    try {
      const data = this.read();
      result = change(data);
      if (lock.lost) throw lockLostError(this.lockPath, lock.lost);
      // conf's constructor reads the file too, which is why it comes after read() has vetted it.
      new Conf<ConfigData>({
        cwd: this.dir,
        configName: CONFIG_NAME,
        configFileMode: 0o600,
        // Names may contain dots; they are keys, not paths.
        accessPropertiesByDotNotation: false,
        clearInvalidConfig: false,
      }).store = data;
    } catch (error) {
      // The first error is the one to report; a lock left behind goes stale and is taken over.
      await lock.release().catch(() => undefined);
      throw error;
    }
    await lock.release().catch((error: Error) => {
      throw lockLostError(this.lockPath, lock.lost ?? error);
    });
    return result;
  }

  private createDir() {
    // The folder may hold the key: keep it private to the user.
    try {
      mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    } catch (error) {
      throw new ConfigError(
        `cannot create config folder ${this.dir}: ${(error as Error).message}`,
        'set GCMPUSH_CONFIG_DIR to a folder you can write',
        error,
      );
    }
  }

  /** Tries for the lock with doubling pauses until the wait limit; a stale lock is taken over. */
  private async acquireLock(lockfile: typeof import('proper-lockfile')): Promise<HeldLock> {
    const { limitMs, now, sleep } = this.lockWait;
    const deadline = now() + limitMs;
    const held: HeldLock = { release: async () => undefined };
    for (let pause = FIRST_RETRY_MS; ; pause = Math.min(pause * 2, LONGEST_RETRY_MS)) {
      try {
        held.release = await lockfile.lock(this.file, {
          lockfilePath: this.lockPath,
          // The file may not exist yet, and realpath would fail on it.
          realpath: false,
          stale: STALE_MS,
          // The library's default throws from a timer, which would crash the process.
          onCompromised: (error) => (held.lost = error),
        });
        return held;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code !== 'ELOCKED') throw lockFailedError(this, error);
        const left = deadline - now();
        if (left <= 0) throw lockBusyError(this.lockPath, limitMs);
        await sleep(Math.min(pause, left));
      }
    }
  }
}

function lockBusyError(lockPath: string, limitMs: number): ConfigError {
  return new ConfigError(
    `the config file is locked: ${lockPath} was still there after ${limitMs / 1000} s`,
    `another gcmpush is writing the config; if none is running, remove ${lockPath}`,
  );
}

function lockFailedError(store: ConfigStore, error: unknown): ConfigError {
  return new ConfigError(
    `cannot lock config file ${store.file}: ${(error as Error).message}`,
    `check that you can write the folder ${store.dir}, or point GCMPUSH_CONFIG_DIR elsewhere`,
    error,
  );
}

function lockLostError(lockPath: string, error: Error): ConfigError {
  return new ConfigError(
    `lost the lock ${lockPath} while changing the config (${error.message})`,
    'another process may have changed it at the same time; check it, then run the command again',
    error,
  );
}

function parseConfig(text: string, file: string): ConfigData {
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch {
    // Only the place, never JSON.parse's own message: it quotes the text around the error,
    // and in this file that text may be the API key or a private key.
    const place = findJsonError(text);
    const where = place === undefined ? '' : ` (line ${place.line}, column ${place.column})`;
    throw new ConfigError(
      `config file ${file} is not valid JSON${where}; it was left untouched`,
      'fix or remove the file by hand, then run the command again',
    );
  }
  if (typeof data !== 'object' || data === null || Array.isArray(data)) {
    throw new ConfigError(
      `config file ${file} does not hold a JSON object; it was left untouched`,
      'fix or remove the file by hand, then run the command again',
    );
  }
  return data as ConfigData;
}

function readIds(data: ConfigData, file: string): Record<string, string> {
  const ids = data.ids ?? {};
  if (typeof ids !== 'object' || ids === null || Array.isArray(ids)) {
    throw new ConfigError(`config file ${file} has an "ids" entry that is not an object`);
  }
  const result: Record<string, string> = {};
  for (const [name, value] of Object.entries(ids)) {
    if (typeof value === 'string') result[name] = value;
  }
  return result;
}

/** The store for this process: GCMPUSH_CONFIG_DIR or the platform's config folder. */
export function openStore(env: NodeJS.ProcessEnv = process.env): ConfigStore {
  return new ConfigStore(configDir(env));
}
