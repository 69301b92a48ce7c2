/**
 * The access-token cache file. It is only a cache: a file that cannot be read or parsed is
 * replaced, and a folder that cannot be written leaves the tokens in memory for the run.
 * Access tokens are secrets, so the folder is 0700 and the file 0600, written atomically.
 */
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { homedir } from 'node:os';
import path from 'node:path';

/** An access token and when it stops being used, both in ms since the epoch. */
export interface CachedToken {
  token: string;
  expiresAt: number;
  /** From this time on a new token is fetched instead. */
  refreshAt: number;
}

const CACHE_FILE = 'tokens.json';

/** Tokens read back from the file are refreshed this long before they expire. */
const FILE_MARGIN_MS = 60_000;

/**
 * The cache folder: GCMPUSH_CACHE_DIR, else the platform's cache folder for `gcmpush` with no
 * suffix, by env-paths' rules (the config folder follows the same rules, see `configDir`).
 */
export function cacheDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
): string {
  if (env.GCMPUSH_CACHE_DIR) return path.resolve(env.GCMPUSH_CACHE_DIR);
  const home = homedir();
  if (platform === 'darwin') return path.join(home, 'Library', 'Caches', 'gcmpush');
  if (platform === 'win32') {
    const localAppData = env.LOCALAPPDATA || path.join(home, 'AppData', 'Local');
    return path.join(localAppData, 'gcmpush', 'Cache');
  }
  return path.join(env.XDG_CACHE_HOME || path.join(home, '.cache'), 'gcmpush');
}

type Entries = Record<string, { access_token: string; expires_at: number }>;

/** One cache file holding a token per key (account, token endpoint and scope). */
export class TokenCache {
  readonly file: string;
  private writable = true;
  /** Changes run one after another, so two in one process never lose each other's entry. */
  private queue: Promise<void> = Promise.resolve();

  constructor(
    readonly dir: string,
    private readonly now: () => number,
    private readonly onWarning?: (message: string) => void,
  ) {
    this.file = path.join(dir, CACHE_FILE);
  }

  /** The token stored under `key`, or undefined when there is none or the file is unreadable. */
  async read(key: string): Promise<CachedToken | undefined> {
    const entry = (await this.readEntries())[key];
    if (entry === undefined) return undefined;
    return {
      token: entry.access_token,
      expiresAt: entry.expires_at,
      refreshAt: entry.expires_at - FILE_MARGIN_MS,
    };
  }

  write(key: string, token: CachedToken): Promise<void> {
    return this.change((entries) => {
      entries[key] = { access_token: token.token, expires_at: token.expiresAt };
    });
  }

  /** Deletes `key`'s entry if it still holds `token`; a newer one is left alone. */
  remove(key: string, token: string): Promise<void> {
    return this.change((entries) => {
      if (entries[key]?.access_token === token) delete entries[key];
    });
  }

  private change(edit: (entries: Entries) => void): Promise<void> {
    this.queue = this.queue.then(() => this.rewrite(edit));
    return this.queue;
  }

  private async rewrite(edit: (entries: Entries) => void): Promise<void> {
    if (!this.writable) return;
    const entries = await this.readEntries();
    edit(entries);
    const now = this.now();
    for (const [key, entry] of Object.entries(entries)) {
      if (entry.expires_at <= now) delete entries[key];
    }
    try {
      await mkdir(this.dir, { recursive: true, mode: 0o700 });
      await writeAtomically(this.file, `${JSON.stringify({ tokens: entries }, null, 2)}\n`);
    } catch (error) {
      this.writable = false;
      const reason = (error as NodeJS.ErrnoException).code ?? (error as Error).message;
      this.onWarning?.(
        `cannot write the token cache in ${this.dir} (${reason}); ` +
          'the access token is kept in memory for this run only',
      );
    }
  }

  private async readEntries(): Promise<Entries> {
    let data: unknown;
    try {
      data = JSON.parse(await readFile(this.file, 'utf8'));
    } catch {
      return {};
    }
    const tokens = (data as { tokens?: unknown } | null)?.tokens;
    if (typeof tokens !== 'object' || tokens === null) return {};
    const entries: Entries = {};
    for (const [key, entry] of Object.entries(tokens as Record<string, unknown>)) {
      if (isEntry(entry)) entries[key] = entry;
    }
    return entries;
  }
}

function isEntry(value: unknown): value is Entries[string] {
  const entry = value as { access_token?: unknown; expires_at?: unknown } | null;
  return (
    typeof entry?.access_token === 'string' &&
    entry.access_token !== '' &&
    typeof entry.expires_at === 'number' &&
    Number.isFinite(entry.expires_at)
  );
}

/** A temp file in the same folder, created 0600, then renamed over the old one. */
async function writeAtomically(file: string, text: string): Promise<void> {
  const temp = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temp, text, { mode: 0o600, flag: 'wx' });
    await rename(temp, file);
  } catch (error) {
    await unlink(temp).catch(() => {});
    throw error;
  }
}
