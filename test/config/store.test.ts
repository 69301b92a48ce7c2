import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { configDir } from '../../src/config/store.js';

describe('the config folder', () => {
  it('is GCMPUSH_CONFIG_DIR when that is set', () => {
    expect(configDir({ GCMPUSH_CONFIG_DIR: '/tmp/elsewhere' })).toBe('/tmp/elsewhere');
  });

  it.runIf(process.platform === 'linux')('follows XDG_CONFIG_HOME with no -nodejs suffix', () => {
    expect(configDir({ XDG_CONFIG_HOME: '/home/u/.cfg' })).toBe('/home/u/.cfg/gcmpush');
  });

  it.runIf(process.platform === 'linux')('defaults to ~/.config/gcmpush on Linux', () => {
    const dir = configDir({});
    expect(dir.endsWith(path.join('.config', 'gcmpush'))).toBe(true);
  });
});
