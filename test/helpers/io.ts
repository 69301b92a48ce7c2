/** An Io that captures stdout and stderr apart, with switchable TTY flags. */
import { Readable } from 'node:stream';
import type { Io } from '../../src/output/streams.js';

export interface TestIo {
  io: Io;
  stdout: () => string;
  stderr: () => string;
}

export function createTestIo(
  options: { tty?: boolean; color?: boolean; env?: NodeJS.ProcessEnv; stdin?: string } = {},
): TestIo {
  let out = '';
  let err = '';
  const io: Io = {
    out: (text) => void (out += text),
    err: (text) => void (err += text),
    stdin: Readable.from(options.stdin === undefined ? [] : [Buffer.from(options.stdin)]),
    env: options.env ?? {},
    stdoutIsTTY: options.tty ?? false,
    stderrIsTTY: options.tty ?? false,
    colorOut: options.color ?? false,
    colorErr: options.color ?? false,
  };
  return { io, stdout: () => out, stderr: () => err };
}
