/**
 * The config file: the server API key and named registration IDs.
 *
 * Reads parse the file directly; writes go through conf, which writes atomically with mode 0600.
 * conf pulls in a JSON-schema validator that costs about 100 ms to load, and `ids list` or
 * `key show` in a shell loop should not pay that, so conf is imported only when something changes.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { homedir } from 'node:os';
import path from 'node:path';
import { ConfigError } from '../errors.js';

/** What the config file holds. Unknown keys written by newer versions are kept as they are. */
export interface ConfigData {
  api_key?: string;
  /** name -> registration ID */
  ids?: Record<string, string>;
  [other: string]: unknown;
}

const CONFIG_NAME = 'config';

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

export class ConfigStore {
  readonly dir: string;
  readonly file: string;

  constructor(dir: string) {
    this.dir = dir;
    this.file = path.join(dir, `${CONFIG_NAME}.json`);
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
   * Changes the config: `change` gets the current contents, read again just before the write so
   * a change made meanwhile by another gcmpush process is kept.
   */
  async update<T>(change: (data: ConfigData) => T): Promise<T> {
    // Read first: conf's own constructor would throw a bare SyntaxError on a broken file.
    this.read();
    const conf = await this.openConf();
    const data = this.read();
    const result = change(data);
    conf.store = data;
    return result;
  }

  private async openConf() {
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
    const { default: Conf } = await import('conf');
    return new Conf<ConfigData>({
      cwd: this.dir,
      configName: CONFIG_NAME,
      configFileMode: 0o600,
      // Names may contain dots; they are keys, not paths.
      accessPropertiesByDotNotation: false,
      clearInvalidConfig: false,
    });
  }
}

function parseConfig(text: string, file: string): ConfigData {
  if (text.trim() === '') return {};
  let data: unknown;
  try {
    data = JSON.parse(text);
  } catch (error) {
    throw new ConfigError(
      `config file ${file} is not valid JSON (${(error as Error).message}); it was left untouched`,
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
