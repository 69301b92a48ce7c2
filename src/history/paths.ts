/**
 * Where the send history lives: the user data folder, not the config folder, because it is
 * written by every send and may be deleted at any time without losing settings.
 */
import { homedir } from 'node:os';
import path from 'node:path';

/** The current log; at the size bound it becomes `ROTATED_FILE` and a new one starts. */
export const HISTORY_FILE = 'history.jsonl';
export const ROTATED_FILE = 'history.1.jsonl';

/**
 * The data folder: GCMPUSH_DATA_DIR, else env-paths' data folder for `gcmpush` with no suffix:
 * `$XDG_DATA_HOME/gcmpush` or `~/.local/share/gcmpush` on Linux and other Unixes,
 * `~/Library/Application Support/gcmpush` on macOS, `%LOCALAPPDATA%\gcmpush\Data` on Windows.
 * An empty variable counts as unset, as env-paths and the XDG spec have it.
 */
export function dataDir(
  env: NodeJS.ProcessEnv = process.env,
  platform: NodeJS.Platform = process.platform,
  home: string = homedir(),
): string {
  if (env.GCMPUSH_DATA_DIR) return path.resolve(env.GCMPUSH_DATA_DIR);
  if (platform === 'win32') {
    const local = env.LOCALAPPDATA || path.win32.join(home, 'AppData', 'Local');
    return path.win32.join(local, 'gcmpush', 'Data');
  }
  if (platform === 'darwin') {
    return path.posix.join(home, 'Library', 'Application Support', 'gcmpush');
  }
  return path.posix.join(env.XDG_DATA_HOME || path.posix.join(home, '.local', 'share'), 'gcmpush');
}

/** The two log files, oldest first: the rotated one, then the current one. */
export function historyFiles(dir: string): { rotated: string; current: string } {
  return { rotated: path.join(dir, ROTATED_FILE), current: path.join(dir, HISTORY_FILE) };
}
