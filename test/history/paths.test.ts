import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { dataDir, historyFiles } from '../../src/history/paths.js';

const HOME = '/home/ada';

describe('dataDir', () => {
  const cases: Array<[string, NodeJS.Platform, NodeJS.ProcessEnv, string]> = [
    ['Linux with XDG_DATA_HOME', 'linux', { XDG_DATA_HOME: '/xdg/data' }, '/xdg/data/gcmpush'],
    ['Linux without it', 'linux', {}, '/home/ada/.local/share/gcmpush'],
    ['Linux with it empty', 'linux', { XDG_DATA_HOME: '' }, '/home/ada/.local/share/gcmpush'],
    ['FreeBSD like Linux', 'freebsd', {}, '/home/ada/.local/share/gcmpush'],
    [
      'macOS',
      'darwin',
      { XDG_DATA_HOME: '/ignored' },
      '/home/ada/Library/Application Support/gcmpush',
    ],
    [
      'Windows with LOCALAPPDATA',
      'win32',
      { LOCALAPPDATA: 'C:\\Users\\ada\\AppData\\Local' },
      'C:\\Users\\ada\\AppData\\Local\\gcmpush\\Data',
    ],
    ['Windows without it', 'win32', {}, '\\home\\ada\\AppData\\Local\\gcmpush\\Data'],
  ];

  it.each(cases)('follows env-paths on %s', (_name, platform, env, expected) => {
    expect(dataDir(env, platform, HOME)).toBe(expected);
  });

  it('lets GCMPUSH_DATA_DIR override every platform, made absolute', () => {
    for (const platform of ['linux', 'darwin', 'win32'] as const) {
      expect(dataDir({ GCMPUSH_DATA_DIR: 'rel/dir' }, platform, HOME)).toBe(
        path.resolve('rel/dir'),
      );
    }
  });

  it('names the current and the rotated log inside the folder', () => {
    expect(historyFiles('/d')).toEqual({
      current: path.join('/d', 'history.jsonl'),
      rotated: path.join('/d', 'history.1.jsonl'),
    });
  });
});
