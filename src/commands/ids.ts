/** `gcmpush ids add|list|rm|rename`: named registration IDs. */
import type { ConfigStore } from '../config/store.js';
import { UsageError } from '../errors.js';
import { hasControlCharacters } from '../input.js';
import { shortenId } from '../output/mask.js';
import type { Io } from '../output/streams.js';
import { formatTable } from '../output/table.js';

const NAME_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const MAX_ID_LENGTH = 4096;

export function checkName(name: string): void {
  if (NAME_PATTERN.test(name)) return;
  throw new UsageError(
    `invalid name ${JSON.stringify(name)}`,
    'use 1 to 64 ASCII letters, digits, ".", "_" or "-"',
  );
}

export function checkRegistrationId(id: string): void {
  if (id === '') throw new UsageError('the registration ID is empty');
  if (hasControlCharacters(id) || /\s/.test(id)) {
    throw new UsageError('the registration ID contains spaces or control characters');
  }
  if (id.length > MAX_ID_LENGTH) {
    throw new UsageError(`the registration ID is longer than ${MAX_ID_LENGTH} characters`);
  }
}

export async function runIdsAdd(
  name: string,
  id: string,
  options: { force: boolean },
  store: ConfigStore,
  io: Io,
) {
  checkName(name);
  checkRegistrationId(id);
  const previous = await store.update((data) => {
    const ids = { ...data.ids };
    const existing = ids[name];
    if (existing !== undefined && !options.force) {
      throw new UsageError(`${name} already exists`, 'pass --force to replace its registration ID');
    }
    ids[name] = id;
    data.ids = ids;
    return existing;
  });
  io.err(previous === undefined ? `Added ${name}\n` : `Replaced the registration ID of ${name}\n`);
}

/** Names of lowercase ASCII letters and digits only, the usual kind. */
const PLAIN_NAME = /^[a-z0-9]*$/;

/**
 * The stored names in the locale's order. For plain names under an English or C locale that
 * order is the order of their characters' codes, and comparing those spares loading the
 * locale's collation rules, which costs more than the rest of `ids list` together.
 */
export function sortNames<T>(
  entries: Array<[string, T]>,
  env: NodeJS.ProcessEnv,
): Array<[string, T]> {
  const locale = env.LC_ALL || env.LC_COLLATE || env.LANG || 'C';
  const english = locale === 'C' || locale === 'POSIX' || /^(C|en)([._@-]|$)/.test(locale);
  if (english && entries.every(([name]) => PLAIN_NAME.test(name))) {
    return entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  }
  return entries.sort(([a], [b]) => a.localeCompare(b));
}

export function runIdsList(options: { json: boolean }, store: ConfigStore, io: Io) {
  const entries = sortNames(Object.entries(store.ids()), io.env);
  if (options.json) {
    const list = entries.map(([name, id]) => ({ name, registration_id: id }));
    io.out(`${JSON.stringify(list, null, 2)}\n`);
    return;
  }
  if (entries.length === 0) {
    io.err('No registration IDs stored; add one with `gcmpush ids add NAME REGISTRATION_ID`\n');
    return;
  }
  // A terminal gets a shortened ID; a pipe gets the whole one, for the next command to use.
  const rows = entries.map(([name, id]) => [name, io.stdoutIsTTY ? shortenId(id, 40) : id]);
  io.out(formatTable(['NAME', 'REGISTRATION ID'], rows, { tty: io.stdoutIsTTY }));
}

export async function runIdsRemove(names: string[], store: ConfigStore, io: Io) {
  await store.update((data) => {
    const ids = { ...data.ids };
    const unknown = names.filter((name) => ids[name] === undefined);
    if (unknown.length > 0) {
      throw new UsageError(`no stored name ${unknown.join(', ')}; nothing was removed`, listHint());
    }
    for (const name of names) delete ids[name];
    data.ids = ids;
  });
  io.err(`Removed ${names.join(', ')}\n`);
}

export async function runIdsRename(
  oldName: string,
  newName: string,
  options: { force: boolean },
  store: ConfigStore,
  io: Io,
) {
  checkName(newName);
  await store.update((data) => {
    const ids = { ...data.ids };
    const id = ids[oldName];
    if (id === undefined) throw new UsageError(`no stored name ${oldName}`, listHint());
    if (ids[newName] !== undefined && oldName !== newName && !options.force) {
      throw new UsageError(`${newName} already exists`, 'pass --force to overwrite it');
    }
    delete ids[oldName];
    ids[newName] = id;
    data.ids = ids;
  });
  io.err(`Renamed ${oldName} to ${newName}\n`);
}

function listHint(): string {
  return 'see the stored names with `gcmpush ids list`';
}
